import { type ActionFunctionArgs, json, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { AppLink } from "~/components/AppLink";
import { ConfirmStep } from "~/components/ConfirmStep";
import { ErrorList, Field, FormAlert, fieldId, Need } from "~/components/Field";
import { LineQuantityField } from "~/components/LineQuantityField";
import { ScopeChoice, useScope } from "~/components/ScopeChoice";
import { SubmitButton } from "~/components/SubmitButton";
import { redirectToApplication } from "~/utils/application.server";
import { requireCustomer } from "~/utils/auth.server";
import { displayDate } from "~/utils/dates";
import { attempt, text } from "~/utils/forms.server";
import { title } from "~/utils/meta";
import { orNotFound } from "~/utils/not-found.server";

export const meta = title("解約");

export async function loader({ context, request, params }: LoaderFunctionArgs) {
  await requireCustomer(context, request);
  const [rental, form] = await Promise.all([
    orNotFound(context.caller.rentals.get({ id: params.id ?? "" })),
    context.caller.applications.newForm(),
  ]);
  return { rental, formKey: form.key, today: form.today };
}

interface Values {
  mode: "all" | "partial";
  quantities: Record<string, string>;
  returnDate: string;
  notes: string;
  formKey: string;
}

function readValues(form: FormData): Values {
  const quantities: Record<string, string> = {};
  for (const [key, value] of form.entries()) {
    if (key.startsWith("qty.") && typeof value === "string") quantities[key.slice(4)] = value;
  }
  return {
    mode: text(form, "mode") === "partial" ? "partial" : "all",
    quantities,
    returnDate: text(form, "returnDate"),
    notes: text(form, "notes"),
    formKey: text(form, "formKey"),
  };
}

function toInput(rentalId: string, values: Values) {
  return {
    rentalId,
    mode: values.mode,
    quantities: values.quantities,
    returnDate: values.returnDate,
    notes: values.notes,
    idempotencyKey: values.formKey,
  };
}

/** 確認画面へ → (修正する) → 申し込む. */
export async function action({ context, request, params }: ActionFunctionArgs) {
  const form = await request.formData();
  const values = readValues(form);
  const input = toInput(params.id ?? "", values);
  const noErrors: Record<string, string[]> = {};
  const failure = { values, extra: { step: "form" as const } };
  switch (text(form, "intent")) {
    case "back":
      return json({ step: "form" as const, values, fieldErrors: noErrors });
    case "confirm":
      return attempt(context.caller.rentals.checkCancellation(input), failure, (lines) =>
        json({ step: "confirm" as const, values, lines, fieldErrors: noErrors }),
      );
    default:
      return attempt(context.caller.rentals.requestCancellation(input), failure, ({ number }) =>
        redirectToApplication(number, context),
      );
  }
}

export default function CancelPage() {
  const { rental, formKey, today } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const values = result?.values;
  const errors = result?.fieldErrors ?? {};
  const { linesOff, choose } = useScope(values?.mode);

  if (result?.step === "confirm") {
    const v = result.values;
    return (
      <ConfirmStep
        title="解約"
        lead={`契約番号 ${rental.contractNo} の次の商品を解約します。よろしければ「申し込む」を押してください。`}
        quantityLabel="解約数量"
        lines={result.lines.map((l) => ({ key: l.id, modelNo: l.modelNo, name: l.productName, quantity: l.quantity }))}
        summary={[
          { term: "返却希望日", detail: displayDate(v.returnDate) },
          { term: "備考", detail: v.notes || "—", pre: true },
        ]}
        hidden={[
          ["formKey", v.formKey],
          ["mode", v.mode],
          ...Object.entries(v.quantities).map(([id, q]): [string, string] => [`qty.${id}`, q]),
          ["returnDate", v.returnDate],
          ["notes", v.notes],
        ]}
      />
    );
  }

  return (
    <section className="card wide">
      <h1>解約</h1>
      <p>
        契約番号 {rental.contractNo}(注文 {rental.orderNumber})
      </p>
      <FormAlert
        message={result && "formError" in result ? (result.formError as string | undefined) : undefined}
        fieldErrors={errors}
        labels={{
          ...Object.fromEntries(rental.lines.map((l) => [`qty.${l.id}`, `${l.modelNo} の解約数量`])),
          returnDate: "返却希望日",
          notes: "備考",
        }}
      />
      <Form method="post" noValidate>
        <input type="hidden" name="formKey" value={values?.formKey ?? formKey} />
        <ScopeChoice legend="解約する商品" verb="解約" initial={values?.mode} choose={choose} />
        <ErrorList errors={errors.lines} />
        <table className="table stack">
          <thead>
            <tr>
              <th scope="col">型番</th>
              <th scope="col">商品名</th>
              <th scope="col">レンタル中</th>
              <th scope="col">解約数量(一部の商品を解約する場合)</th>
            </tr>
          </thead>
          <tbody>
            {rental.lines.map((l) => (
              <tr key={l.id}>
                <td data-label="型番">{l.modelNo}</td>
                <td data-label="商品名">{l.productName}</td>
                <td data-label="レンタル中" className="num">
                  {l.cancellable}
                </td>
                <td data-label="解約数量">
                  <LineQuantityField
                    label="解約数量"
                    lineId={l.id}
                    modelNo={l.modelNo}
                    min={0}
                    max={l.cancellable}
                    disabled={l.cancellable === 0 || linesOff}
                    defaultValue={values?.quantities[l.id] ?? "0"}
                    fieldErrors={errors}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <Field
          label="返却希望日"
          name="returnDate"
          type="date"
          min={today}
          required
          defaultValue={values?.returnDate ?? ""}
          errors={errors.returnDate}
        />
        <div className="field">
          <div className="field-label">
            <label htmlFor={fieldId("notes")}>備考</label>
            <Need optional />
          </div>
          <textarea id={fieldId("notes")} name="notes" rows={3} defaultValue={values?.notes ?? ""} />
          <ErrorList errors={errors.notes} />
        </div>
        <div className="actions">
          <SubmitButton name="intent" value="confirm">
            確認画面へ
          </SubmitButton>{" "}
          <AppLink to="/rentals">戻る</AppLink>
        </div>
      </Form>
    </section>
  );
}
