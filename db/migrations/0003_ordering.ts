import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("products")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("model_no", "text", (c) => c.notNull().unique())
    .addColumn("maker", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("category", "text", (c) => c.notNull())
    .addColumn("spec_summary", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("daily_price", "integer", (c) => c.notNull())
    .addColumn("monthly_price", "integer", (c) => c.notNull())
    .addColumn("active", "integer", (c) => c.notNull().defaultTo(1))
    // Lower-cased, width-normalised text of every searchable field (see services/catalog.ts).
    .addColumn("search_text", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("products_category_idx").on("products").columns(["category", "maker"]).execute();

  await db.schema
    .createTable("delivery_templates")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("company", "text", (c) => c.notNull())
    .addColumn("department", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("person", "text", (c) => c.notNull())
    .addColumn("postal_code", "text", (c) => c.notNull())
    .addColumn("address", "text", (c) => c.notNull())
    .addColumn("building", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("phone", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("delivery_templates_account_idx").on("delivery_templates").column("account_id").execute();

  await db.schema
    .createTable("draft_lines")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("product_id", "text", (c) => c.notNull().references("products.id"))
    .addColumn("quantity", "integer", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addUniqueConstraint("draft_lines_unique", ["user_id", "kind", "product_id"])
    .execute();

  await db.schema
    .createTable("number_sequences")
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("year", "integer", (c) => c.notNull())
    .addColumn("last_value", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("number_sequences_pk", ["kind", "year"])
    .execute();

  await db.schema
    .createTable("rentals")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("contract_no", "text", (c) => c.notNull().unique())
    .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("order_application_id", "text", (c) => c.notNull().unique())
    .addColumn("status", "text", (c) => c.notNull().defaultTo("active"))
    .addColumn("start_date", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("rentals_account_idx").on("rentals").columns(["account_id", "status"]).execute();

  await db.schema
    .createTable("rental_lines")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("rental_id", "text", (c) => c.notNull().references("rentals.id").onDelete("cascade"))
    .addColumn("line_no", "integer", (c) => c.notNull())
    .addColumn("product_id", "text", (c) => c.notNull())
    .addColumn("model_no", "text", (c) => c.notNull())
    .addColumn("product_name", "text", (c) => c.notNull())
    .addColumn("quantity", "integer", (c) => c.notNull())
    .addColumn("quantity_cancel_requested", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("quantity_returned", "integer", (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable("applications")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("number", "text", (c) => c.notNull().unique())
    .addColumn("account_id", "text", (c) => c.notNull().references("accounts.id").onDelete("cascade"))
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("intake_status", "text", (c) => c.notNull().defaultTo("pending"))
    .addColumn("intake_error", "text")
    .addColumn("intake_attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("intake_next_attempt_at", "text", (c) => c.notNull())
    .addColumn("intake_locked_until", "text")
    .addColumn("arranged_at", "text")
    .addColumn("arranged_by", "text")
    .addColumn("start_date", "text")
    .addColumn("period_unit", "text")
    .addColumn("period", "integer")
    .addColumn("return_date", "text")
    .addColumn("rental_id", "text")
    .addColumn("delivery_company", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("delivery_department", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("delivery_person", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("delivery_postal_code", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("delivery_address", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("delivery_building", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("delivery_phone", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("notes", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("po_number", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("idempotency_key", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addUniqueConstraint("applications_idempotency_unique", ["account_id", "idempotency_key"])
    .execute();
  await db.schema
    .createIndex("applications_history_idx")
    .on("applications")
    .columns(["account_id", "created_at", "id"])
    .execute();
  await db.schema
    .createIndex("applications_intake_idx")
    .on("applications")
    .columns(["intake_status", "intake_next_attempt_at"])
    .execute();

  await db.schema
    .createTable("application_lines")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("application_id", "text", (c) => c.notNull().references("applications.id").onDelete("cascade"))
    .addColumn("line_no", "integer", (c) => c.notNull())
    .addColumn("product_id", "text", (c) => c.notNull())
    .addColumn("model_no", "text", (c) => c.notNull())
    .addColumn("product_name", "text", (c) => c.notNull())
    .addColumn("quantity", "integer", (c) => c.notNull())
    .addColumn("rental_line_id", "text")
    .execute();
  await db.schema.createIndex("application_lines_app_idx").on("application_lines").column("application_id").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    "application_lines",
    "applications",
    "rental_lines",
    "rentals",
    "number_sequences",
    "draft_lines",
    "delivery_templates",
    "products",
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
