import { type ActionFunctionArgs, json, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { AppLink } from "~/components/AppLink";
import { ConfirmStep } from "~/components/ConfirmStep";
import { ErrorList, Field, FormAlert, fieldId, Need, Select } from "~/components/Field";
import { ScopeChoice, useScope } from "~/components/ScopeChoice";
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
  mode: "all" | "partial";
  lineIds: string[];
  endDate: string;
  addPeriod: string;
  addUnit: "day" | "month";
  notes: string;
  formKey: string;
}

function readValues(form: FormData): Values {
  return {
    mode: text(form, "mode") === "partial" ? "partial" : "all",
    lineIds: form.getAll("lineIds").filter((v): v is string => typeof v === "string"),
    endDate: text(form, "endDate"),
    addPeriod: text(form, "addPeriod"),
    addUnit: text(form, "addUnit") === "month" ? "month" : "day",
    notes: text(form, "notes"),
    formKey: text(form, "formKey"),
  };
}

/** 延長する商品 (全て / 一部) + 延長後の返却予定日 → 確認画面へ → (修正する) → 申し込む (SPEC §3). */
export async function action({ context, request, params }: ActionFunctionArgs) {
  const form = await request.formData();
  const values = readValues(form);
  const input = {
    rentalId: params.id ?? "",
    mode: values.mode,
    lineIds: values.mode === "partial" ? values.lineIds : [],
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
  const running = rental.lines.filter((l) => l.cancellable > 0);
  const { linesOff, choose } = useScope(values?.mode);

  if (result?.step === "confirm") {
    const { checked, values: v } = result;
    return (
      <ConfirmStep
        title="延長"
        lead={`契約番号 ${rental.contractNo} の${checked.partial ? "次の商品" : "すべての商品"}の返却予定日を延長します。よろしければ「申し込む」を押してください。延長は当社の確認後に確定します。`}
        quantityLabel="レンタル中の数量"
        lines={checked.lines.map((l) => ({
          key: l.id,
          modelNo: l.modelNo,
          name: l.productName,
          quantity: l.cancellable,
        }))}
        summary={[
          { term: "延長する商品", detail: checked.partial ? "一部の商品" : "全ての商品" },
          { term: "現在の返却予定日", detail: checked.currentEndDateLabel },
          { term: "延長後の返却予定日", detail: `${checked.endDateLabel}(${checked.addedDays}日間の延長)` },
          { term: "備考", detail: v.notes || "—", pre: true },
        ]}
        hidden={[
          ["formKey", v.formKey],
          ["mode", v.mode],
          ...(v.mode === "partial" ? v.lineIds.map((id): [string, string] => ["lineIds", id]) : []),
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
      : !running.length
        ? "すべての商品の解約を申し込み済みのため、延長できません。"
        : null;
  const ticked = new Set(values?.lineIds ?? []);
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
        <dd>
          {displayDate(rental.plannedEndDate)}
          {rental.lineDates ? "(商品により異なります。下の表をご覧ください)" : ""}
        </dd>
      </dl>
      {blocked ? (
        <div className="alert" role="alert">
          <p>{blocked}</p>
        </div>
      ) : (
        <>
          <FormAlert
            message={formError}
            fieldErrors={errors}
            labels={{ lines: "延長する商品", endDate: "延長後の返却予定日", addPeriod: "延長期間", notes: "備考" }}
          />
          <Form method="post" noValidate>
            <input type="hidden" name="formKey" value={values?.formKey ?? formKey} />
            <ScopeChoice legend="延長する商品" verb="延長" initial={values?.mode} choose={choose} />
            <ErrorList id={`${fieldId("lines")}-errors`} errors={errors.lines} />
            <table className="table stack">
              <thead>
                <tr>
                  <th scope="col">型番</th>
                  <th scope="col">商品名</th>
                  <th scope="col" className="num">
                    レンタル中
                  </th>
                  <th scope="col">返却予定日</th>
                  <th scope="col">延長する(一部の商品を延長する場合)</th>
                </tr>
              </thead>
              <tbody>
                {running.map((l, i) => (
                  <tr key={l.id}>
                    <td data-label="型番">{l.modelNo}</td>
                    <td data-label="商品名">{l.productName}</td>
                    <td data-label="レンタル中" className="num">
                      {l.cancellable}
                    </td>
                    <td data-label="返却予定日">{displayDate(l.plannedEndDate)}</td>
                    <td data-label="延長する">
                      <label className="inline">
                        <input
                          type="checkbox"
                          name="lineIds"
                          value={l.id}
                          id={i === 0 ? fieldId("lines") : undefined}
                          defaultChecked={ticked.has(l.id)}
                          disabled={linesOff}
                          aria-invalid={errors.lines ? true : undefined}
                          aria-describedby={errors.lines ? `${fieldId("lines")}-errors` : undefined}
                        />{" "}
                        <span className="visually-hidden">{l.modelNo} を延長</span>
                      </label>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p className="hint">
              一部の商品だけを延長すると、その商品の返却予定日だけが変わります。先に返却する商品は「解約」からお申し込みください。
            </p>
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
              <AppLink to="/rentals">戻る</AppLink>
            </div>
          </Form>
        </>
      )}
    </section>
  );
}
