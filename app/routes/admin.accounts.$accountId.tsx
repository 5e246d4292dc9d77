import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { AppLink } from "~/components/AppLink";
import { FormAlert } from "~/components/Field";
import { SubmitButton } from "~/components/SubmitButton";
import { TableScroll } from "~/components/TableScroll";
import { redirectWithFlash } from "~/utils/flash.server";
import { attempt, text } from "~/utils/forms.server";
import { title } from "~/utils/meta";
import { orNotFound } from "~/utils/not-found.server";
import { requireStaff } from "~/utils/staff.server";

export const meta = title<typeof loader>(({ data }) => (data ? `顧客 ${data.account.loginId}` : "顧客"));

/** An account's page (顧客管理): its users, what staff may do to each, and 利用停止 / 利用再開. */
export async function loader({ context, params, request }: LoaderFunctionArgs) {
  await requireStaff(context, request);
  const account = await orNotFound(context.caller.backofficeAccounts.get({ accountId: params.accountId ?? "" }));
  // 利用停止 asks first: `?confirm=suspend` shows the confirmation step (a GET, so it works without JavaScript).
  const confirmSuspend = new URL(request.url).searchParams.get("confirm") === "suspend" && account.status === "active";
  return { account, confirmSuspend };
}

const DONE = {
  unlock: "ロックを解除しました。",
  resend: "パスワード設定依頼メールを再送しました。",
  requireChange: "次回ログイン時にパスワードの変更を求めます。",
  removeAuthenticator: "認証アプリの登録を解除しました。利用者はログアウトされ、お知らせのメールが送られます。",
  suspend: "顧客を利用停止にしました。",
  resume: "顧客を利用再開しました。",
} as const;

export async function action({ context, params, request }: ActionFunctionArgs) {
  await requireStaff(context, request);
  const accountId = params.accountId ?? "";
  const form = await request.formData();
  const intent = text(form, "intent");
  const userId = text(form, "userId");
  const api = context.caller.backofficeAccounts;
  const call =
    intent === "unlock"
      ? api.unlockUser({ accountId, userId })
      : intent === "resend"
        ? api.resendSetupMail({ accountId, userId })
        : intent === "requireChange"
          ? api.requirePasswordChange({ accountId, userId })
          : intent === "removeAuthenticator"
            ? api.removeAuthenticator({ accountId, userId })
            : intent === "suspend"
              ? api.suspend({ accountId })
              : intent === "resume"
                ? api.resume({ accountId })
                : null;
  if (!call) throw new Response("Bad Request", { status: 400 });
  return attempt(call, { values: {} }, () =>
    redirectWithFlash(`/admin/accounts/${encodeURIComponent(accountId)}`, DONE[intent as keyof typeof DONE], context),
  );
}

/** The confirmation step of 利用停止: what it does, then 利用停止する or キャンセル; focus moves to its heading. */
function SuspendConfirmation({ accountId, loginId }: { accountId: string; loginId: string }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <section className="panel" aria-labelledby="suspend-heading">
      <h2 id="suspend-heading" ref={heading} tabIndex={-1}>
        利用停止の確認
      </h2>
      <p>
        顧客 {loginId}
        を利用停止にします。この顧客の利用者は全員すぐにログアウトされ、利用再開までログインできなくなります。
      </p>
      <Form method="post" className="actions">
        <SubmitButton name="intent" value="suspend" className="danger">
          利用停止する
        </SubmitButton>{" "}
        <AppLink to={`/admin/accounts/${encodeURIComponent(accountId)}`}>キャンセル</AppLink>
      </Form>
    </section>
  );
}

export default function AccountPage() {
  const { account, confirmSuspend } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <section className="card">
      <p>
        <AppLink to="/admin/accounts">顧客一覧へ戻る</AppLink>
      </p>
      <h1>
        {account.companyName}({account.loginId})
      </h1>
      <FormAlert message={result?.formError} />
      <dl>
        <dt>状態</dt>
        <dd>{account.statusLabel}</dd>
      </dl>
      {confirmSuspend ? (
        <SuspendConfirmation accountId={account.id} loginId={account.loginId} />
      ) : account.status === "active" ? (
        <Form method="get">
          <button type="submit" name="confirm" value="suspend" className="secondary">
            利用停止
          </button>
        </Form>
      ) : (
        <Form method="post">
          <button type="submit" name="intent" value="resume">
            利用再開
          </button>
        </Form>
      )}

      <TableScroll label="利用者一覧">
        <table className="table">
          <caption>利用者</caption>
          <thead>
            <tr>
              <th scope="col">メールアドレス</th>
              <th scope="col">ユーザ名</th>
              <th scope="col">状態</th>
              <th scope="col">最終ログイン</th>
              <th scope="col">操作</th>
            </tr>
          </thead>
          <tbody>
            {account.users.map((u) => (
              <tr key={u.id}>
                <td>{u.email}</td>
                <td>{u.name || "(未設定)"}</td>
                <td>
                  {u.stateLabel}
                  {u.authenticator ? "(認証アプリ登録済)" : ""}
                </td>
                <td>{u.lastLoginLabel ?? "なし"}</td>
                <td>
                  <Form method="post" className="actions">
                    <input type="hidden" name="userId" value={u.id} />
                    <button type="submit" name="intent" value="unlock" className="secondary">
                      ロック解除
                    </button>
                    <button type="submit" name="intent" value="resend" className="secondary">
                      設定メール再送
                    </button>
                    <button type="submit" name="intent" value="requireChange" className="secondary">
                      パスワード変更を要求
                    </button>
                    {u.authenticator ? (
                      <button type="submit" name="intent" value="removeAuthenticator" className="secondary">
                        認証アプリ解除
                      </button>
                    ) : null}
                  </Form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </section>
  );
}
