import { describe, expect, it } from "vitest";
import { csvCell, csvRecord } from "../../server/lib/csv";

/** The cells of the CSV downloads (申込履歴, 操作ログ): quoted, quotes doubled, formulas made text. */
describe("csvCell", () => {
  it("quotes every cell and doubles the quotes inside", () => {
    expect(csvCell("オシロスコープ")).toBe('"オシロスコープ"');
    expect(csvCell('型番 "MW-17", 2台')).toBe('"型番 ""MW-17"", 2台"');
    expect(csvCell('"')).toBe('""""');
    expect(csvCell("1行目\r\n2行目")).toBe('"1行目\r\n2行目"');
    expect(csvCell(12)).toBe('"12"');
    expect(csvCell(null)).toBe('""');
    expect(csvCell("")).toBe('""');
  });

  it("puts a ' before what a spreadsheet would run as a formula, call after call", () => {
    // The pattern is made once for every call: a flag that kept state between calls would miss every other one.
    for (let round = 0; round < 3; round++) {
      for (const start of ["=", "+", "-", "@", "\t", "\r"]) expect(csvCell(`${start}1+1`)).toBe(`"'${start}1+1"`);
      expect(csvCell('=HYPERLINK("http://evil.example")')).toBe(`"'=HYPERLINK(""http://evil.example"")"`);
      expect(csvCell("a=1")).toBe('"a=1"');
      expect(csvCell(-3)).toBe(`"'-3"`);
    }
  });

  it("a record is its cells joined by commas, ended by CRLF", () => {
    expect(csvRecord(["申込番号", 'a"b', null])).toBe('"申込番号","a""b",""\r\n');
  });
});
