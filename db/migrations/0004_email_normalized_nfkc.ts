import type { Kysely } from "kysely";

/**
 * `users.email_normalized` compared addresses trimmed and lower-cased; it now also puts the local part
 * in NFKC (server/services/identity/normalize.ts), so that `ｖｉｃｔｉｍ@…` cannot be added beside
 * `victim@…`.
 * Rows stored before would keep their old key and no longer be found at login (the typed address is
 * normalised the new way), so they are re-keyed here. ASCII addresses (nearly all) do not change.
 *
 * Two rows of one account can now mean the same address — the very duplicate the old rule let in. The
 * unique (account_id, email_normalized) allows one of them the new key: a row whose key does not change
 * keeps it (it is the one a login already reaches), then the older row. The other keeps its old key:
 * a login typed either way now reaches its twin, so it can no longer sign in, and staff delete it.
 *
 * The rules are copied, not imported: a migration must do what it did when it was written.
 */
const newRule = (email: string) => {
  // Trimmed after NFKC, which can turn a leading character into a space (¨ → " ̈").
  const at = email.lastIndexOf("@");
  const nfkc = at < 0 ? email : email.slice(0, at).normalize("NFKC") + email.slice(at);
  return nfkc.trim().toLowerCase();
};
const oldRule = (email: string) => email.trim().toLowerCase();

/** The columns this migration reads and writes, as they were when it was written. */
interface Users {
  users: { id: string; account_id: string; email: string; email_normalized: string; created_at: string };
}

async function rekey(db: Kysely<Users>, rule: (email: string) => string): Promise<void> {
  const users = await db
    .selectFrom("users")
    .select(["id", "account_id", "email", "email_normalized"])
    .orderBy("created_at")
    .orderBy("id")
    .execute();
  const key = (u: { account_id: string }, normalized: string) => `${u.account_id}\n${normalized}`;
  // Every present key is taken until its row moves; then the row's new key is.
  const taken = new Set(users.map((u) => key(u, u.email_normalized)));
  let waiting = users.filter((u) => rule(u.email) !== u.email_normalized);
  for (let moved = true; moved; ) {
    moved = false;
    for (const u of waiting) {
      const next = rule(u.email);
      if (taken.has(key(u, next))) continue;
      await db.updateTable("users").set({ email_normalized: next }).where("id", "=", u.id).execute();
      taken.delete(key(u, u.email_normalized));
      taken.add(key(u, next));
      waiting = waiting.filter((w) => w !== u);
      moved = true;
    }
  }
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await rekey(db as Kysely<Users>, newRule);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await rekey(db as Kysely<Users>, oldRule);
}
