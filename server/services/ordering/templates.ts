import { lockAccount } from "../../../db";
import type { DeliveryTemplateTable } from "../../../db/schema";
import { iso } from "../../lib/clock";
import { newId } from "../../lib/crypto";
import { recordAudit } from "../audit";
import type { RequestMeta, ServiceDeps } from "../deps";
import { DomainError } from "../errors";

/** SPEC §4: at most 5 delivery templates per account, shared by its users. */
export const MAX_TEMPLATES_PER_ACCOUNT = 5;

export interface DeliveryFields {
  company: string;
  department: string;
  person: string;
  postalCode: string;
  address: string;
  building: string;
  phone: string;
}

export interface DeliveryTemplate extends DeliveryFields {
  id: string;
  name: string;
}

/** The fields' labels and lengths in characters (the router's caps say the same limits). */
export const LIMITS: Record<keyof DeliveryFields | "name", { label: string; max: number; required: boolean }> = {
  name: { label: "テンプレート名", max: 40, required: true },
  company: { label: "会社名", max: 100, required: true },
  department: { label: "部署名", max: 100, required: false },
  person: { label: "担当者名", max: 50, required: true },
  postalCode: { label: "郵便番号", max: 8, required: true },
  address: { label: "住所", max: 200, required: true },
  building: { label: "建物名", max: 100, required: false },
  phone: { label: "電話番号", max: 20, required: true },
};

/** "1234567", "123-4567" or full-width digits → "123-4567"; anything else → null. */
export function normalizePostalCode(value: string): string | null {
  const digits = value.normalize("NFKC").replace(/[\s-ー－]/g, "");
  return /^\d{7}$/.test(digits) ? `${digits.slice(0, 3)}-${digits.slice(3)}` : null;
}

/** Japanese phone numbers: 10 or 11 digits, hyphens allowed, starting with 0. */
export function normalizePhone(value: string): string | null {
  const v = value
    .normalize("NFKC")
    .replace(/[\sー－]/g, "-")
    .trim();
  if (!/^0[\d-]+$/.test(v)) return null;
  const digits = v.replace(/-/g, "");
  return digits.length === 10 || digits.length === 11 ? v : null;
}

/** Checks and normalises delivery fields (shared by templates and applications); errors go into `errors`. */
export function validateDelivery(input: DeliveryFields, errors: Record<string, string[]>): DeliveryFields {
  const out = {} as DeliveryFields;
  const keys: (keyof DeliveryFields)[] = [
    "company",
    "department",
    "person",
    "postalCode",
    "address",
    "building",
    "phone",
  ];
  for (const key of keys) {
    const rule = LIMITS[key];
    const value = (input[key] ?? "").trim();
    if (rule.required && !value) errors[key] = [`${rule.label}を入力してください。`];
    else if ([...value].length > rule.max) errors[key] = [`${rule.label}は${rule.max}文字以内で入力してください。`];
    out[key] = value;
  }
  if (out.postalCode && !errors.postalCode) {
    const postal = normalizePostalCode(out.postalCode);
    if (postal) out.postalCode = postal;
    else errors.postalCode = ["郵便番号は7桁の数字で入力してください(例: 123-4567)。"];
  }
  if (out.phone && !errors.phone) {
    const phone = normalizePhone(out.phone);
    if (phone) out.phone = phone;
    else errors.phone = ["電話番号は0から始まる10桁または11桁の数字で入力してください(例: 03-1234-5678)。"];
  }
  return out;
}

function validateTemplate(input: DeliveryFields & { name: string }) {
  const errors: Record<string, string[]> = {};
  const delivery = validateDelivery(input, errors);
  const name = input.name.trim();
  if (!name) errors.name = ["テンプレート名を入力してください。"];
  else if ([...name].length > LIMITS.name.max)
    errors.name = [`テンプレート名は${LIMITS.name.max}文字以内で入力してください。`];
  if (Object.keys(errors).length) throw new DomainError("VALIDATION", "入力内容をご確認ください。", errors);
  return { name, ...delivery };
}

type Row = Omit<DeliveryTemplateTable, "account_id" | "created_at" | "updated_at">;

function toTemplate(r: Row): DeliveryTemplate {
  return {
    id: r.id,
    name: r.name,
    company: r.company,
    department: r.department,
    person: r.person,
    postalCode: r.postal_code,
    address: r.address,
    building: r.building,
    phone: r.phone,
  };
}

/** The columns a template's fields are stored in: one mapping for insert and update. */
function columnsOf(t: DeliveryFields & { name: string }) {
  return {
    name: t.name,
    company: t.company,
    department: t.department,
    person: t.person,
    postal_code: t.postalCode,
    address: t.address,
    building: t.building,
    phone: t.phone,
  };
}

export async function listTemplates(deps: ServiceDeps, accountId: string): Promise<DeliveryTemplate[]> {
  const rows = await deps.db
    .selectFrom("delivery_templates")
    .selectAll()
    .where("account_id", "=", accountId)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
  return rows.map(toTemplate);
}

export async function getTemplate(deps: ServiceDeps, accountId: string, id: string): Promise<DeliveryTemplate> {
  const row = await deps.db
    .selectFrom("delivery_templates")
    .selectAll()
    .where("id", "=", id)
    .where("account_id", "=", accountId)
    .executeTakeFirst();
  if (!row) throw new DomainError("NOT_FOUND", "指定されたお届け先テンプレートは見つかりません。");
  return toTemplate(row);
}

interface Actor {
  userId: string;
  accountId: string;
}

export async function createTemplate(
  deps: ServiceDeps,
  actor: Actor,
  input: DeliveryFields & { name: string },
  meta: RequestMeta,
): Promise<DeliveryTemplate> {
  const t = validateTemplate(input);
  const now = iso(deps.clock.now());
  const id = newId();
  await deps.db.transaction().execute(async (trx) => {
    await lockAccount(trx, actor.accountId);
    const existing = await trx
      .selectFrom("delivery_templates")
      .select("id")
      .where("account_id", "=", actor.accountId)
      .execute();
    if (existing.length >= MAX_TEMPLATES_PER_ACCOUNT) {
      throw new DomainError(
        "LIMIT_REACHED",
        `お届け先テンプレートは最大${MAX_TEMPLATES_PER_ACCOUNT}件まで登録できます。不要なテンプレートを削除してから登録してください。`,
      );
    }
    await trx
      .insertInto("delivery_templates")
      .values({
        id,
        account_id: actor.accountId,
        ...columnsOf(t),
        created_at: now,
        updated_at: now,
      })
      .execute();
    await recordAudit(trx, deps.clock, actor, meta, "template.create", { target: t.name });
  });
  return { id, ...t };
}

export async function updateTemplate(
  deps: ServiceDeps,
  actor: Actor,
  id: string,
  input: DeliveryFields & { name: string },
  meta: RequestMeta,
): Promise<DeliveryTemplate> {
  await getTemplate(deps, actor.accountId, id);
  const t = validateTemplate(input);
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .updateTable("delivery_templates")
      .set({
        ...columnsOf(t),
        updated_at: iso(deps.clock.now()),
      })
      .where("id", "=", id)
      .where("account_id", "=", actor.accountId)
      .execute();
    await recordAudit(trx, deps.clock, actor, meta, "template.update", { target: t.name });
  });
  return { id, ...t };
}

export async function deleteTemplate(deps: ServiceDeps, actor: Actor, id: string, meta: RequestMeta): Promise<void> {
  const t = await getTemplate(deps, actor.accountId, id);
  await deps.db.transaction().execute(async (trx) => {
    await trx.deleteFrom("delivery_templates").where("id", "=", id).where("account_id", "=", actor.accountId).execute();
    await recordAudit(trx, deps.clock, actor, meta, "template.delete", { target: t.name });
  });
}
