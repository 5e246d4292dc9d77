import type { LoaderFunctionArgs } from "@remix-run/node";
import { Form, useLoaderData, useSearchParams } from "@remix-run/react";
import { TRPCError } from "@trpc/server";
import { Field, FormAlert, PeriodFields, Select } from "~/components/Field";
import { KeysetPager } from "~/components/KeysetPager";
import { TableScroll } from "~/components/TableScroll";
import { auditFilterOf } from "~/utils/audit.server";
import { formErrorsFrom } from "~/utils/forms.server";
import { title } from "~/utils/meta";
import { requireStaff } from "~/utils/staff.server";

export const meta = title("操作ログ");

/** 操作ログ (SPEC §6): every staff action and customer security event, filtered by GET (works without JavaScript). */
export async function loader({ context, request }: LoaderFunctionArgs) {
  await requireStaff(context, request);
  const params = new URL(request.url).searchParams;
  const actions = await context.caller.backofficeAudit.actions();
  try {
    const list = await context.caller.backofficeAudit.list({
      ...auditFilterOf(params),
      cursor: params.get("cursor") ?? undefined,
    });
    return {
      ...list,
      actions,
      formError: undefined as string | undefined,
      fieldErrors: {} as Record<string, string[]>,
    };
  } catch (error) {
    // 実行者 or 顧客 not found, a period that is no date: the message beside its field, and no rows.
    if (!(error instanceof TRPCError) || error.code !== "BAD_REQUEST") throw error;
    const { errors } = formErrorsFrom(error);
    return { rows: [], nextCursor: null, actions, formError: errors.formError, fieldErrors: errors.fieldErrors };
  }
}

export default function AuditPage() {
  const { rows, nextCursor, actions, formError, fieldErrors } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const filterQuery = new URLSearchParams(params);
  filterQuery.delete("cursor");
  const csvHref = `/admin/audit.csv${filterQuery.size ? `?${filterQuery}` : ""}`;
  return (
    <section className="card wide">
      <h1>操作ログ</h1>
      <FormAlert message={formError} />
      <Form method="get" className="search filters" aria-label="操作ログの絞り込み">
        <Field
          label="実行者"
          name="actor"
          id="actor"
          hint="スタッフ・利用者のメールアドレス、または「システム」"
          defaultValue={params.get("actor") ?? ""}
          errors={fieldErrors.actor}
        />
        <Field
          label="顧客"
          name="loginId"
          id="loginId"
          hint="ログインID"
          autoComplete="off"
          defaultValue={params.get("loginId") ?? ""}
          errors={fieldErrors.loginId}
        />
        <Select
          id="action"
          label="操作"
          options={[["", "すべて"], ...actions.map((a) => [a.value, a.label] as const)]}
          value={params.get("action") ?? ""}
          errors={fieldErrors.action}
        />
        <PeriodFields params={params} errors={fieldErrors} />
        <div className="actions button-row">
          <button type="submit">検索</button>
          <a className="button secondary" href={csvHref} download>
            CSV
          </a>
        </div>
      </Form>
      {rows.length ? (
        <TableScroll label="操作ログ一覧">
          <table className="table">
            <caption>操作ログ(新しい順、日本時間)</caption>
            <thead>
              <tr>
                <th scope="col">日時</th>
                <th scope="col">実行者</th>
                <th scope="col">顧客</th>
                <th scope="col">操作</th>
                <th scope="col">対象</th>
                <th scope="col">結果</th>
                <th scope="col">IPアドレス</th>
                <th scope="col">詳細</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id}>
                  <td className="nowrap">{r.atLabel}</td>
                  <td>{r.actorLabel}</td>
                  <td>{r.loginId ? `${r.loginId} ${r.companyName ?? ""}` : ""}</td>
                  <td className="nowrap">{r.actionLabel}</td>
                  <td>{r.target}</td>
                  <td className={r.result === "failure" ? "nowrap status-failed" : "nowrap"}>{r.resultLabel}</td>
                  <td className="nowrap">{r.ip}</td>
                  <td>{r.detailsLabel}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      ) : (
        <p>該当する操作ログはありません。</p>
      )}
      <KeysetPager path="/admin/audit" nextCursor={nextCursor} />
    </section>
  );
}
