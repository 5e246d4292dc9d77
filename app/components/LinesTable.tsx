/** The products of an application or cancellation: 型番, 商品名 and a quantity column. */
export function LinesTable({
  lines,
  quantityLabel = "数量",
  numbered = false,
}: {
  lines: { key: string; modelNo: string; name: string; quantity: number | string }[];
  quantityLabel?: string;
  numbered?: boolean;
}) {
  return (
    <table className="table">
      <thead>
        <tr>
          {numbered ? <th scope="col">No.</th> : null}
          <th scope="col">型番</th>
          <th scope="col">商品名</th>
          <th scope="col">{quantityLabel}</th>
        </tr>
      </thead>
      <tbody>
        {lines.map((l, i) => (
          <tr key={l.key}>
            {numbered ? <td>{i + 1}</td> : null}
            <td>{l.modelNo}</td>
            <td>{l.name}</td>
            <td className="num">{l.quantity}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
