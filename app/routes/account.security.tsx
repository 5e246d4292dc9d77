import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { Field, FormAlert } from "~/components/Field";
import { Notice } from "~/components/Notice";
import { SubmitButton } from "~/components/SubmitButton";
import { TableScroll } from "~/components/TableScroll";
import { requireCustomer } from "~/utils/auth.server";
import { redirectWithFlash } from "~/utils/flash.server";
import { attempt, text } from "~/utils/forms.server";
import { title } from "~/utils/meta";

export const meta = title("セキュリティ設定");

export async function loader({ context, request }: LoaderFunctionArgs) {
  await requireCustomer(context, request);
  return context.caller.account.security();
}

/**
 * ログアウト of one other device (`intent=end`), or 他の端末をすべてログアウト (`intent=others`); 認証アプリ:
 * 認証アプリを設定 (`totp-start`), 中止 (`totp-cancel`), 登録 (`totp-confirm`), リカバリーコードを再発行
 * (`recovery-regenerate`) and 認証アプリを解除 (`totp-remove`). The recovery codes come back in the answer
 * only: shown this once, never stored as they are.
 */
export async function action({ context, request }: ActionFunctionArgs) {
  const form = await request.formData();
  const intent = text(form, "intent");
  const caller = context.caller.account;
  switch (intent) {
    case "totp-start":
      return attempt(caller.startAuthenticator(), { values: { intent } }, () => ({ intent, started: true as const }));
    case "totp-cancel":
      return attempt(caller.cancelAuthenticator(), { values: { intent } }, () =>
        redirectWithFlash("/account/security", "認証アプリの設定を中止しました。", context),
      );
    case "totp-confirm": {
      const code = text(form, "code");
      return attempt(caller.confirmAuthenticator({ code }), { values: { intent, code } }, ({ recoveryCodes }) => ({
        intent,
        recoveryCodes,
        done: "認証アプリを登録しました。次回のログインから、認証アプリのワンタイムパスワードを入力してください。",
      }));
    }
    case "recovery-regenerate":
      return attempt(
        caller.regenerateRecoveryCodes({ currentPassword: text(form, "currentPassword") }),
        { values: { intent } },
        ({ recoveryCodes }) => ({
          intent,
          recoveryCodes,
          done: "リカバリーコードを再発行しました。以前のリカバリーコードは使用できません。",
        }),
      );
    case "totp-remove":
      return attempt(
        caller.removeAuthenticator({ currentPassword: text(form, "currentPassword") }),
        { values: { intent } },
        () => redirectWithFlash("/account/security", "認証アプリを解除しました。", context),
      );
  }
  if (intent === "others") {
    return attempt(context.caller.account.endOtherSessions(), { values: { intent } }, ({ ended }) =>
      redirectWithFlash(
        "/account/security",
        ended ? `他の端末(${ended}台)をログアウトしました。` : "ほかにログイン中の端末はありません。",
        context,
      ),
    );
  }
  return attempt(
    context.caller.account.endSession({ handle: text(form, "handle") }),
    { values: { intent: "end" } },
    ({ ended }) =>
      redirectWithFlash(
        "/account/security",
        ended ? "選択した端末をログアウトしました。" : "選択した端末は、すでにログアウトしています。",
        context,
      ),
  );
}

type Answer = ReturnType<typeof useActionData<typeof action>>;

/** The refusal of a submission of these intents, if the last answer was one. */
function refusalOf(answer: Answer, intents: string[]) {
  if (!answer || !("formError" in answer || "fieldErrors" in answer)) return undefined;
  const values = (answer as { values?: { intent?: string } }).values;
  return intents.includes(values?.intent ?? "") ? answer : undefined;
}

/** A heading that takes the focus when it appears after a submission (the next step, the codes). */
function useFocusOnShow(show: boolean) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (show) ref.current?.focus();
  }, [show]);
  return ref;
}

/** 認証アプリ (SPEC §3): set up with a QR code or the 設定キー and a 確認コード; recovery codes shown once. */
function AuthenticatorSection() {
  const { authenticator } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const codes = answer && "recoveryCodes" in answer ? answer : undefined;
  const started = !!(answer && "started" in answer);
  const startRefused = refusalOf(answer, ["totp-start", "totp-cancel"]);
  const confirmRefused = refusalOf(answer, ["totp-confirm"]);
  const manageRefused = refusalOf(answer, ["recovery-regenerate", "totp-remove"]);
  const setupRef = useFocusOnShow(started && authenticator.state === "pending");
  const codesRef = useFocusOnShow(!!codes);
  const typedCode = (confirmRefused as { values?: { code?: string } } | undefined)?.values?.code;
  return (
    <section aria-labelledby="authenticator-heading" className="panel">
      <h2 id="authenticator-heading">認証アプリ</h2>
      {codes ? (
        <section className="recovery-codes" aria-labelledby="recovery-heading">
          <Notice message={codes.done} />
          <h3 id="recovery-heading" tabIndex={-1} ref={codesRef}>
            リカバリーコード
          </h3>
          <p>
            スマートフォンをなくした場合などに、認証アプリのワンタイムパスワードの代わりに使用できます。各コードは1回だけ使用できます。
            <strong>この画面を離れると二度と表示されません。</strong>印刷するか、安全な場所に控えてください。
          </p>
          <ol className="code-list">
            {codes.recoveryCodes.map((c) => (
              <li key={c}>
                <code>{c}</code>
              </li>
            ))}
          </ol>
        </section>
      ) : null}

      {authenticator.state === "none" ? (
        <>
          <p>
            ログイン時に、メールのワンタイムパスワードの代わりに、スマートフォンの認証アプリ(Google
            Authenticator、Microsoft Authenticator
            など)に表示されるワンタイムパスワードを入力します。メールの届かない場所でもログインでき、より安全です。
          </p>
          <FormAlert message={startRefused?.formError} />
          <Form method="post">
            <div className="actions">
              <SubmitButton name="intent" value="totp-start">
                認証アプリを設定
              </SubmitButton>
            </div>
          </Form>
        </>
      ) : null}

      {authenticator.state === "pending" ? (
        <>
          <h3 id="totp-setup-heading" tabIndex={-1} ref={setupRef}>
            認証アプリの設定
          </h3>
          <ol className="steps">
            <li>
              認証アプリで、次のQRコードを読み取ってください。
              <div className="qr-code">
                <img src={authenticator.qrCode} alt="認証アプリ設定用のQRコード" width={200} height={200} />
              </div>
            </li>
            <li>
              読み取れない場合は、認証アプリに次の設定キーを入力してください(種類: 時間ベース)。
              <dl className="summary">
                <dt>設定キー</dt>
                <dd>
                  <code className="setup-key">{authenticator.key}</code>
                </dd>
              </dl>
            </li>
            <li>認証アプリに表示された6桁の数字を「確認コード」に入力し、「登録」を押してください。</li>
          </ol>
          <FormAlert
            message={confirmRefused?.formError}
            fieldErrors={confirmRefused?.fieldErrors}
            labels={{ code: "確認コード" }}
          />
          <Form method="post" noValidate>
            <Field
              label="確認コード"
              name="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={6}
              required
              defaultValue={typedCode}
              key={typedCode ?? "code"}
              errors={confirmRefused?.fieldErrors?.code}
            />
            <div className="actions">
              <SubmitButton name="intent" value="totp-confirm">
                登録
              </SubmitButton>
            </div>
          </Form>
          <Form method="post">
            <button type="submit" name="intent" value="totp-cancel" className="secondary">
              中止
            </button>
          </Form>
        </>
      ) : null}

      {authenticator.state === "active" ? (
        <>
          <dl className="summary">
            <dt>状態</dt>
            <dd>登録済み({authenticator.sinceLabel}に登録)</dd>
            <dt>リカバリーコードの残り</dt>
            <dd>{authenticator.recoveryCodesLeft}個</dd>
          </dl>
          <p className="hint">
            リカバリーコードの再発行と認証アプリの解除には、現在のパスワードが必要です。解除すると、ログイン時の確認は登録情報変更の「多要素認証」の設定に戻ります。
          </p>
          <FormAlert
            message={manageRefused?.formError}
            fieldErrors={manageRefused?.fieldErrors}
            labels={{ currentPassword: "現在のパスワード" }}
          />
          <Form method="post" noValidate>
            <Field
              label="現在のパスワード"
              name="currentPassword"
              type="password"
              autoComplete="current-password"
              required
              errors={manageRefused?.fieldErrors?.currentPassword}
            />
            <div className="actions">
              <SubmitButton name="intent" value="recovery-regenerate" className="secondary">
                リカバリーコードを再発行
              </SubmitButton>
              <SubmitButton name="intent" value="totp-remove" className="danger">
                認証アプリを解除
              </SubmitButton>
            </div>
          </Form>
        </>
      ) : null}
    </section>
  );
}

/** セキュリティ設定: ログイン中の端末, 認証アプリ and ログイン履歴 (SPEC §3). */
export default function SecurityPage() {
  const { history, devices } = useLoaderData<typeof loader>();
  const refused = refusalOf(useActionData<typeof action>(), ["end", "others"]);
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

      <AuthenticatorSection />

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
