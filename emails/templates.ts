/**
 * The catalogue of mails: each has `NAME.mjml` (HTML) and `NAME.txt` (plain text) beside this file,
 * a subject, and the variables it needs. Every mail also gets the site variables (siteName,
 * companyName, contactPhone, contactHours) for its footer.
 */
export const mailTemplates = {
  "login-notice": {
    subject: "【{{siteName}}】ログイン通知",
    vars: ["accountCompany", "userName", "loginAt", "loginId", "ip", "browser", "reportUrl", "reportExpiresAt"],
  },
  otp: {
    subject: "【{{siteName}}】ワンタイムパスワード通知",
    vars: ["accountCompany", "userName", "code", "expiresAt"],
  },
  "password-changed": {
    subject: "【{{siteName}}】パスワード変更のお知らせ",
    vars: ["accountCompany", "userName", "changedAt", "how", "ip"],
  },
  "password-reset": {
    subject: "【{{siteName}}】パスワード再設定のご案内",
    vars: ["accountCompany", "userName", "url", "expiresAt"],
  },
  "mfa-changed": {
    subject: "【{{siteName}}】多要素認証設定変更のお知らせ",
    vars: ["accountCompany", "userName", "state", "changedAt", "ip"],
  },
  "authenticator-changed": {
    subject: "【{{siteName}}】認証アプリ設定変更のお知らせ",
    vars: ["accountCompany", "userName", "change", "changedAt", "ip"],
  },
  "password-setup": {
    subject: "【{{siteName}}】パスワード設定依頼",
    vars: ["accountCompany", "userName", "loginId", "url", "expiresAt"],
  },
  "user-deleted": {
    subject: "【{{siteName}}】利用者削除のお知らせ",
    vars: ["accountCompany", "userName", "loginId", "deletedAt"],
  },
  "email-change-request": {
    subject: "【{{siteName}}】メールアドレス変更依頼受付",
    vars: ["accountCompany", "userName", "url", "expiresAt"],
  },
  "email-change-confirm": {
    subject: "【{{siteName}}】メールアドレス変更確認",
    vars: ["accountCompany", "userName", "loginId", "url", "expiresAt"],
  },
  "application-received": {
    subject: "【{{siteName}}】お申し込み受付のお知らせ({{number}})",
    vars: ["accountCompany", "userName", "number", "kind", "submittedAt", "contents", "url"],
  },
  "application-failed": {
    subject: "【{{siteName}}】受付失敗のお知らせ({{number}})",
    vars: ["accountCompany", "userName", "number", "kind", "submittedAt", "contents", "url"],
  },
  "return-reminder": {
    subject: "【{{siteName}}】返却予定のお知らせ({{contractNo}})",
    vars: ["accountCompany", "userName", "contractNo", "number", "dueDate", "daysLeft", "items", "url"],
  },
  "order-arranged": {
    subject: "【{{siteName}}】手配完了のお知らせ({{number}})",
    vars: ["accountCompany", "userName", "number", "contractNo", "arrangedAt", "url", "documentNote", "documentUrl"],
  },
  "quote-answered": {
    subject: "【{{siteName}}】見積回答のお知らせ({{number}})",
    vars: [
      "accountCompany",
      "userName",
      "number",
      "subtotal",
      "tax",
      "total",
      "validUntil",
      "comment",
      "url",
      "documentNote",
    ],
  },
  "cancellation-returned": {
    subject: "【{{siteName}}】返却確認のお知らせ({{number}})",
    vars: ["accountCompany", "userName", "number", "contractNo", "returnedAt", "rentalState", "lines", "url"],
  },
  "extension-confirmed": {
    subject: "【{{siteName}}】延長確認のお知らせ({{number}})",
    vars: [
      "accountCompany",
      "userName",
      "number",
      "contractNo",
      "items",
      "previousEndDate",
      "endDate",
      "confirmedAt",
      "url",
    ],
  },
  "email-changed": {
    subject: "【{{siteName}}】メールアドレス変更完了のお知らせ",
    vars: ["accountCompany", "userName", "loginId", "newEmail", "changedAt"],
  },
  "staff-new-application": {
    subject: "【新規申込】{{number}} {{accountCompany}}",
    vars: ["number", "kind", "submittedAt", "accountCompany", "loginId", "userName", "details", "lines", "url"],
  },
  "staff-intake-failed": {
    subject: "【受付失敗】{{number}} {{accountCompany}}",
    vars: [
      "number",
      "kind",
      "submittedAt",
      "accountCompany",
      "loginId",
      "userName",
      "details",
      "lines",
      "attempts",
      "url",
    ],
  },
  "staff-login-reported": {
    subject: "【不正ログインの報告】{{accountCompany}} {{loginId}}",
    vars: ["accountCompany", "loginId", "userName", "email", "loginAt", "ip", "browser", "reportedAt", "url"],
  },
  "staff-otp": {
    subject: "【{{siteName}}】管理画面ワンタイムパスワード通知",
    vars: ["staffName", "code", "expiresAt"],
  },
} as const satisfies Record<string, { subject: string; vars: readonly string[] }>;

export type MailTemplateName = keyof typeof mailTemplates;
export type MailVars<N extends MailTemplateName> = Record<(typeof mailTemplates)[N]["vars"][number], string>;
