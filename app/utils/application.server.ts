import { type ActionFunctionArgs, type AppLoadContext, json, type LoaderFunctionArgs } from "@remix-run/node";
import { DELIVERY_FIELDS, type DeliveryValues, readDelivery } from "~/components/DeliveryFields";
import { type MoneySummary, unitPriceLabel } from "../../server/services/ordering/pricing";
import { requireCustomer } from "./auth.server";
import { redirectWithFlash } from "./flash.server";
import { formErrorsFrom, text } from "./forms.server";

export type Kind = "quote" | "order";

export interface ApplicationValues {
  lines: { productId: string; quantity: string }[];
  startDate: string;
  periodUnit: "day" | "month";
  period: string;
  templateId: string;
  delivery: DeliveryValues;
  notes: string;
  poNumber: string;
  formKey: string;
}

export async function applicationLoader({ context, request }: LoaderFunctionArgs, kind: Kind) {
  await requireCustomer(context, request);
  const [lines, { templates }, form, quote, source] = await Promise.all([
    context.caller.applications.draft({ kind }),
    context.caller.templates.list(),
    context.caller.applications.newForm(),
    // この見積で注文する: the quote the order form was filled from starts its period and delivery.
    kind === "order" ? context.caller.applications.draftQuote() : null,
    // この内容で再注文: so does the order or quote it was filled from.
    kind === "order" ? context.caller.applications.draftSource() : null,
  ]);
  return { kind, lines, templates, formKey: form.key, today: form.today, quote, source };
}

function readValues(form: FormData): ApplicationValues {
  const lines: ApplicationValues["lines"] = [];
  for (const [key, value] of form.entries()) {
    if (key.startsWith("qty.") && typeof value === "string") lines.push({ productId: key.slice(4), quantity: value });
  }
  return {
    lines,
    startDate: text(form, "startDate"),
    periodUnit: text(form, "periodUnit") === "month" ? "month" : "day",
    period: text(form, "period"),
    templateId: text(form, "templateId"),
    delivery: readDelivery(form),
    notes: text(form, "notes"),
    poNumber: text(form, "poNumber"),
    formKey: text(form, "formKey"),
  };
}

/** What the user typed, as typed: the router reads the numbers and dates (with Japanese messages). */
function toInput(kind: Kind, v: ApplicationValues) {
  return {
    kind,
    lines: v.lines,
    startDate: v.startDate,
    periodUnit: v.periodUnit,
    period: v.period,
    delivery: v.delivery,
    notes: v.notes,
    poNumber: v.poNumber,
    idempotencyKey: v.formKey,
  };
}

type Step =
  | { step: "form"; values: ApplicationValues; formError?: string; fieldErrors: Record<string, string[]> }
  | {
      step: "confirm";
      values: ApplicationValues;
      lines: {
        productId: string;
        quantity: number;
        modelNo: string;
        name: string;
        unitPrice: string;
        amount: number | null;
      }[];
      money: MoneySummary;
      formError?: undefined;
      fieldErrors: Record<string, string[]>;
    };

function failed(values: ApplicationValues, error: unknown) {
  const { status, errors } = formErrorsFrom(error);
  const step: Step = { step: "form", values, formError: errors.formError, fieldErrors: errors.fieldErrors };
  return json(step, { status });
}

/** 確認画面へ → 申し込む, 届先情報へ反映 without JavaScript, and removing a line. */
export async function applicationAction({ context, request }: ActionFunctionArgs, kind: Kind) {
  const form = await request.formData();
  const intent = text(form, "intent");
  const values = readValues(form);
  const formStep = (extra: Partial<Extract<Step, { step: "form" }>> = {}) =>
    json<Step>({ step: "form", values, fieldErrors: {}, ...extra });

  if (intent === "apply-template") {
    if (!values.templateId)
      return formStep({ fieldErrors: { templateId: ["お届け先テンプレートを選んでください。"] } });
    try {
      const t = await context.caller.templates.get({ id: values.templateId });
      values.delivery = Object.fromEntries(DELIVERY_FIELDS.map((f) => [f.name, t[f.name]])) as DeliveryValues;
      return formStep();
    } catch (error) {
      return failed(values, error);
    }
  }
  if (intent.startsWith("remove:")) {
    const productId = intent.slice("remove:".length);
    await context.caller.applications.removeFromDraft({ kind, productId });
    values.lines = values.lines.filter((l) => l.productId !== productId);
    return formStep();
  }
  if (intent === "back") return formStep();
  if (intent === "confirm") {
    try {
      const checked = await context.caller.applications.check(toInput(kind, values));
      values.delivery = checked.delivery;
      // The confirmation shows (and sends on) what will be stored: "2026/4/1" is 2026-04-01, "３" is 3.
      values.startDate = checked.startDate;
      values.period = String(checked.period);
      return json<Step>({
        step: "confirm",
        values,
        lines: checked.lines.map((l) => ({
          productId: l.productId,
          quantity: l.quantity,
          modelNo: l.modelNo,
          name: l.name,
          unitPrice: unitPriceLabel(l.price),
          amount: l.amount,
        })),
        money: checked.money,
        fieldErrors: {},
      });
    } catch (error) {
      return failed(values, error);
    }
  }
  try {
    const { number } = await context.caller.applications.submit(toInput(kind, values));
    return redirectToApplication(number, context);
  } catch (error) {
    return failed(values, error);
  }
}

/** After 申し込む (見積依頼, 注文 or 解約): the application's page, saying it was sent (受付完了 comes with intake). */
export function redirectToApplication(number: string, context: AppLoadContext) {
  return redirectWithFlash(`/account/history/${number}`, `お申し込みを送信しました。申込番号: ${number}`, context);
}
