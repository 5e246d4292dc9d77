import { Field, type FieldProps } from "./Field";

type Props = Omit<FieldProps, "name" | "id" | "errors" | "label"> & {
  label: "数量" | "解約数量";
  /** The line (a product of a draft, a line of a rental): the field is `qty.<lineId>`. */
  lineId: string;
  modelNo: string;
  /** The form's messages by field: this line's are under `qty.<lineId>` (server/routers/form-values.ts). */
  fieldErrors: Record<string, string[] | undefined>;
};

/** The quantity of one line in a table of lines (注文 / 見積依頼, 解約), named by its model number. */
export function LineQuantityField({ label, lineId, modelNo, fieldErrors, ...input }: Props) {
  const name = `qty.${lineId}`;
  return (
    <Field
      label={label}
      name={name}
      type="number"
      inputMode="numeric"
      errors={fieldErrors[name]}
      aria-label={`${modelNo} の${label}`}
      {...input}
    />
  );
}
