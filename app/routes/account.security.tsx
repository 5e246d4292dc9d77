import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { FormAlert } from "~/components/Field";
import { SubmitButton } from "~/components/SubmitButton";
import { TableScroll } from "~/components/TableScroll";
import { redirectWithFlash } from "~/utils/flash.server";
import { attempt, text } from "~/utils/forms.server";
import { title } from "~/utils/meta";

export const meta = title("セキュリティ設定");

export async function loader({ context }: LoaderFunctionArgs) {
  return context.caller.account.security();
}

/** ログアウト of one other device (`intent=end`), or 他の端末をすべてログアウト (`intent=others`). */
export async function action({ context, request }: ActionFunctionArgs) {
  const form = await request.formData();
  if (text(form, "intent") === "others") {
    return attempt(context.caller.account.endOtherSessions(), { values: {} }, ({ ended }) =>
      redirectWithFlash(
        "/account/security",
        ended ? `他の端末(${ended}台)をログアウトしました。` : "ほかにログイン中の端末はありません。",
        context,
      ),
    );
  }
  return attempt(context.caller.account.endSession({ handle: text(form, "handle") }), { values: {} }, ({ ended }) =>
    redirectWithFlash(
      "/account/security",
      ended ? "選択した端末をログアウトしました。" : "選択した端末は、すでにログアウトしています。",
      context,
    ),
  );
}

/** セキュリティ設定: ログイン履歴 and ログイン中の端末 (SPEC §3). */
export default function SecurityPage() {
  const { history, devices } = useLoaderData<typeof loader>();
  const refused = useActionData<typeof action>();
  return (
    <div>
      <section aria-labelledby="devices-heading" className="panel">
        <h2 id="devices-heading">ログイン中の端末</h2>
        <p className="hint">お心当たりのない端末があれば、ログアウトしたうえでパスワードを変更してください。</p>
        <FormAlert message={refused?.formError} />
        <TableScroll label="ログイン中の端末の一覧">
          <table className="table stack">
            <thead>
              <tr>
                <th scope="col">ブラウザ</th>
                <th scope="col">IPアドレス</th>
                <th scope="col">ログイン日時</th>
                <th scope="col">最終利用</th>
                <th scope="col">操作</th>
              </tr>
            </thead>
            <tbody>
              {devices.map((d) => (
                <tr key={d.handle}>
                  <td data-label="ブラウザ">{d.browser}</td>
                  <td data-label="IPアドレス">{d.ip}</td>
                  <td data-label="ログイン日時">{d.startedLabel}</td>
                  <td data-label="最終利用">{d.lastSeenLabel}</td>
                  <td data-label="操作">
                    {d.current ? (
                      <strong>この端末</strong>
                    ) : (
                      <Form method="post">
                        <input type="hidden" name="handle" value={d.handle} />
                        <button type="submit" name="intent" value="end" className="secondary">
                          ログアウト
                        </button>
                      </Form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
        <Form method="post">
          <div className="actions">
            <SubmitButton name="intent" value="others">
              他の端末をすべてログアウト
            </SubmitButton>
          </div>
        </Form>
      </section>

      <section aria-labelledby="history-heading" className="panel">
        <h2 id="history-heading">ログイン履歴</h2>
        {history.length ? (
          <TableScroll label="ログイン履歴の一覧">
            <table className="table stack">
              <caption>直近{history.length}件(新しい順)</caption>
              <thead>
                <tr>
                  <th scope="col">日時</th>
                  <th scope="col">IPアドレス</th>
                  <th scope="col">ブラウザ</th>
                  <th scope="col">結果</th>
                </tr>
              </thead>
              <tbody>
                {history.map((h) => (
                  <tr key={h.id}>
                    <td data-label="日時">{h.atLabel}</td>
                    <td data-label="IPアドレス">{h.ip}</td>
                    <td data-label="ブラウザ">{h.browser}</td>
                    <td data-label="結果" className={h.result === "失敗" ? "status-failed" : undefined}>
                      {h.result}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        ) : (
          <p>ログインの記録はまだありません。</p>
        )}
      </section>
    </div>
  );
}
