import { TRPCError } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { formErrorsFrom } from "../../app/utils/forms.server";
import { DomainError } from "../../server/services/errors";

const refused = (fieldErrors: Record<string, string[]>, message = "入力内容をご確認ください。") =>
  new TRPCError({ code: "BAD_REQUEST", message, cause: new DomainError("VALIDATION", message, fieldErrors) });

describe("formErrorsFrom", () => {
  it("puts field messages beside their fields and no message above a form that has them", () => {
    const { status, errors } = formErrorsFrom(refused({ quantity: ["数量を入力してください。"] }));
    expect(status).toBe(400);
    expect(errors).toEqual({ formError: undefined, fieldErrors: { quantity: ["数量を入力してください。"] } });
  });

  it("shows a message about the whole form (_form) above it, even beside field messages", () => {
    const { errors } = formErrorsFrom(
      refused({ _form: ["画面を開き直してからお申し込みください。"], period: ["レンタル期間を入力してください。"] }),
    );
    expect(errors.formError).toBe("画面を開き直してからお申し込みください。");
    expect(errors.fieldErrors).toEqual({ period: ["レンタル期間を入力してください。"] });
  });

  it("shows the error's own message when no field is named, and rethrows what is not the user's", () => {
    const conflict = new TRPCError({ code: "CONFLICT", message: "登録できるのは5件までです。" });
    expect(formErrorsFrom(conflict)).toEqual({
      status: 409,
      errors: { formError: "登録できるのは5件までです。", fieldErrors: {} },
    });
    expect(() => formErrorsFrom(new TRPCError({ code: "INTERNAL_SERVER_ERROR" }))).toThrow();
    expect(() => formErrorsFrom(new Error("db down"))).toThrow("db down");
  });
});
