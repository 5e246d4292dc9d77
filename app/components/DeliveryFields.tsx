import { Field } from "./Field";

export const DELIVERY_FIELDS = [
  { name: "company", label: "会社名", autoComplete: "organization", required: true },
  { name: "department", label: "部署名", autoComplete: "off", required: false },
  { name: "person", label: "担当者名", autoComplete: "name", required: true },
  { name: "postalCode", label: "郵便番号", autoComplete: "postal-code", required: true },
  { name: "address", label: "住所", autoComplete: "address-line1", required: true },
  { name: "building", label: "建物名", autoComplete: "address-line2", required: false },
  { name: "phone", label: "電話番号", autoComplete: "tel", required: true },
] as const;

/** テンプレート名 and the delivery fields' labels by name, for the template forms' error summary. */
export const TEMPLATE_LABELS: Record<string, string> = {
  name: "テンプレート名",
  ...Object.fromEntries(DELIVERY_FIELDS.map((f) => [f.name, f.label])),
};

export type DeliveryName = (typeof DELIVERY_FIELDS)[number]["name"];
export type DeliveryValues = Record<DeliveryName, string>;

export function readDelivery(form: FormData): DeliveryValues {
  const out = {} as DeliveryValues;
  for (const f of DELIVERY_FIELDS) {
    const v = form.get(f.name);
    out[f.name] = typeof v === "string" ? v : "";
  }
  return out;
}

/** 会社名 … 電話番号, labelled as on the customer's screens. */
export function DeliveryFields({
  values,
  errors,
}: {
  values?: Partial<DeliveryValues>;
  errors?: Record<string, string[]>;
}) {
  return (
    <>
      {DELIVERY_FIELDS.map((f) => (
        <Field
          key={`${f.name}:${values?.[f.name] ?? ""}`}
          label={f.label}
          name={f.name}
          autoComplete={f.autoComplete}
          required={f.required}
          optional={!f.required}
          type={f.name === "phone" ? "tel" : "text"}
          defaultValue={values?.[f.name] ?? ""}
          errors={errors?.[f.name]}
        />
      ))}
    </>
  );
}
