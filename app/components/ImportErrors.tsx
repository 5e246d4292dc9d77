/** The per-row report of a CSV import's 確認 or 取込 (会員データ移行, 商品管理): line, column, reason. */
export function ImportErrors({ errors }: { errors: { line: number; column: string | null; message: string }[] }) {
  return (
    <section aria-labelledby="errors-heading" className="panel">
      <h2 id="errors-heading">エラー</h2>
      <p role="alert">
        {errors.length}
        件のエラーがあります。ファイルを修正して、もう一度確認してください。何も取り込んでいません。
      </p>
      <div className="table-scroll">
        <table className="table">
          <caption>エラー一覧</caption>
          <thead>
            <tr>
              <th scope="col">行</th>
              <th scope="col">列</th>
              <th scope="col">内容</th>
            </tr>
          </thead>
          <tbody>
            {errors.map((e) => (
              <tr key={`${e.line}-${e.column}-${e.message}`}>
                <td>{e.line || "-"}</td>
                <td>{e.column ?? "-"}</td>
                <td>{e.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
