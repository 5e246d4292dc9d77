import { z } from "zod";

/**
 * The safety net under the routers' own messages: every zod issue a schema did not word itself gets a
 * Japanese message here, so no "Invalid input: expected number, received NaN" can reach a screen. The
 * messages name no field (the form shows them beside the field they belong to) and no type names.
 * Form fields should still carry their own message naming the field (see ../routers/form-values.ts).
 */
export function japaneseMessage(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case "invalid_type":
      return issue.input === undefined || issue.input === null
        ? "入力してください。"
        : "入力の形式が正しくありません。";
    case "too_small": {
      const min = Number(issue.minimum);
      if (issue.origin === "string") return min <= 1 ? "入力してください。" : `${min}文字以上で入力してください。`;
      if (issue.origin === "array" || issue.origin === "set") return `${min}件以上指定してください。`;
      if (issue.origin === "number" || issue.origin === "int" || issue.origin === "bigint") {
        return issue.inclusive ? `${min}以上の数値を入力してください。` : `${min}より大きい数値を入力してください。`;
      }
      return "値が小さすぎます。";
    }
    case "too_big": {
      const max = Number(issue.maximum);
      if (issue.origin === "string") return `${max}文字以内で入力してください。`;
      if (issue.origin === "array" || issue.origin === "set") return `${max}件以内で指定してください。`;
      if (issue.origin === "number" || issue.origin === "int" || issue.origin === "bigint") {
        return issue.inclusive ? `${max}以下の数値を入力してください。` : `${max}未満の数値を入力してください。`;
      }
      return "値が大きすぎます。";
    }
    case "invalid_format":
      return issue.format === "email" ? "メールアドレスの形式が正しくありません。" : "入力の形式が正しくありません。";
    case "not_multiple_of":
      return `${issue.divisor}の倍数で入力してください。`;
    case "invalid_value":
      return "選択肢の中から選んでください。";
    case "unrecognized_keys":
      return "不要な項目が含まれています。";
    default:
      return "入力内容が正しくありません。";
  }
}

/**
 * Installs the map for the whole process (zod's configuration is global). Called once by
 * server/trpc/init.ts, which every router imports; the Remix build needs nothing of it, since the
 * routers run in the server process and the forms only read the resulting messages.
 */
export function installJapaneseErrors(): void {
  z.config({ customError: japaneseMessage });
}
