import { type ActionFunctionArgs, json, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { ConfirmStep } from "~/components/ConfirmStep";
import { ErrorList, Field, FormAlert, fieldId, Need, Select } from "~/components/Field";
import { LinesTable } from "~/components/LinesTable";
import { SubmitButton } from "~/components/SubmitButton";
import { redirectToApplication } from "~/utils/application.server";
import { requireCustomer } from "~/utils/auth.server";
import { displayDate } from "~/utils/dates";
import { attempt, text } from "~/utils/forms.server";
import { title } from "~/utils/meta";
import { orNotFound } from "~/utils/not-found.server";

export const meta = title("延長");

export async function loader({ context, request, params }: LoaderFunctionArgs) {
  await requireCustomer(context, request);
  const [extension, form] = await Promise.all([
    orNotFound(context.caller.rentals.extension({ id: params.id ?? "" })),
    context.caller.applications.newForm(),
  ]);
  return { ...extension, formKey: form.key, today: form.today };
}

interface Values {
  endDate: string;
  addPeriod: string;
  addUnit: "day" | "month";
  notes: string;
  formKey: string;
}

function readValues(form: FormData): Values {
  return {
    endDate: text(form, "endDate"),
    addPeriod: text(form, "addPeriod"),
    addUnit: text(form, "addUnit") === "month" ? "month" : "day",
    notes: text(form, "notes"),
    formKey: text(form, "formKey"),
  };
}

/** 延長後の返却予定日 → 確認画面へ → (修正する) → 申し込む (SPEC §3). */
export async function action({ context, request, params }: ActionFunctionArgs) {
  const form = await request.formData();
  const values = readValues(form);
  const input = {
    rentalId: params.id ?? "",
    endDate: values.endDate,
    addPeriod: values.addPeriod,
    addUnit: values.addUnit,
    notes: values.notes,
    idempotencyKey: values.formKey,
  };
  const noErrors: Record<string, string[]> = {};
  const failure = { values, extra: { step: "form" as const } };
  switch (text(form, "intent")) {
    case "back":
      return json({ step: "form" as const, values, fieldErrors: noErrors });
    case "confirm":
      return attempt(context.caller.rentals.checkExtension(input), failure, (checked) =>
        json({ step: "confirm" as const, values, checked, fieldErrors: noErrors }),
      );
    default:
      return attempt(context.caller.rentals.requestExtension(input), failure, ({ number }) =>
        redirectToApplication(number, context),
      );
  }
}

export default function ExtendPage() {
  const { rental, latestEndDate, formKey, today } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const values = result?.values;
  const errors = result?.fieldErrors ?? {};
  const lines = rental.lines
    .filter((l) => l.cancellable > 0)
    .map((l) => ({ key: l.id, modelNo: l.modelNo, name: l.productName, quantity: l.cancellable }));

  if (result?.step === "confirm") {
    const { checked, values: v } = result;
    return (
      <ConfirmStep
        title="延長"
        lead={`契約番号 ${rental.contractNo} の返却予定日を延長します。よろしければ「申し込む」を押してください。延長は当社の確認後に確定します。`}
        quantityLabel="レンタル中の数量"
        lines={lines}
        summary={[
          { term: "現在の返却予定日", detail: checked.currentEndDateLabel },
          { term: "延長後の返却予定日", detail: `${checked.endDateLabel}(${checked.addedDays}日間の延長)` },
          { term: "備考", detail: v.notes || "—", pre: true },
        ]}
        hidden={[
          ["formKey", v.formKey],
          ["endDate", v.endDate],
          ["addPeriod", v.addPeriod],
          ["addUnit", v.addUnit],
          ["notes", v.notes],
        ]}
      />
    );
  }

  const formError = result && "formError" in result ? (result.formError as string | undefined) : undefined;
  const blocked = rental.openExtension
    ? `この注文には確認待ちの延長申込(${rental.openExtension})があります。確認が済んでから、あらためてお申し込みください。`
    : !rental.plannedEndDate
      ? "返却予定日のないレンタルは延長できません。コンタクトセンタへお問い合わせください。"
      : !lines.length
        ? "すべての商品の解約を申し込み済みのため、延長できません。"
        : null;
  return (
    <section className="card wide">
      <h1>延長</h1>
      <p>
        契約番号 {rental.contractNo}(注文 {rental.orderNumber})
      </p>
      <dl className="summary">
        <dt>レンタル開始日</dt>
        <dd>{displayDate(rental.startDate)}</dd>
        <dt>現在の返却予定日</dt>
        <dd>{displayDate(rental.plannedEndDate)}</dd>
      </dl>
      {blocked ? (
        <div className="alert" role="alert">
          <p>{blocked}</p>
        </div>
      ) : (
        <>
          <p className="hint">
            レンタル中のすべての商品の返却予定日を延長します。一部の商品だけを先に返却する場合は、あわせて「解約」からお申し込みください。
          </p>
          <LinesTable lines={lines} quantityLabel="レンタル中の数量" />
          <FormAlert
            message={formError}
            fieldErrors={errors}
            labels={{ endDate: "延長後の返却予定日", addPeriod: "延長期間", notes: "備考" }}
          />
          <Form method="post" noValidate>
            <input type="hidden" name="formKey" value={values?.formKey ?? formKey} />
            <Field
              label="延長後の返却予定日"
              name="endDate"
              type="date"
              min={rental.plannedEndDate && rental.plannedEndDate >= today ? rental.plannedEndDate : today}
              max={latestEndDate}
              required
              hint={`現在の返却予定日より後、${displayDate(latestEndDate)}までの日付を指定してください。`}
              defaultValue={values?.endDate ?? ""}
              errors={errors.endDate}
            />
            <fieldset className="field">
              <legend>または延長期間で指定(日付を入力しない場合)</legend>
              <div className="inline-fields">
                <Field
                  label="延長期間"
                  name="addPeriod"
                  inputMode="numeric"
                  optional
                  defaultValue={values?.addPeriod ?? ""}
                  errors={errors.addPeriod}
                />
                <Select
                  id="addUnit"
                  label="単位"
                  options={[
                    ["day", "日"],
                    ["month", "か月"],
                  ]}
                  value={values?.addUnit ?? "day"}
                  errors={errors.addUnit}
                />
              </div>
            </fieldset>
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
              <Link to="/rentals">戻る</Link>
            </div>
          </Form>
        </>
      )}
    </section>
  );
}
