import { yen } from "~/utils/format";
import type { MoneySummary as Money } from "../../server/services/ordering/pricing";

/**
 * 小計, 消費税 (per rate) and 合計 under a list of lines (SPEC §3). Totals with a catalog-priced line are an
 * estimate: marked 概算, with who confirms the final price. `pending` names what is still missing when a
 * line has no 金額 yet (the form before a valid 数量 or レンタル期間 is typed).
 */
export function MoneySummary({
  money,
  confirmedBy = "手配時に当社が確定し、ご連絡します",
  pending = "一部の商品の金額が記録されていないため、合計は表示できません。",
}: {
  money: Money;
  /** Who fixes the final price of an estimate: staff at arrangement, or the quote answer. */
  confirmedBy?: string;
  pending?: string;
}) {
  if (!money.complete) return <p className="hint money-pending">{pending}</p>;
  return (
    <div className="money">
      <table className="money-totals">
        <caption className="visually-hidden">金額の合計</caption>
        <tbody>
          <tr>
            <th scope="row">小計</th>
            <td className="num">{yen(money.subtotal)}</td>
          </tr>
          {money.taxes.map((t) => (
            <tr key={t.ratePercent}>
              <th scope="row">消費税({t.ratePercent}%)</th>
              <td className="num">{yen(t.tax)}</td>
            </tr>
          ))}
          <tr className="money-total">
            <th scope="row">合計</th>
            <td className="num">
              {money.estimate ? <span className="tag">概算</span> : null}
              {yen(money.total)}
            </td>
          </tr>
        </tbody>
      </table>
      {money.estimate ? (
        <p className="hint">
          <span className="tag">概算</span>
          カタログ価格(税抜)による概算です。最終的な金額は{confirmedBy}
          。消費税は税率ごとの合計から計算し、1円未満を切り捨てています。
        </p>
      ) : (
        <p className="hint">消費税は税率ごとの合計から計算し、1円未満を切り捨てています。</p>
      )}
    </div>
  );
}
