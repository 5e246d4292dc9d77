import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { CsvSyntaxError, decodeCsv, parseCsv } from "../../server/lib/csv";
import { validateProduct } from "../../server/services/ordering/catalog";
import { readProductCsv } from "../../server/services/ordering/product-import";

describe("parseCsv", () => {
  it("reads quoted fields with commas, doubled quotes and line breaks", () => {
    expect(parseCsv('a,"b,c","say ""hi""","two\nlines",\n')).toEqual([
      { line: 1, fields: ["a", "b,c", 'say "hi"', "two\nlines", ""] },
    ]);
  });

  it("ends records at CRLF, LF or CR and counts lines across quoted line breaks", () => {
    expect(parseCsv('h1,h2\r\n"x\r\ny",1\r\nz,2\rw,3')).toEqual([
      { line: 1, fields: ["h1", "h2"] },
      { line: 2, fields: ["x\r\ny", "1"] },
      { line: 4, fields: ["z", "2"] },
      { line: 5, fields: ["w", "3"] },
    ]);
  });

  it("ignores a UTF-8 BOM and blank lines, keeps a line of one empty quoted field", () => {
    expect(parseCsv('\uFEFF型番,日額\n\nA1,100\r\n""\n\n')).toEqual([
      { line: 1, fields: ["型番", "日額"] },
      { line: 3, fields: ["A1", "100"] },
      { line: 4, fields: [""] },
    ]);
  });

  it("keeps spaces and a quote inside an unquoted field as written", () => {
    expect(parseCsv(' a , 5" LCD ')).toEqual([{ line: 1, fields: [" a ", ' 5" LCD '] }]);
  });

  it.each([
    ['a,b\nc,"open\n', 2, '2行目: 引用符（"）が閉じられていません。'],
    ['a,b\n"x"y,1\n', 2, '2行目: 引用符（"）で囲んだ値の後に文字があります。'],
  ])("refuses broken quoting: %j", (text, line, message) => {
    const error = (() => {
      try {
        parseCsv(text);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(CsvSyntaxError);
    expect(error).toMatchObject({ line, message });
  });
});

describe("decodeCsv", () => {
  it("reads UTF-8 with a BOM, and Shift_JIS as Excel saves it", () => {
    expect(decodeCsv(new TextEncoder().encode("\uFEFF型番"))).toBe("\uFEFF型番");
    // 「型番,日額」 in Shift_JIS.
    expect(decodeCsv(Uint8Array.from([0x8c, 0x5e, 0x94, 0xd4, 0x2c, 0x93, 0xfa, 0x8a, 0x7a]))).toBe("型番,日額");
  });
});

const FIELDS = {
  modelNo: "DSOX1204G",
  maker: "キーサイト・テクノロジー",
  name: "デジタル・オシロスコープ",
  category: "オシロスコープ",
  specSummary: "帯域70MHz / 4ch",
  dailyPrice: "2500",
  monthlyPrice: "30000",
};

describe("validateProduct", () => {
  it("trims text and reads prices, also with thousands separators and full-width digits", () => {
    expect(validateProduct({ ...FIELDS, name: "  名前 ", dailyPrice: "2,500", monthlyPrice: "３００００" })).toEqual({
      product: { ...FIELDS, name: "名前", dailyPrice: 2500, monthlyPrice: 30000 },
    });
    expect(validateProduct({ ...FIELDS, specSummary: "", dailyPrice: "0" }).product).toMatchObject({
      specSummary: "",
      dailyPrice: 0,
    });
  });

  it("reports every bad field in Japanese", () => {
    expect(
      validateProduct({
        modelNo: " ",
        maker: "あ".repeat(51),
        name: "二行\nの名前",
        category: "カテゴリ",
        specSummary: "",
        dailyPrice: "-100",
        monthlyPrice: "",
      }).errors,
    ).toEqual({
      modelNo: "型番を入力してください。",
      maker: "メーカーは50文字以内で入力してください。",
      name: "商品名に改行や制御文字は使えません。",
      dailyPrice: "日額は0以上99,999,999以下の整数（円）で入力してください。",
      monthlyPrice: "月額を入力してください。",
    });
  });

  it.each(["1.5", "1e3", "12,00", "100000000", "¥100", "百"])("refuses the price %j", (price) => {
    expect(validateProduct({ ...FIELDS, dailyPrice: price }).errors).toHaveProperty("dailyPrice");
  });

  it("counts characters, not UTF-16 units", () => {
    expect(validateProduct({ ...FIELDS, modelNo: "𠀋".repeat(40) }).errors).toBeUndefined();
  });
});

const HEADER = "型番,メーカー,商品名,カテゴリ,仕様,日額,月額";

describe("readProductCsv", () => {
  it("reads the SPEC §6 columns in any order and ignores extra ones", () => {
    const csv = `備考,月額,日額,仕様,カテゴリ,商品名,メーカー,型番\r\nメモ,30000,2500,"DC,1Hz",電源,安定化電源,菊水,PWR401L\r\n`;
    expect(readProductCsv(csv)).toEqual({
      rows: [
        {
          line: 2,
          product: {
            modelNo: "PWR401L",
            maker: "菊水",
            name: "安定化電源",
            category: "電源",
            specSummary: "DC,1Hz",
            dailyPrice: 2500,
            monthlyPrice: 30000,
          },
        },
      ],
      errors: [],
    });
  });

  it("names the line, the column and the reason of every error", () => {
    const csv = [
      HEADER,
      "A1,メーカー,商品,電源,,100,1000",
      ",メーカー,商品,電源,,100,abc",
      "A2,メーカー,商品,電源,DC,1Hz,100,1000",
      "A1,メーカー,別の商品,電源,,100,1000",
    ].join("\n");
    const { errors } = readProductCsv(csv);
    expect(errors).toEqual([
      { line: 3, column: "型番", message: "3行目: 型番を入力してください。" },
      { line: 3, column: "月額", message: "3行目: 月額は0以上99,999,999以下の整数（円）で入力してください。" },
      {
        line: 4,
        column: null,
        message: '4行目: 列の数（8）が見出し行（7）と合いません。値に「,」を含むときは「"」で囲んでください。',
      },
      { line: 5, column: "型番", message: "5行目: 型番「A1」は2行目と重複しています。" },
    ]);
  });

  it("reports missing and doubled columns on the header line", () => {
    expect(readProductCsv("型番,メーカー,商品名,カテゴリ,日額,月額,日額\nA1,m,n,c,1,2,3\n").errors).toEqual([
      { line: 1, column: "仕様", message: "1行目: 列「仕様」がありません。" },
      { line: 1, column: "日額", message: "1行目: 列「日額」が2つあります。" },
    ]);
  });

  it.each([
    ["", "CSVファイルが空です。"],
    [`${HEADER}\r\n`, "1行目: 取り込む商品の行がありません。"],
    [`${HEADER}\n"A1,m\n`, '2行目: 引用符（"）が閉じられていません。'],
  ])("refuses a file without products: %j", (csv, message) => {
    expect(readProductCsv(csv)).toEqual({ rows: [], errors: [expect.objectContaining({ message })] });
  });

  it("reads the demo catalog: 400 products in 17 categories", () => {
    const { rows, errors } = readProductCsv(fs.readFileSync(new URL("../../db/seed/products.csv", import.meta.url)));
    expect(errors).toEqual([]);
    expect(rows).toHaveLength(400);
    expect(new Set(rows.map((r) => r.product.category)).size).toBe(17);
  });
});
