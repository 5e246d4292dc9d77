import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, isRouteErrorResponse, useActionData, useLoaderData, useRouteError } from "@remix-run/react";
import { AppLink } from "~/components/AppLink";
import { ErrorList, Field, FormAlert, fieldId, Need } from "~/components/Field";
import { SubmitButton } from "~/components/SubmitButton";
import { TableScroll } from "~/components/TableScroll";
import { redirectWithFlash } from "~/utils/flash.server";
import { attempt, text } from "~/utils/forms.server";
import { title } from "~/utils/meta";
import { ADMIN_ONLY_PAGE, ROLE_LABELS } from "~/utils/staff";
import { requireAdmin } from "~/utils/staff.server";

export const meta = title("スタッフ管理");

/** スタッフ管理: admins only (an operator gets 403; the procedures are adminProcedure too). */
export async function loader({ context, request }: LoaderFunctionArgs) {
  const me = await requireAdmin(context, request);
  const staff = await context.caller.staff.list();
  return { meId: me.id, staff };
}

export async function action({ context, request }: ActionFunctionArgs) {
  await requireAdmin(context, request);
  const form = await request.formData();
  const intent = text(form, "intent");
  if (intent === "disable" || intent === "enable") {
    const status = intent === "disable" ? "disabled" : "active";
    return attempt(
      context.caller.staff.setStatus({ id: text(form, "id"), status }),
      { values: { email: "", name: "", role: "operator" }, extra: { intent: "status" } },
      () =>
        redirectWithFlash(
          "/admin/staff",
          status === "disabled" ? "スタッフを利用停止にしました。" : "スタッフを利用再開しました。",
          context,
        ),
    );
  }
  const values = { email: text(form, "email"), name: text(form, "name"), role: text(form, "role") };
  return attempt(
    context.caller.staff.add({
      ...values,
      role: values.role as "admin" | "operator",
      password: text(form, "password"),
    }),
    { values, extra: { intent: "add" } },
    () => redirectWithFlash("/admin/staff", `スタッフ ${values.email.trim()} を追加しました。`, context),
  );
}

export default function StaffPage() {
  const { meId, staff } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const adding = result?.intent === "add" ? result : undefined;
  return (
    <section className="card">
      <h1>スタッフ管理</h1>
      {result?.intent === "status" ? <FormAlert message={result.formError} /> : null}
      <TableScroll label="スタッフ一覧">
        <table className="table">
          <caption>スタッフ一覧</caption>
          <thead>
            <tr>
              <th scope="col">氏名</th>
              <th scope="col">メールアドレス</th>
              <th scope="col">役割</th>
              <th scope="col">状態</th>
              <th scope="col">登録日時</th>
              <th scope="col">操作</th>
            </tr>
          </thead>
          <tbody>
            {staff.map((s) => (
              <tr key={s.id}>
                <td>{s.name || "(未設定)"}</td>
                <td>{s.email}</td>
                <td>{ROLE_LABELS[s.role]}</td>
                <td>{s.status === "active" ? "有効" : "利用停止"}</td>
                <td>{s.createdAtLabel}</td>
                <td>
                  {s.id === meId ? (
                    <AppLink to="/admin/password">パスワード変更</AppLink>
                  ) : (
                    <Form method="post" className="row-actions">
                      <input type="hidden" name="id" value={s.id} />
                      <button
                        type="submit"
                        name="intent"
                        value={s.status === "active" ? "disable" : "enable"}
                        className="secondary"
                        aria-label={`${s.email} を${s.status === "active" ? "利用停止" : "利用再開"}`}
                      >
                        {s.status === "active" ? "利用停止" : "利用再開"}
                      </button>
                      <AppLink to={`/admin/staff/${s.id}/password`} aria-label={`${s.email} のパスワード再設定`}>
                        パスワード再設定
                      </AppLink>
                    </Form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>

      <section aria-labelledby="add-heading" className="panel">
        <h2 id="add-heading">スタッフ追加</h2>
        <p className="hint">
          初期パスワードは、追加したスタッフにお伝えください。ログインのたびにワンタイムパスワードがメールで届きます。
        </p>
        <FormAlert
          message={adding?.formError}
          fieldErrors={adding?.fieldErrors}
          labels={{ email: "メールアドレス", name: "氏名", role: "役割", password: "初期パスワード" }}
        />
        <Form method="post" noValidate>
          <Field
            label="メールアドレス"
            name="email"
            type="email"
            autoComplete="off"
            required
            defaultValue={adding?.values.email}
            errors={adding?.fieldErrors.email}
          />
          <Field
            label="氏名"
            optional
            name="name"
            autoComplete="off"
            defaultValue={adding?.values.name}
            errors={adding?.fieldErrors.name}
          />
          <div className="field">
            <div className="field-label">
              <label htmlFor={fieldId("role")}>役割</label>
              <Need required />
            </div>
            <select id={fieldId("role")} name="role" defaultValue={adding?.values.role || "operator"}>
              <option value="operator">{ROLE_LABELS.operator}(スタッフ管理以外のすべて)</option>
              <option value="admin">{ROLE_LABELS.admin}(スタッフ管理を含むすべて)</option>
            </select>
            <ErrorList errors={adding?.fieldErrors.role} />
          </div>
          <Field
            label="初期パスワード"
            name="password"
            type="password"
            autoComplete="new-password"
            required
            errors={adding?.fieldErrors.password}
          />
          <div className="actions">
            <SubmitButton name="intent" value="add">
              追加
            </SubmitButton>
          </div>
        </Form>
      </section>
    </section>
  );
}

/** An operator (403) sees why, in Japanese, with the back office's frame around it. */
export function ErrorBoundary() {
  const error = useRouteError();
  if (isRouteErrorResponse(error) && error.status === 403) {
    return (
      <section className="card">
        <h1>スタッフ管理</h1>
        <p role="alert">{(error.data as { message?: string } | null)?.message ?? ADMIN_ONLY_PAGE}</p>
        <p>
          <AppLink to="/admin">管理画面トップへ戻る</AppLink>
        </p>
      </section>
    );
  }
  throw error;
}
