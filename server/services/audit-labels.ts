/**
 * 操作ログ's words for the audit trail's action names (recordAudit's `action`), in the order the 操作
 * filter lists them: customers' security events first, then staff's. Plain data, no imports: the back
 * office's pages get the list through the router (app/ imports no service module).
 *
 * A new action name belongs here; one missing still shows, as its raw name (auditActionLabel).
 */
export const AUDIT_ACTION_LABELS = {
  // Customers: sign-in and security (SPEC §8 audit)
  "auth.login": "ログイン",
  "auth.logout": "ログアウト",
  "auth.session_end": "端末のログアウト",
  "auth.session_end_others": "他の端末をすべてログアウト",
  "auth.login_reported": "心当たりのないログインの報告",
  "auth.lockout": "ロック(ログイン失敗の繰り返し)",
  "auth.otp.sent": "ワンタイムパスワード送信",
  "auth.otp.verify": "ワンタイムパスワード確認",
  "auth.otp.resend": "ワンタイムパスワード再送",
  "mfa.enable": "二段階認証を有効化",
  "mfa.disable": "二段階認証を無効化",
  "totp.enable": "認証アプリを登録",
  "totp.disable": "認証アプリを解除",
  "totp.recovery_regenerate": "リカバリーコードを再発行",
  "auth.recovery_code": "リカバリーコードでログイン",
  "password.change": "パスワード変更",
  "password.change_initial": "初回パスワード変更",
  "password.setup": "パスワード初期設定",
  "password.reset_request": "パスワード再設定の依頼",
  "password.reset": "パスワード再設定",
  "email_change.request": "メールアドレス変更の依頼",
  "email_change.submit_new": "新しいメールアドレスの送信",
  "email_change.confirm": "メールアドレス変更の確定",
  "profile.update_name": "氏名の変更",
  "user.add": "利用者の追加",
  "user.delete": "利用者の削除",
  "user.resend_setup": "設定メール再送",
  // Customers: ordering
  "template.create": "お届け先テンプレート登録",
  "template.update": "お届け先テンプレート変更",
  "template.delete": "お届け先テンプレート削除",
  "application.order": "注文",
  "application.quote": "見積依頼",
  "application.cancellation": "解約申込",
  "application.extension": "延長申込",
  // Staff
  "staff.login": "スタッフログイン",
  "staff.logout": "スタッフログアウト",
  "staff.lockout": "スタッフのロック",
  "staff.otp.sent": "スタッフ ワンタイムパスワード送信",
  "staff.otp.verify": "スタッフ ワンタイムパスワード確認",
  "staff.otp.resend": "スタッフ ワンタイムパスワード再送",
  "staff.create": "スタッフ追加",
  "staff.disable": "スタッフ利用停止",
  "staff.enable": "スタッフ利用再開",
  "staff.password_change": "スタッフのパスワード変更",
  "staff.password_reset": "スタッフのパスワード再設定",
  "order.arrange": "手配済にする",
  "quote.answer": "見積回答",
  "cancellation.return": "返却確認",
  "extension.confirm": "延長確認",
  "application.intake_retry": "受付の再送",
  "account.create": "顧客登録",
  "account.suspend": "利用停止",
  "account.resume": "利用再開",
  "user.unlock": "ロック解除",
  "user.require_password_change": "パスワード変更を要求",
  "member.import": "会員データ移行",
  "product.create": "商品登録",
  "product.update": "商品編集",
  "product.retire": "販売終了",
  "product.resume": "販売再開",
  "product.import": "商品CSV取込",
  "audit.export": "操作ログCSV出力",
} as const satisfies Record<string, string>;

export type AuditAction = keyof typeof AUDIT_ACTION_LABELS;

export const AUDIT_ACTIONS = Object.keys(AUDIT_ACTION_LABELS) as AuditAction[];

export function isAuditAction(action: string): action is AuditAction {
  return Object.hasOwn(AUDIT_ACTION_LABELS, action);
}

/** The Japanese word for an action; an action not listed shows as its raw name. */
export function auditActionLabel(action: string): string {
  return isAuditAction(action) ? AUDIT_ACTION_LABELS[action] : action;
}
