import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { demoAccount, demoStaff, seedDemo } from "../../db/seed/demo";
import { DomainError } from "../../server/services/errors";
import { createAccount, createStaff } from "../../server/services/identity/accounts";
import { createHarness, type Harness } from "../support/harness";

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.close();
});

const base = {
  loginId: "acme01",
  companyName: "アクメ計測",
  email: "taro@example.jp",
  temporaryPassword: "Temp-2026a",
};

async function domainError(p: Promise<unknown>): Promise<DomainError> {
  const e = await p.then(
    () => null,
    (error: unknown) => error,
  );
  expect(e).toBeInstanceOf(DomainError);
  return e as DomainError;
}

describe("createAccount", () => {
  it("opens an account whose first user must change the temporary password", async () => {
    await createAccount(h.deps, base);
    const user = await h.db.selectFrom("users").selectAll().executeTakeFirstOrThrow();
    expect(user.email_normalized).toBe("taro@example.jp");
    expect(user.must_change_password).toBe(1);
    expect(user.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const b = h.browser();
    const result = await b.call((c) =>
      c.auth.login({ loginId: "acme01", email: "taro@example.jp", password: "Temp-2026a" }),
    );
    expect(result.mustChangePassword).toBe(true);
  });

  it("keys a full-width address by its NFKC form, so the half-width one signs in", async () => {
    await createAccount(h.deps, { ...base, email: "ｔａｒｏ@example.jp" });
    const user = await h.db.selectFrom("users").selectAll().executeTakeFirstOrThrow();
    expect([user.email, user.email_normalized]).toEqual(["ｔａｒｏ@example.jp", "taro@example.jp"]);
    await h
      .browser()
      .call((c) => c.auth.login({ loginId: "acme01", email: "taro@example.jp", password: "Temp-2026a" }));
  });

  it("names every bad field at once", async () => {
    const e = await domainError(
      createAccount(h.deps, { loginId: "a", companyName: " ", email: "not-an-email", temporaryPassword: "short" }),
    );
    expect(Object.keys(e.fieldErrors).sort()).toEqual(["companyName", "email", "loginId", "password"]);
    expect(await h.db.selectFrom("accounts").selectAll().execute()).toHaveLength(0);
  });

  it("refuses a password that contains the login ID", async () => {
    const e = await domainError(createAccount(h.deps, { ...base, temporaryPassword: "xACME01-9a" }));
    expect(e.fieldErrors.password).toContain("パスワードにログインIDを含めることはできません。");
  });

  it("refuses a taken login ID, also when two requests race", async () => {
    const results = await Promise.allSettled([
      createAccount(h.deps, base),
      createAccount(h.deps, { ...base, email: "hanako@example.jp" }),
      createAccount(h.deps, { ...base, email: "jiro@example.jp" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results.filter((r) => r.status === "rejected")) {
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: "LOGIN_ID_TAKEN" });
    }
    expect(await h.db.selectFrom("accounts").selectAll().execute()).toHaveLength(1);
  });

  it("records an audit event", async () => {
    await createAccount(h.deps, base);
    const events = await h.db.selectFrom("audit_events").selectAll().execute();
    expect(events).toMatchObject([{ action: "account.create", target: "acme01", result: "success" }]);
  });
});

describe("createStaff", () => {
  it("adds staff once per email", async () => {
    await createStaff(h.deps, { email: "ops@rental.example.jp", password: "Staff-2026a" });
    const e = await domainError(createStaff(h.deps, { email: "OPS@rental.example.jp", password: "Staff-2026b" }));
    expect(e.code).toBe("DUPLICATE_EMAIL");
  });
});

describe("demo seed", () => {
  it("creates the README's demo account once, and it can log in", async () => {
    const DEMO = demoAccount();
    // The values the README's quick start prints.
    expect(DEMO).toMatchObject({ loginId: "demo", email: "demo@example.com", password: "Sample-2026" });
    expect(await seedDemo(h.deps)).toBe(DEMO.loginId);
    expect(await seedDemo(h.deps)).toBeNull();
    const b = h.browser();
    await b.call((c) => c.auth.login({ loginId: DEMO.loginId, email: DEMO.email, password: DEMO.password }));
    expect((await b.call((c) => c.auth.me()))?.account.companyName).toBe(DEMO.companyName);

    // And the README's demo staff member, an admin, whose password opens the mailed-code step.
    const STAFF = demoStaff();
    expect(STAFF).toMatchObject({ email: "staff@example.com", password: "Office-2026", role: "admin" });
    const staff = await h.db.selectFrom("staff").select(["email", "role"]).execute();
    expect(staff).toEqual([{ email: STAFF.email, role: "admin" }]);
    const s = h.browser();
    const step = await s.call((c) => c.staffAuth.login({ email: STAFF.email, password: STAFF.password }));
    expect(step).toMatchObject({ status: "otp_required" });
  });
});
