import type { Selectable } from "kysely";
import { type DB, isUniqueViolation } from "../../../db";
import type { ProductTable } from "../../../db/schema";
import { CsvSyntaxError, decodeCsv, parseCsv } from "../../lib/csv";
import { recordAudit } from "../audit";
import type { ServiceDeps } from "../deps";
import {
  insertProducts,
  PRODUCT_FIELDS,
  type ProductFields,
  productColumns,
  validateProduct,
  writeSearchGrams,
} from "./catalog";

/**
 * 商品管理's CSV import (SPEC §6), the one path for the back office, the admin CLI and the demo seed
 * (db/seed/products.csv): 確認 = previewProductImport, 取込 = importProducts.
 *
 * A 型番 already in the catalog is updated, not skipped: staff keep their price list in a spreadsheet and
 * re-import it to change prices. The product keeps its id (so drafts, applications and rentals still point
 * at it), its created_at and its sale status (販売終了 stays ended; resuming sale is 商品管理's own action).
 * A row equal to the stored product writes nothing, so importing the same file twice adds and changes nothing.
 */

/** One problem in the file. `column` is the CSV column (型番 …) or null for the whole line / file. */
export interface ProductImportError {
  line: number;
  column: string | null;
  /** A Japanese sentence naming the line, e.g. "3行目: 日額は0以上…の整数（円）で入力してください。" */
  message: string;
}

export type ProductImportResult =
  | { ok: true; inserted: number; updated: number; unchanged: number }
  | { ok: false; errors: ProductImportError[] };

export interface ProductCsvRow {
  line: number;
  product: ProductFields;
}

/** More rows than this belong in several files (one transaction holds them all). */
export const MAX_IMPORT_ROWS = 10_000;

const FIELDS = Object.keys(PRODUCT_FIELDS) as (keyof ProductFields)[];

/** The rows of a product CSV as products, or every problem in it with its line and column. Pure. */
export function readProductCsv(file: string | Uint8Array): { rows: ProductCsvRow[]; errors: ProductImportError[] } {
  const errors: ProductImportError[] = [];
  const fail = (line: number, column: string | null, reason: string) =>
    errors.push({ line, column, message: `${line}行目: ${reason}` });
  let records: ReturnType<typeof parseCsv>;
  try {
    records = parseCsv(typeof file === "string" ? file : decodeCsv(file));
  } catch (error) {
    if (!(error instanceof CsvSyntaxError)) throw error;
    return { rows: [], errors: [{ line: error.line, column: null, message: error.message }] };
  }
  const [header, ...body] = records;
  if (!header) return { rows: [], errors: [{ line: 1, column: null, message: "CSVファイルが空です。" }] };

  // Columns are found by name, so their order is free and extra columns (備考 …) are ignored.
  const names = header.fields.map((name) => name.trim());
  const index = {} as Record<keyof ProductFields, number>;
  for (const key of FIELDS) {
    const { label } = PRODUCT_FIELDS[key];
    const at = names.indexOf(label);
    if (at === -1) fail(header.line, label, `列「${label}」がありません。`);
    else if (names.indexOf(label, at + 1) !== -1) fail(header.line, label, `列「${label}」が2つあります。`);
    index[key] = at;
  }
  if (errors.length) return { rows: [], errors };
  if (!body.length) fail(header.line, null, "取り込む商品の行がありません。");
  if (body.length > MAX_IMPORT_ROWS) {
    fail(header.line, null, `一度に取り込める商品は${MAX_IMPORT_ROWS.toLocaleString("en-US")}件までです。`);
  }
  if (errors.length) return { rows: [], errors };

  const rows: ProductCsvRow[] = [];
  const firstLineOf = new Map<string, number>();
  for (const { line, fields } of body) {
    if (fields.length !== names.length) {
      fail(
        line,
        null,
        `列の数（${fields.length}）が見出し行（${names.length}）と合いません。値に「,」を含むときは「"」で囲んでください。`,
      );
      continue;
    }
    const result = validateProduct(
      Object.fromEntries(FIELDS.map((key) => [key, fields[index[key]] ?? ""])) as Record<keyof ProductFields, string>,
    );
    if (result.errors) {
      for (const key of FIELDS) {
        const reason = result.errors[key];
        if (reason) fail(line, PRODUCT_FIELDS[key].label, reason);
      }
      continue;
    }
    const first = firstLineOf.get(result.product.modelNo);
    if (first !== undefined) {
      fail(line, PRODUCT_FIELDS.modelNo.label, `型番「${result.product.modelNo}」は${first}行目と重複しています。`);
      continue;
    }
    firstLineOf.set(result.product.modelNo, line);
    rows.push({ line, product: result.product });
  }
  return { rows, errors };
}

interface Plan {
  inserts: ProductFields[];
  updates: { id: string; product: ProductFields }[];
  unchanged: number;
}

/** Sorts the rows into new products, changed ones and ones already stored as they are. */
async function plan(db: DB, rows: ProductCsvRow[]): Promise<Plan> {
  const stored = new Map<string, Selectable<ProductTable>>();
  for (let i = 0; i < rows.length; i += 500) {
    const modelNos = rows.slice(i, i + 500).map((r) => r.product.modelNo);
    for (const row of await db.selectFrom("products").selectAll().where("model_no", "in", modelNos).execute()) {
      stored.set(row.model_no, row);
    }
  }
  const result: Plan = { inserts: [], updates: [], unchanged: 0 };
  for (const { product } of rows) {
    const old = stored.get(product.modelNo);
    if (!old) result.inserts.push(product);
    else if (sameAsStored(old, product)) result.unchanged++;
    else result.updates.push({ id: old.id, product });
  }
  return result;
}

function sameAsStored(row: Selectable<ProductTable>, product: ProductFields): boolean {
  const columns = productColumns(product);
  return (Object.keys(columns) as (keyof typeof columns)[]).every((key) =>
    typeof columns[key] === "number" ? Number(row[key]) === columns[key] : row[key] === columns[key],
  );
}

function counts(p: Plan): ProductImportResult {
  return { ok: true, inserted: p.inserts.length, updated: p.updates.length, unchanged: p.unchanged };
}

/** 確認: every error in the file, or how many products 取込 would add, change and leave as they are. Writes nothing. */
export async function previewProductImport(
  deps: Pick<ServiceDeps, "db">,
  file: string | Uint8Array,
): Promise<ProductImportResult> {
  const { rows, errors } = readProductCsv(file);
  if (errors.length) return { ok: false, errors };
  return counts(await plan(deps.db, rows));
}

/**
 * 取込: all rows in one transaction, or nothing when any row has an error (the errors are returned, as by
 * the preview). The stored catalog is read again inside the transaction, so a preview that has gone stale
 * changes nothing but the counts.
 */
export async function importProducts(
  deps: Pick<ServiceDeps, "db" | "clock">,
  file: string | Uint8Array,
  by: { type: "staff" | "system"; id?: string },
): Promise<ProductImportResult> {
  const { rows, errors } = readProductCsv(file);
  if (errors.length) return { ok: false, errors };
  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.db.transaction().execute(async (trx) => {
        const p = await plan(trx, rows);
        const now = deps.clock.now();
        await insertProducts(trx, now, p.inserts);
        for (const { id, product } of p.updates) {
          await trx.updateTable("products").set(productColumns(product)).where("id", "=", id).execute();
          await writeSearchGrams(trx, id);
        }
        const result = counts(p);
        await recordAudit(trx, deps.clock, { type: by.type, id: by.id }, null, "product.import", {
          details: { inserted: p.inserts.length, updated: p.updates.length, unchanged: p.unchanged },
        });
        return result;
      });
    } catch (error) {
      // Another import added one of these 型番 after we looked (PostgreSQL; SQLite has one writer):
      // look again, and it is an update.
      if (!isUniqueViolation(error) || attempt === 3) throw error;
    }
  }
}
