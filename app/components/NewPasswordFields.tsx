import { Field } from "./Field";

/** The labels of the new-password fields, for a form's error summary. */
export const NEW_PASSWORD_LABELS = { newPassword: "新パスワード", confirmPassword: "新パスワード(確認用)" };

/** 新パスワード and 新パスワード(確認用), as on every form that sets a password. */
export function NewPasswordFields({ errors }: { errors?: Record<string, string[]> }) {
  return (
    <>
      <Field
        label="新パスワード"
        name="newPassword"
        type="password"
        autoComplete="new-password"
        required
        errors={errors?.newPassword}
      />
      <Field
        label="新パスワード(確認用)"
        name="confirmPassword"
        type="password"
        autoComplete="new-password"
        required
        errors={errors?.confirmPassword}
      />
    </>
  );
}
