import { type ActionFunctionArgs, json, type LoaderFunctionArgs, type MetaFunction, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { ErrorList, Field, FormAlert } from "~/components/Field";
import { LinesTable } from "~/components/LinesTable";
import { SubmitButton } from "~/components/SubmitButton";
import { requireCustomer } from "~/utils/auth.server";
import { formErrorsFrom, text } from "~/utils/forms.server";

export const meta: MetaFunction = () => [{ title: "解約 | WEB会員専用ご注文サイト" }];

export async function loader({ context, request, params }: LoaderFunctionArgs) {
  await requireCustomer(context, request);
  try {
    const [rental, form] = await Promise.all([
      context.caller.rentals.get({ id: params.id ?? "" }),
      context.caller.applications.newForm(),
    ]);
    return { rental, formKey: form.key, today: form.today };
  } catch {
    throw new Response("Not Found", { status: 404 });
  }
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

export async function action({ context, request, params }: ActionFunctionArgs) {
  const form = await request.formData();
  const values = readValues(form);
  const input = {
    rentalId: params.id ?? "",
    mode: values.mode,
    quantities: values.quantities,
    returnDate: values.returnDate,
    notes: values.notes,
    idempotencyKey: values.formKey,
  };
  const intent = text(form, "intent");
  try {
    if (intent === "back") return json({ step: "form" as const, values, fieldErrors: {} as Record<string, string[]> });
    if (intent === "confirm") {
      const lines = await context.caller.rentals.checkCancellation(input);
      return json({ step: "confirm" as const, values, lines, fieldErrors: {} as Record<string, string[]> });
    }
    const { number } = await context.caller.rentals.requestCancellation(input);
    throw redirect(`/account/history/${number}?submitted=1`);
  } catch (error) {
    if (error instanceof Response) throw error;
    const { status, errors } = formErrorsFrom(error);
    return json(
      { step: "form" as const, values, formError: errors.formError, fieldErrors: errors.fieldErrors },
      { status },
    );
  }
}

export default function CancelPage() {
  const { rental, formKey, today } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const values = result?.values;
  const errors = result?.fieldErrors ?? {};

  if (result?.step === "confirm") {
    const v = result.values;
    return (
      <section className="card wide">
        <h1>解約(確認)</h1>
        <p>契約番号 {rental.contractNo} の次の商品を解約します。よろしければ「申し込む」を押してください。</p>
        <LinesTable
          quantityLabel="解約数量"
          lines={result.lines.map((l) => ({
            key: l.id,
            modelNo: l.modelNo,
            name: l.productName,
            quantity: l.quantity,
          }))}
        />
        <dl className="summary">
          <dt>返却希望日</dt>
          <dd>{v.returnDate}</dd>
          <dt>備考</dt>
          <dd className="pre">{v.notes || "—"}</dd>
        </dl>
        <Form method="post">
          <input type="hidden" name="formKey" value={v.formKey} />
          <input type="hidden" name="mode" value={v.mode} />
          {Object.entries(v.quantities).map(([id, q]) => (
            <input key={id} type="hidden" name={`qty.${id}`} value={q} />
          ))}
          <input type="hidden" name="returnDate" value={v.returnDate} />
          <input type="hidden" name="notes" value={v.notes} />
          <div className="actions">
            <button type="submit" name="intent" value="back" className="secondary">
              修正する
            </button>{" "}
            <SubmitButton name="intent" value="submit">
              申し込む
            </SubmitButton>
          </div>
        </Form>
      </section>
    );
  }

  const mode = values?.mode ?? "all";
  return (
    <section className="card wide">
      <h1>解約</h1>
      <p>
        契約番号 {rental.contractNo}(注文 {rental.orderNumber})
      </p>
      <FormAlert message={result && "formError" in result ? (result.formError as string | undefined) : undefined} />
      <Form method="post" noValidate>
        <input type="hidden" name="formKey" value={values?.formKey ?? formKey} />
        <fieldset className="field">
          <legend>解約する商品</legend>
          <label className="inline">
            <input type="radio" name="mode" value="all" defaultChecked={mode === "all"} /> 全ての商品を解約
          </label>
          <label className="inline">
            <input type="radio" name="mode" value="partial" defaultChecked={mode === "partial"} /> 一部の商品を解約
          </label>
        </fieldset>
        <ErrorList errors={errors.lines} />
        <table className="table">
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
                <td>{l.modelNo}</td>
                <td>{l.productName}</td>
                <td className="num">{l.cancellable}</td>
                <td>
                  <Field
                    label="解約数量"
                    name={`qty.${l.id}`}
                    id={`qty-${l.id}`}
                    type="number"
                    inputMode="numeric"
                    min={0}
                    max={l.cancellable}
                    disabled={l.cancellable === 0}
                    defaultValue={values?.quantities[l.id] ?? "0"}
                    errors={errors[`qty.${l.id}`]}
                    aria-label={`${l.modelNo} の解約数量`}
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
          <label htmlFor="notes">備考</label>
          <textarea id="notes" name="notes" rows={3} defaultValue={values?.notes ?? ""} />
          <ErrorList errors={errors.notes} />
        </div>
        <div className="actions">
          <SubmitButton name="intent" value="confirm">
            確認画面へ
          </SubmitButton>{" "}
          <Link to="/rentals">キャンセル</Link>
        </div>
      </Form>
    </section>
  );
}
