/**
 * Errors the services throw. Each has a stable code for programs and a Japanese message for the
 * customer; routers turn them into tRPC errors (server/trpc/init.ts).
 */
export type DomainErrorCode =
  | "INVALID_CREDENTIALS"
  | "VALIDATION"
  | "LOGIN_ID_TAKEN"
  | "DUPLICATE_EMAIL"
  | "WEAK_PASSWORD"
  | "NOT_FOUND"
  | "TOO_MANY_REQUESTS"
  | "PASSWORD_CHANGE_REQUIRED"
  | "OTP_INVALID"
  | "OTP_CHALLENGE_ENDED"
  | "OTP_RESEND_TOO_SOON"
  | "TOKEN_INVALID"
  | "LIMIT_REACHED";

export class DomainError extends Error {
  constructor(
    public readonly code: DomainErrorCode,
    message: string,
    /** Messages per form field, shown next to it. */
    public readonly fieldErrors: Record<string, string[]> = {},
  ) {
    super(message);
    this.name = "DomainError";
  }
}

export const INVALID_CREDENTIALS_MESSAGE =
  "ログインID、メールアドレスまたはパスワードが正しくありません。続けて失敗した場合は、しばらく時間をおいてから再度お試しください。";

export class InvalidCredentials extends DomainError {
  constructor() {
    super("INVALID_CREDENTIALS", INVALID_CREDENTIALS_MESSAGE);
  }
}
