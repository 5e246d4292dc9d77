import type { Migration } from "kysely";
import * as m0001 from "./0001_initial";
import * as m0002 from "./0002_signin_security";
import * as m0003 from "./0003_ordering";
import * as m0004 from "./0004_email_normalized_nfkc";
import * as m0005 from "./0005_backoffice_lifecycle";
import * as m0006 from "./0006_backoffice_accounts";
import * as m0007 from "./0007_product_admin";
import * as m0008 from "./0008_audit_log_lists";
import * as m0009 from "./0009_quote_orders";
import * as m0010 from "./0010_catalog_search_index";
import * as m0011 from "./0011_drop_company_name_index";
import * as m0012 from "./0012_line_prices";
import * as m0013 from "./0013_rentals_page_index";
import * as m0014 from "./0014_catalog_state";
import * as m0015 from "./0015_home_indexes";
import * as m0016 from "./0016_reorder_source";
import * as m0017 from "./0017_return_reminders";
import * as m0018 from "./0018_authenticator";
import * as m0019 from "./0019_extensions";
import * as m0020 from "./0020_mail_attachments";
import * as m0021 from "./0021_line_due_dates";
import * as m0022 from "./0022_mail_bodies";

/**
 * Every migration, in order. Listed in code (not read from the folder) so the order is explicit
 * and the same under tsx, vitest and the production server.
 */
export const migrations: Record<string, Migration> = {
  "0001_initial": m0001,
  "0002_signin_security": m0002,
  "0003_ordering": m0003,
  "0004_email_normalized_nfkc": m0004,
  "0005_backoffice_lifecycle": m0005,
  "0006_backoffice_accounts": m0006,
  "0007_product_admin": m0007,
  "0008_audit_log_lists": m0008,
  "0009_quote_orders": m0009,
  "0010_catalog_search_index": m0010,
  "0011_drop_company_name_index": m0011,
  "0012_line_prices": m0012,
  "0013_rentals_page_index": m0013,
  "0014_catalog_state": m0014,
  "0015_home_indexes": m0015,
  "0016_reorder_source": m0016,
  "0017_return_reminders": m0017,
  "0018_authenticator": m0018,
  "0019_extensions": m0019,
  "0020_mail_attachments": m0020,
  "0021_line_due_dates": m0021,
  "0022_mail_bodies": m0022,
};
