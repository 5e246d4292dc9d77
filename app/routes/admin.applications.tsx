import type { LoaderFunctionArgs } from "@remix-run/node";
import { Form, useLoaderData, useSearchParams } from "@remix-run/react";
import { TRPCError } from "@trpc/server";
import { AppLink } from "~/components/AppLink";
import { Field, FormAlert, PeriodFields, Select } from "~/components/Field";
import { KeysetPager } from "~/components/KeysetPager";
import { TableScroll } from "~/components/TableScroll";
import { formErrorsFrom } from "~/utils/forms.server";
import { title } from "~/utils/meta";
import { requireStaff } from "~/utils/staff.server";

export const meta = title("申込一覧");

const KINDS = [
  ["", "すべて"],
  ["order", "注文"],
  ["quote", "見積"],
  ["cancellation", "解約"],
  ["extension", "延長"],
] as const;
const RESULTS = [
  ["", "すべて"],
  ["accepted", "受付完了"],
  ["failed", "受付失敗"],
  ["pending", "処理中"],
] as const;
const CONFIRMATIONS = [
  ["", "すべて"],
  ["unarranged", "未手配"],
  ["arranged", "手配済"],
  ["unanswered", "未回答"],
  ["answered", "回答済"],
  ["unreturned", "未処理"],
  ["returned", "返却済"],
  ["unconfirmed", "未確認"],
  ["extended", "延長済"],
] as const;

type Kind = "quote" | "order" | "cancellation" | "extension";
type Result = "pending" | "accepted" | "failed";
type Confirmation =
  | "unarranged"
  | "arranged"
  | "unanswered"
  | "answered"
  | "unreturned"
  | "returned"
  | "unconfirmed"
  | "extended";

const pick = <T extends string>(value: string | null, options: readonly (readonly [string, string])[]) =>
  value && options.some(([v]) => v === value) ? (value as T) : undefined;

function filterOf(params: URLSearchParams) {
  return {
    kind: pick<Kind>(params.get("kind"), KINDS),
    result: pick<Result>(params.get("result"), RESULTS),
    confirmation: pick<Confirmation>(params.get("confirmation"), CONFIRMATIONS),
    from: params.get("from") || undefined,
    to: params.get("to") || undefined,
    keyword: params.get("q") || undefined,
  };
}

/** 申込一覧 (SPEC §6): every account's applications, filtered by GET (works without JavaScript). */
export async function loader({ context, request }: LoaderFunctionArgs) {
  await requireStaff(context, request);
  const params = new URL(request.url).searchParams;
  try {
    const list = await context.caller.backofficeApplications.list({
      ...filterOf(params),
      cursor: params.get("cursor") ?? undefined,
    });
    return { ...list, formError: undefined as string | undefined, fieldErrors: {} as Record<string, string[]> };
  } catch (error) {
    // A period that is no date, a keyword naming too many companies: the message, and no rows.
    if (!(error instanceof TRPCError) || error.code !== "BAD_REQUEST") throw error;
    const { errors } = formErrorsFrom(error);
    return { rows: [], nextCursor: null, formError: errors.formError, fieldErrors: errors.fieldErrors };
  }
}

export default function ApplicationsPage() {
  const { rows, nextCursor, formError, fieldErrors } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  return (
    <section className="card">
      <h1>申込一覧</h1>
      <FormAlert message={formError} />
      <Form method="get" className="search filters" aria-label="申込一覧の絞り込み">
        <Select id="kind" label="種別" options={KINDS} value={params.get("kind") ?? ""} />
        <Select id="result" label="申込結果" options={RESULTS} value={params.get("result") ?? ""} />
        <Select id="confirmation" label="確認状況" options={CONFIRMATIONS} value={params.get("confirmation") ?? ""} />
        <PeriodFields params={params} errors={fieldErrors} />
        <Field
          label="キーワード"
          name="q"
          id="q"
          type="search"
          hint="申込番号、ログインID、または会社名(前方一致)"
          defaultValue={params.get("q") ?? ""}
          errors={fieldErrors.keyword}
        />
        <div className="actions">
          <button type="submit">検索</button>
        </div>
      </Form>
      {rows.length ? (
        <TableScroll label="申込一覧">
          <table className="table">
            <caption>申込一覧(新しい順)</caption>
            <thead>
              <tr>
                <th scope="col">申込日時</th>
                <th scope="col">申込番号</th>
                <th scope="col">種別</th>
                <th scope="col">ログインID</th>
                <th scope="col">会社名</th>
                <th scope="col">申込結果</th>
                <th scope="col">確認状況</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.number}>
                  <td>{r.createdAtLabel}</td>
                  <td>
                    <AppLink to={`/admin/applications/${r.number}`}>{r.number}</AppLink>
                  </td>
                  <td>{r.kindLabel}</td>
                  <td>{r.loginId}</td>
                  <td>{r.companyName}</td>
                  <td className={r.intakeStatus === "failed" ? "status-failed" : undefined}>{r.resultLabel}</td>
                  <td>{r.confirmationLabel}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      ) : (
        <p>該当する申込はありません。</p>
      )}
      <KeysetPager path="/admin/applications" nextCursor={nextCursor} />
    </section>
  );
}
