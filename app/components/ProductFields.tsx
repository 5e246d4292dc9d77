import { Field } from "./Field";

/** 商品管理's form fields, labelled as SPEC §6 and the product CSV name them. */
export const PRODUCT_FORM_FIELDS = [
  { name: "modelNo", label: "型番", required: true, hint: "メーカーの型番。カタログ内で重複できません。" },
  { name: "maker", label: "メーカー", required: true },
  { name: "name", label: "商品名", required: true },
  { name: "category", label: "カテゴリ", required: true },
  { name: "specSummary", label: "仕様", required: false, hint: "1行の概要(任意)。" },
  { name: "dailyPrice", label: "日額", required: true, numeric: true, hint: "円・税抜。例: 3000" },
  { name: "monthlyPrice", label: "月額", required: true, numeric: true, hint: "円・税抜。例: 36000" },
] as const;

/** Each product field's label by name, for the product forms' error summary. */
export const PRODUCT_LABELS: Record<string, string> = Object.fromEntries(
  PRODUCT_FORM_FIELDS.map((f) => [f.name, f.label]),
);

export type ProductFormName = (typeof PRODUCT_FORM_FIELDS)[number]["name"];
export type ProductFormValues = Record<ProductFormName, string>;

/** What was typed, as text (the server reads the prices: full-width digits and 12,000 included). */
export function readProductForm(form: FormData): ProductFormValues {
  const out = {} as ProductFormValues;
  for (const f of PRODUCT_FORM_FIELDS) {
    const v = form.get(f.name);
    out[f.name] = typeof v === "string" ? v : "";
  }
  return out;
}

/**
 * 型番 … 月額 with each field's message below it. After a refused submission the form's error summary
 * (FormAlert) takes the focus and links to each field with an error.
 */
export function ProductFields({
  values,
  errors,
}: {
  values?: Partial<ProductFormValues>;
  errors?: Record<string, string[]>;
}) {
  // After a refusal the form's error summary (FormAlert) takes the focus and links to each field.
  return (
    <div>
      {PRODUCT_FORM_FIELDS.map((f) => (
        <Field
          key={`${f.name}:${values?.[f.name] ?? ""}`}
          label={f.label}
          name={f.name}
          required={f.required}
          optional={!f.required}
          autoComplete="off"
          inputMode={"numeric" in f ? "numeric" : undefined}
          hint={"hint" in f ? f.hint : undefined}
          defaultValue={values?.[f.name]}
          errors={errors?.[f.name]}
        />
      ))}
    </div>
  );
}
