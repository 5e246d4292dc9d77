/**
 * The catalogue of mails: each has `NAME.mjml` (HTML) and `NAME.txt` (plain text) beside this file,
 * a subject, and the variables it needs. Every mail also gets the site variables (siteName,
 * companyName, contactPhone, contactHours) for its footer.
 */
export const mailTemplates = {
  "login-notice": {
    subject: "【{{siteName}}】ログイン通知",
    vars: ["accountCompany", "userName", "loginAt", "loginId", "ip", "browser"],
  },
} as const satisfies Record<string, { subject: string; vars: readonly string[] }>;

export type MailTemplateName = keyof typeof mailTemplates;
export type MailVars<N extends MailTemplateName> = Record<(typeof mailTemplates)[N]["vars"][number], string>;
