/** One record of a CSV file and the line it starts on (1-based, the header is line 1). */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/** A file that is not CSV at all (an unclosed quote); `line` is where the broken record starts. */
export class CsvSyntaxError extends Error {
  constructor(
    public readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = "CsvSyntaxError";
  }
}

/**
 * Reads CSV as spreadsheets write it (RFC 4180): comma-separated, records ended by CRLF, LF or CR,
 * fields optionally in double quotes (which may hold commas, line breaks and `""` for a quote), a
 * UTF-8 BOM ignored. Blank lines are skipped. Fields are returned as written, untrimmed.
 */
export function parseCsv(text: string): CsvRecord[] {
  const input = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = "";
  let quoted = false; // the current record had a quoted field, so it is not a blank line
  let line = 1;
  let start = 1;
  let i = 0;
  const endField = () => {
    fields.push(field);
    field = "";
  };
  const endRecord = () => {
    endField();
    if (quoted || fields.length > 1 || fields[0] !== "") records.push({ line: start, fields });
    fields = [];
    quoted = false;
  };
  while (i < input.length) {
    const c = input[i];
    if (c === '"' && field === "") {
      // A quoted field runs to the next quote that is not doubled.
      let end = i + 1;
      for (;;) {
        end = input.indexOf('"', end);
        if (end === -1) throw new CsvSyntaxError(start, `${start}行目: 引用符（"）が閉じられていません。`);
        if (input[end + 1] !== '"') break;
        end += 2;
      }
      const body = input.slice(i + 1, end);
      field = body.replaceAll('""', '"');
      quoted = true;
      line += body.match(/\r\n|\r|\n/g)?.length ?? 0;
      i = end + 1;
      const next = input[i];
      if (next !== undefined && next !== "," && next !== "\r" && next !== "\n") {
        throw new CsvSyntaxError(line, `${line}行目: 引用符（"）で囲んだ値の後に文字があります。`);
      }
    } else if (c === ",") {
      endField();
      i++;
    } else if (c === "\r" || c === "\n") {
      endRecord();
      i += c === "\r" && input[i + 1] === "\n" ? 2 : 1;
      start = ++line;
    } else {
      field += c;
      i++;
    }
  }
  if (field !== "" || fields.length || quoted) endRecord();
  return records;
}

/**
 * A CSV file's bytes as text: UTF-8 (with or without a BOM) when they are valid UTF-8, else Shift_JIS,
 * which is what Excel in Japan saves by default.
 */
export function decodeCsv(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return new TextDecoder("shift_jis").decode(bytes);
  }
}

/** What a spreadsheet would run as a formula when a cell starts with it. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One cell as this app writes CSV: always quoted (commas, quotes and line breaks survive), and a value
 * a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return) gets a
 * leading `'` (CSV injection). Written for the downloads' hundreds of thousands of cells: the pattern is made
 * once (a regular expression literal is a new object at every call) and a cell without a quote is not rewritten.
 */
export function csvCell(value: string | number | null): string {
  const s = value === null ? "" : String(value);
  const safe = FORMULA_START.test(s) ? `'${s}` : s;
  return `"${safe.includes('"') ? safe.replaceAll('"', '""') : safe}"`;
}

/** One record: its cells joined by commas, ended by CRLF. */
export function csvRecord(values: readonly (string | number | null)[]): string {
  return `${values.map(csvCell).join(",")}\r\n`;
}

/** What a CSV file this app writes starts with: a BOM, so that Excel reads it as UTF-8. */
export const CSV_BOM = "\uFEFF";
