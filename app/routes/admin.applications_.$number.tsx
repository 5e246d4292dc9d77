import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { AppLink } from "~/components/AppLink";
import { ErrorList, Field, FormAlert, fieldId, Need } from "~/components/Field";
import { MoneySummary } from "~/components/Money";
import { SubmitButton } from "~/components/SubmitButton";
import { TableScroll } from "~/components/TableScroll";
import { displayDate } from "~/utils/dates";
import { redirectWithFlash } from "~/utils/flash.server";
import { yen, yenOrDash } from "~/utils/format";
import { attempt, text } from "~/utils/forms.server";
import { title } from "~/utils/meta";
import { orNotFound } from "~/utils/not-found.server";
import { requireStaff } from "~/utils/staff.server";

export const meta = title<typeof loader>(({ data }) => (data ? `申込 ${data.number}` : "申込詳細"));

export async function loader({ context, params, request }: LoaderFunctionArgs) {
  await requireStaff(context, request);
  return orNotFound(context.caller.backofficeApplications.get({ number: params.number ?? "" }));
}

/** The staff's actions on one application (SPEC §6), by the button's intent; a flash after each. */
export async function action({ context, params, request }: ActionFunctionArgs) {
  await requireStaff(context, request);
  const number = params.number ?? "";
  const form = await request.formData();
  const intent = text(form, "intent");
  const here = `/admin/applications/${number}`;
  const calls = context.caller.backofficeApplications;
  const noValues = { values: {} as Record<string, string>, extra: { intent } };
  switch (intent) {
    case "arrange":
      return attempt(calls.arrange({ number }), noValues, (r) =>
        redirectWithFlash(
          here,
          r.arranged ? `手配済にしました。契約番号: ${r.contractNo}` : `すでに手配済です。契約番号: ${r.contractNo}`,
          context,
        ),
      );
    case "return":
      return attempt(calls.confirmReturn({ number }), noValues, (r) =>
        redirectWithFlash(
          here,
          r.returned
            ? r.rentalEnded
              ? "返却を確認しました。レンタルは終了しました。"
              : "返却を確認しました。"
            : "すでに返却確認済みです。",
          context,
        ),
      );
    case "extend":
      return attempt(calls.confirmExtension({ number }), noValues, (r) =>
        redirectWithFlash(
          here,
          r.confirmed
            ? `延長を確認しました。返却予定日を${displayDate(r.endDate)}に変更しました。`
            : "すでに延長確認済みです。",
          context,
        ),
      );
    case "retry":
      return attempt(calls.retryIntake({ number }), noValues, (r) =>
        redirectWithFlash(
          here,
          r.retried ? "受付を再送しました。" : "すでに再送済みです。受付処理をお待ちください。",
          context,
        ),
      );
    case "answer": {
      const unitPrices: Record<string, string> = {};
      const values: Record<string, string> = { validUntil: text(form, "validUntil"), comment: text(form, "comment") };
      for (const [key, value] of form.entries()) {
        if (key.startsWith("price.") && typeof value === "string") {
          unitPrices[key.slice("price.".length)] = value;
          values[key] = value;
        }
      }
      return attempt(
        calls.answerQuote({ number, unitPrices, validUntil: values.validUntil ?? "", comment: values.comment ?? "" }),
        { values, extra: { intent } },
        (r) => redirectWithFlash(here, `見積を回答しました。合計 ${yen(r.total)}`, context),
      );
    }
    default:
      throw new Response("Bad Request", { status: 400 });
  }
}

export default function StaffApplicationPage() {
  const a = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const answering = result?.intent === "answer" ? result : undefined;
  const accepted = a.intakeStatus === "accepted";
  return (
    <section className="card">
      <p>
        <AppLink to="/admin/applications">← 申込一覧</AppLink>
      </p>
      <h1>申込 {a.number}</h1>
      {result && result.intent !== "answer" ? <FormAlert message={result.formError} /> : null}
      <dl className="details">
        <dt>申込日時</dt>
        <dd>{a.createdAtLabel}</dd>
        <dt>種別</dt>
        <dd>{a.kindLabel}</dd>
        <dt>申込結果</dt>
        <dd className={a.intakeStatus === "failed" ? "status-failed" : undefined}>{a.resultLabel}</dd>
        {a.intakeError ? (
          <>
            <dt>受付エラー</dt>
            <dd>
              {a.intakeError}(試行 {a.intakeAttempts} 回)
            </dd>
          </>
        ) : null}
        <dt>確認状況</dt>
        <dd>{a.confirmationLabel}</dd>
        <dt>ログインID</dt>
        <dd>{a.account.loginId}</dd>
        <dt>会社名</dt>
        <dd>{a.account.companyName}</dd>
        <dt>申込者</dt>
        <dd>{a.user ? `${a.user.name || "(氏名未設定)"} <${a.user.email}>` : "(削除されたユーザ)"}</dd>
        {a.startDate ? (
          <>
            <dt>レンタル開始日</dt>
            <dd>{displayDate(a.startDate)}</dd>
            <dt>レンタル期間</dt>
            <dd>
              {a.period}
              {a.periodUnit === "day" ? "日" : "か月"}
            </dd>
          </>
        ) : null}
        {a.returnDate ? (
          <>
            <dt>返却希望日</dt>
            <dd>{displayDate(a.returnDate)}</dd>
          </>
        ) : null}
        {a.rental ? (
          <>
            <dt>契約番号</dt>
            <dd>{a.rental.contractNo}</dd>
          </>
        ) : null}
        {a.kind === "extension" ? (
          <>
            <dt>延長前の返却予定日</dt>
            <dd>{displayDate(a.previousEndDate)}</dd>
            <dt>延長後の返却予定日</dt>
            <dd>{displayDate(a.requestedEndDate)}</dd>
            <dt>現在の返却予定日</dt>
            <dd>
              {a.rental?.status === "active" ? displayDate(a.rental.dueDate ?? null) : "レンタル終了"}
              {a.rental?.status === "active" ? "(最も早い日。延長する商品ごとの日付は下の表のとおり)" : ""}
            </dd>
          </>
        ) : null}
        {a.poNumber ? (
          <>
            <dt>注文番号(PO)</dt>
            <dd>{a.poNumber}</dd>
          </>
        ) : null}
        {a.quote ? (
          <>
            <dt>見積番号</dt>
            <dd>
              <AppLink to={`/admin/applications/${a.quote.number}`}>{a.quote.number}</AppLink>(有効期限{" "}
              {displayDate(a.quote.validUntil)}
              {a.quote.orderedAfterExpiry ? "、期限後の注文" : ""})
            </dd>
          </>
        ) : null}
        {a.validUntil ? (
          <>
            <dt>有効期限</dt>
            <dd>{displayDate(a.validUntil)}</dd>
          </>
        ) : null}
        {a.answerComment ? (
          <>
            <dt>コメント</dt>
            <dd className="pre">{a.answerComment}</dd>
          </>
        ) : null}
        {a.quoteTotal !== null ? (
          <>
            <dt>見積合計</dt>
            <dd>{yenOrDash(a.quoteTotal)}</dd>
          </>
        ) : null}
      </dl>

      {a.kind === "quote" && accepted && !a.answeredAt ? (
        <Form method="post" noValidate aria-labelledby="answer-heading">
          <h2 id="answer-heading">見積回答</h2>
          <FormAlert
            message={answering?.formError}
            fieldErrors={answering?.fieldErrors}
            labels={{
              ...Object.fromEntries(a.lines.map((l) => [`price.${l.id}`, `${l.modelNo} の単価`])),
              validUntil: "有効期限",
              comment: "コメント",
            }}
          />
          <TableScroll label="見積回答の明細">
            <table className="table">
              <caption>商品</caption>
              <thead>
                <tr>
                  <th scope="col">No.</th>
                  <th scope="col">型番</th>
                  <th scope="col">商品名</th>
                  <th scope="col">数量</th>
                  <th scope="col">単価(円)</th>
                </tr>
              </thead>
              <tbody>
                {a.lines.map((l) => {
                  const key = `price.${l.id}`;
                  const errors = answering?.fieldErrors[key];
                  return (
                    <tr key={l.id}>
                      <th scope="row">{l.lineNo}</th>
                      <td>{l.modelNo}</td>
                      <td>{l.productName}</td>
                      <td>{l.quantity}</td>
                      <td>
                        <input
                          id={fieldId(key)}
                          name={key}
                          inputMode="numeric"
                          required
                          aria-label="単価"
                          aria-invalid={errors?.length ? true : undefined}
                          aria-describedby={errors?.length ? `${fieldId(key)}-error` : undefined}
                          defaultValue={answering?.values[key] ?? ""}
                        />
                        <ErrorList id={`${fieldId(key)}-error`} errors={errors} />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </TableScroll>
          <Field
            label="有効期限"
            required
            name="validUntil"
            type="date"
            defaultValue={answering?.values.validUntil ?? ""}
            errors={answering?.fieldErrors.validUntil}
          />
          <div className="field">
            <div className="field-label">
              <label htmlFor={fieldId("comment")}>コメント</label>
              <Need optional />
            </div>
            <textarea
              id={fieldId("comment")}
              name="comment"
              rows={4}
              maxLength={1000}
              defaultValue={answering?.values.comment ?? ""}
              aria-invalid={answering?.fieldErrors.comment?.length ? true : undefined}
              aria-describedby={answering?.fieldErrors.comment?.length ? "answer-comment-error" : undefined}
            />
            <ErrorList id="answer-comment-error" errors={answering?.fieldErrors.comment} />
          </div>
          <div className="actions">
            <SubmitButton name="intent" value="answer">
              見積回答
            </SubmitButton>
          </div>
        </Form>
      ) : (
        <>
          <TableScroll label="申込の明細">
            <table className="table">
              <caption>商品</caption>
              <thead>
                <tr>
                  <th scope="col">No.</th>
                  <th scope="col">型番</th>
                  <th scope="col">商品名</th>
                  <th scope="col">
                    {a.kind === "cancellation" ? "解約数量" : a.kind === "extension" ? "レンタル中の数量" : "数量"}
                  </th>
                  {a.kind === "quote" ? <th scope="col">単価</th> : null}
                  {a.quote ? <th scope="col">見積単価</th> : null}
                  {a.kind === "cancellation" ? <th scope="col">返却済/解約依頼/契約数量</th> : null}
                  {a.kind === "extension" ? <th scope="col">現在の返却予定日</th> : null}
                  {a.money ? <th scope="col">金額</th> : null}
                </tr>
              </thead>
              <tbody>
                {a.lines.map((l) => (
                  <tr key={l.id}>
                    <th scope="row">{l.lineNo}</th>
                    <td>{l.modelNo}</td>
                    <td>{l.productName}</td>
                    <td>{l.quantity}</td>
                    {a.kind === "quote" ? <td>{yenOrDash(l.unitPrice)}</td> : null}
                    {a.quote ? <td>{yenOrDash(l.quotedUnitPrice)}</td> : null}
                    {a.kind === "cancellation" ? (
                      <td>
                        {l.rentalLine
                          ? `${l.rentalLine.returned} / ${l.rentalLine.cancelRequested} / ${l.rentalLine.quantity}`
                          : "—"}
                      </td>
                    ) : null}
                    {a.kind === "extension" ? (
                      <td>
                        {l.rentalLine && l.rentalLine.returned < l.rentalLine.quantity
                          ? displayDate(l.rentalLine.dueDate ?? a.rental?.dueDate ?? null)
                          : "返却済"}
                      </td>
                    ) : null}
                    {a.money ? <td className="num">{yenOrDash(l.amount)}</td> : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          {a.money ? <MoneySummary money={a.money} confirmedBy="手配時に確定します" /> : null}
        </>
      )}

      {a.delivery.company ? (
        <>
          <h2>お届け先</h2>
          <p>
            {a.delivery.company} {a.delivery.department} {a.delivery.person} 様<br />〒{a.delivery.postalCode}{" "}
            {a.delivery.address} {a.delivery.building}
            <br />
            電話 {a.delivery.phone}
          </p>
        </>
      ) : null}
      {a.notes ? (
        <>
          <h2>備考</h2>
          <p className="pre">{a.notes}</p>
        </>
      ) : null}

      {a.kind === "order" && accepted && !a.arrangedAt ? (
        <Form method="post">
          <SubmitButton name="intent" value="arrange">
            手配済にする
          </SubmitButton>
        </Form>
      ) : null}
      {a.kind === "cancellation" && accepted && !a.returnedAt ? (
        <Form method="post">
          <SubmitButton name="intent" value="return">
            返却確認
          </SubmitButton>
        </Form>
      ) : null}
      {a.kind === "extension" && accepted && !a.confirmedAt ? (
        <Form method="post">
          <p className="hint">
            延長確認で、レンタルの返却予定日を{displayDate(a.requestedEndDate)}
            に変更し、お客様に延長確認のお知らせを送ります。
          </p>
          <SubmitButton name="intent" value="extend">
            延長確認
          </SubmitButton>
        </Form>
      ) : null}
      {a.intakeStatus === "failed" ? (
        <Form method="post">
          <SubmitButton name="intent" value="retry">
            再送
          </SubmitButton>
        </Form>
      ) : null}
    </section>
  );
}
