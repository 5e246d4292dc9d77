import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { AppLink } from "~/components/AppLink";
import { Field, FormAlert } from "~/components/Field";
import { SubmitButton } from "~/components/SubmitButton";
import { TableScroll } from "~/components/TableScroll";
import { redirectWithFlash } from "~/utils/flash.server";
import { attempt, text } from "~/utils/forms.server";
import { title } from "~/utils/meta";
import { requireStaff } from "~/utils/staff.server";

export const meta = title("顧客管理");

/** 顧客管理: search (login ID or company name prefix), a page at a time on the login ID (keyset). */
export async function loader({ context, request }: LoaderFunctionArgs) {
  await requireStaff(context, request);
  const url = new URL(request.url);
  const keyword = (url.searchParams.get("keyword") ?? "").slice(0, 100);
  const cursor = url.searchParams.get("cursor") || null;
  const page = await context.caller.backofficeAccounts.search({ keyword, cursor: cursor?.slice(0, 200) ?? null });
  const next = page.nextCursor ? new URLSearchParams({ keyword, cursor: page.nextCursor }).toString() : null;
  return { keyword, paged: cursor !== null, rows: page.rows, next };
}

/** 顧客登録: the account and its first user; without 初期パスワード the user gets the set-up mail. */
export async function action({ context, request }: ActionFunctionArgs) {
  await requireStaff(context, request);
  const form = await request.formData();
  const values = {
    loginId: text(form, "loginId"),
    companyName: text(form, "companyName"),
    email: text(form, "email"),
  };
  const password = text(form, "password");
  return attempt(
    context.caller.backofficeAccounts.open({ ...values, password: password || undefined }),
    { values },
    ({ accountId }) =>
      redirectWithFlash(
        `/admin/accounts/${encodeURIComponent(accountId)}`,
        password
          ? `顧客 ${values.loginId.trim()} を登録しました。初期パスワードをお伝えください。`
          : `顧客 ${values.loginId.trim()} を登録し、パスワード設定依頼メールを送信しました。`,
        context,
      ),
  );
}

export default function AccountsPage() {
  const { keyword, paged, rows, next } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <section className="card">
      <h1>顧客管理</h1>
      <Form method="get" role="search" aria-label="顧客検索">
        <Field
          label="キーワード"
          name="keyword"
          type="search"
          defaultValue={keyword}
          hint="ログインIDまたは会社名の先頭で検索します。"
        />
        <div className="actions">
          <button type="submit">検索</button>
        </div>
      </Form>

      <TableScroll label="顧客一覧">
        <table className="table">
          <caption>顧客一覧</caption>
          <thead>
            <tr>
              <th scope="col">ログインID</th>
              <th scope="col">会社名</th>
              <th scope="col">状態</th>
              <th scope="col">利用者数</th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 ? (
              <tr>
                <td colSpan={4}>該当する顧客はありません。</td>
              </tr>
            ) : (
              rows.map((r) => (
                <tr key={r.id}>
                  <td>
                    <AppLink to={`/admin/accounts/${encodeURIComponent(r.id)}`}>{r.loginId}</AppLink>
                  </td>
                  <td>{r.companyName}</td>
                  <td>{r.statusLabel}</td>
                  <td>{r.userCount}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </TableScroll>
      <nav aria-label="ページ送り" className="actions">
        {paged ? (
          <AppLink to={keyword ? `/admin/accounts?${new URLSearchParams({ keyword })}` : "/admin/accounts"}>
            最初から
          </AppLink>
        ) : null}
        {next ? <AppLink to={`/admin/accounts?${next}`}>次へ</AppLink> : null}
      </nav>

      <section aria-labelledby="open-heading" className="panel">
        <h2 id="open-heading">顧客登録</h2>
        <p className="hint">
          初期パスワードを空欄にすると、パスワード設定依頼メールが届きます。入力した場合は初回ログイン時に変更が必要です。
        </p>
        <FormAlert
          message={result?.formError}
          fieldErrors={result?.fieldErrors}
          labels={{ loginId: "ログインID", companyName: "会社名", email: "メールアドレス", password: "初期パスワード" }}
        />
        <Form method="post" noValidate>
          <Field
            label="ログインID"
            name="loginId"
            autoComplete="off"
            required
            defaultValue={result?.values.loginId}
            errors={result?.fieldErrors.loginId}
          />
          <Field
            label="会社名"
            name="companyName"
            autoComplete="off"
            required
            defaultValue={result?.values.companyName}
            errors={result?.fieldErrors.companyName}
          />
          <Field
            label="メールアドレス"
            name="email"
            type="email"
            autoComplete="off"
            required
            defaultValue={result?.values.email}
            errors={result?.fieldErrors.email}
          />
          <Field
            label="初期パスワード"
            optional
            name="password"
            type="password"
            autoComplete="new-password"
            errors={result?.fieldErrors.password}
          />
          <div className="actions">
            <SubmitButton>登録</SubmitButton>
          </div>
        </Form>
      </section>
    </section>
  );
}
