import { Form } from "@remix-run/react";
import { Fragment, type ReactNode, useEffect } from "react";
import { useFocusOnMount } from "~/utils/focus";
import type { MoneySummary as Money } from "../../server/services/ordering/pricing";
import { LinesTable } from "./LinesTable";
import { MoneySummary } from "./Money";
import { SubmitButton } from "./SubmitButton";

export interface SummaryRow {
  term: string;
  detail: ReactNode;
  /** Keeps the line breaks of free text (備考). */
  pre?: boolean;
}

/**
 * The confirmation step of 見積依頼, 注文 and 解約: what will be filed, then 修正する (back to the form,
 * everything kept) or 申し込む. What was typed travels in hidden fields, so it works without JavaScript;
 * the action tells the two buttons apart by `intent` ("back" / "submit").
 */
export function ConfirmStep({
  title,
  lead,
  lines,
  quantityLabel,
  summary,
  hidden,
  money,
}: {
  /** The form's title: the heading is "<title>(確認)". */
  title: string;
  lead: ReactNode;
  lines: React.ComponentProps<typeof LinesTable>["lines"];
  quantityLabel?: string;
  summary: SummaryRow[];
  /** Every field of the form, as [name, value]. */
  hidden: [name: string, value: string][];
  /** 小計, 消費税, 合計 of a quote request or order. */
  money?: Money;
}) {
  const heading = useFocusOnMount<HTMLHeadingElement>();
  useStepTitle(`${title}(確認)`);
  return (
    <section className="card wide">
      <h1 ref={heading} tabIndex={-1}>
        {title}(確認)
      </h1>
      <p>{lead}</p>
      <LinesTable lines={lines} quantityLabel={quantityLabel} />
      {money ? <MoneySummary money={money} /> : null}
      <dl className="summary">
        {summary.map((row) => (
          <Fragment key={row.term}>
            <dt>{row.term}</dt>
            <dd className={row.pre ? "pre" : undefined}>{row.detail}</dd>
          </Fragment>
        ))}
      </dl>
      <Form method="post">
        {hidden.map(([name, value]) => (
          <input key={name} type="hidden" name={name} value={value} />
        ))}
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

/**
 * The step's own <title> ("注文(確認) | <SITE_NAME>") while it is shown. A step is an action's answer, which
 * Remix's meta does not see, so the title is set here (with JavaScript; without, the form's title stays).
 */
function useStepTitle(step: string) {
  useEffect(() => {
    const before = document.title;
    const [, site] = before.split(" | ");
    document.title = site ? `${step} | ${site}` : step;
    return () => {
      document.title = before;
    };
  }, [step]);
}
