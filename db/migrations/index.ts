import type { Migration } from "kysely";
import * as m0001 from "./0001_initial";
import * as m0002 from "./0002_signin_security";
import * as m0003 from "./0003_ordering";
import * as m0004 from "./0004_email_normalized_nfkc";
import * as m0005 from "./0005_backoffice_lifecycle";
import * as m0006 from "./0006_backoffice_accounts";
import * as m0010 from "./0010_catalog_search_index";

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
  "0010_catalog_search_index": m0010,
};
