import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useLocation } from "@remix-run/react";
import { Field, FormAlert } from "~/components/Field";
import { SubmitButton } from "~/components/SubmitButton";
import { requireCustomer } from "~/utils/auth.server";
import { redirectWithFlash } from "~/utils/flash.server";
import { attempt, text } from "~/utils/forms.server";
import { title } from "~/utils/meta";

export const meta = title("利用者管理");

export async function loader({ context, request }: LoaderFunctionArgs) {
  await requireCustomer(context, request);
  return context.caller.users.list();
}

export async function action({ context, request }: ActionFunctionArgs) {
  const form = await request.formData();
  const done = (message: string) => () => redirectWithFlash("/account/users", message, context);
  if (text(form, "intent") === "resend") {
    return attempt(
      context.caller.users.resendSetup({ id: text(form, "id") }),
      { values: { email: "" } },
      done("パスワード設定依頼メールを再送しました。以前のメールのURLは使えなくなりました。"),
    );
  }
  const values = { email: text(form, "email") };
  return attempt(
    context.caller.users.add(values),
    { values },
    done(`${values.email.trim()} を追加し、パスワード設定依頼メールをお送りしました。`),
  );
}

export default function UsersPage() {
  const { users, max } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  // A new 追加 form after each navigation: empty after a user was added, what was typed after a refusal.
  const { key } = useLocation();
  return (
    <div>
      <section aria-labelledby="add-heading" className="panel">
        <h2 id="add-heading">利用者追加</h2>
        <p className="hint">
          サイト利用者のメールアドレスは、1ログインIDにつき{max}件まで登録できます(重複登録はできません)。
          追加したメールアドレス宛に「パスワード設定依頼」メールが届きます。
        </p>
        <FormAlert message={result?.formError} fieldErrors={result?.fieldErrors} labels={{ email: "メールアドレス" }} />
        <Form method="post" noValidate key={key}>
          <Field
            label="メールアドレス"
            name="email"
            type="email"
            autoComplete="off"
            required
            defaultValue={result?.values.email}
            errors={result?.fieldErrors.email}
          />
          <div className="actions">
            <SubmitButton name="intent" value="add">
              追加
            </SubmitButton>
          </div>
        </Form>
      </section>

      <section aria-labelledby="list-heading" className="panel">
        <h2 id="list-heading">
          利用者一覧({users.length}/{max}件)
        </h2>
        <table className="table stack">
          <thead>
            <tr>
              <th scope="col">メールアドレス</th>
              <th scope="col">ユーザ名</th>
              <th scope="col">状態</th>
              <th scope="col">操作</th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id}>
                <td data-label="メールアドレス">{u.email}</td>
                <td data-label="ユーザ名">{u.name || "—"}</td>
                <td data-label="状態">{u.status === "active" ? "有効" : "パスワード未設定"}</td>
                <td data-label="操作">
                  <div className="row-actions">
                    {u.status === "pending" ? (
                      <Form method="post">
                        <input type="hidden" name="id" value={u.id} />
                        <button
                          type="submit"
                          name="intent"
                          value="resend"
                          className="secondary"
                          aria-label={`${u.email} の設定メール再送`}
                        >
                          設定メール再送
                        </button>
                      </Form>
                    ) : null}
                    {u.isSelf ? (
                      <span className="hint">ログイン中</span>
                    ) : (
                      <Form method="get" action={`/account/users/${u.id}/delete`}>
                        <button type="submit" className="danger" aria-label={`${u.email} を削除`}>
                          削除
                        </button>
                      </Form>
                    )}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
