import { yenOrDash } from "~/utils/format";

/**
 * The products of an application or cancellation: 型番, 商品名 and a quantity column; with prices (quote
 * requests and orders), 単価 and 金額 as well.
 */
export function LinesTable({
  lines,
  quantityLabel = "数量",
  numbered = false,
}: {
  lines: {
    key: string;
    modelNo: string;
    name: string;
    quantity: number | string;
    /** "3,000円/日" — present on priced lines. */
    unitPrice?: string;
    /** 金額 in yen; null when it is not known. */
    amount?: number | null;
  }[];
  quantityLabel?: string;
  numbered?: boolean;
}) {
  const priced = lines.some((l) => l.amount !== undefined);
  return (
    <table className="table stack">
      <thead>
        <tr>
          {numbered ? <th scope="col">No.</th> : null}
          <th scope="col">型番</th>
          <th scope="col">商品名</th>
          {priced ? (
            <th scope="col" className="num">
              単価
            </th>
          ) : null}
          <th scope="col" className="num">
            {quantityLabel}
          </th>
          {priced ? (
            <th scope="col" className="num">
              金額
            </th>
          ) : null}
        </tr>
      </thead>
      <tbody>
        {lines.map((l, i) => (
          <tr key={l.key}>
            {numbered ? <td data-label="No.">{i + 1}</td> : null}
            <td data-label="型番">{l.modelNo}</td>
            <td data-label="商品名">{l.name}</td>
            {priced ? (
              <td data-label="単価" className="num">
                {l.unitPrice ?? "—"}
              </td>
            ) : null}
            <td data-label={quantityLabel} className="num">
              {l.quantity}
            </td>
            {priced ? (
              <td data-label="金額" className="num">
                {yenOrDash(l.amount)}
              </td>
            ) : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
