/** Back-office words the pages show (browser-safe: staff.server.ts is not in the client bundle). */
export const ROLE_LABELS = { admin: "管理者", operator: "オペレーター" } as const;

export const ADMIN_ONLY_PAGE = "この画面は管理者のみ利用できます。";
