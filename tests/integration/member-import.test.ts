import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { getAccountForStaff } from "../../server/services/backoffice/accounts";
import {
  importMembers,
  previewMemberImport,
  temporaryPasswordCsv,
} from "../../server/services/backoffice/member-import";
import { createAccount } from "../../server/services/identity/accounts";
import { domainCode, failure } from "../support/errors";
import { createHarness, type Harness } from "../support/harness";

const STAFF = { type: "staff" as const, id: "staff-1" };
const HEADER = "ログインID,会社名,メールアドレス,ユーザ名";
const GOOD = [
  HEADER,
  "mig001,株式会社 移行商事,ichiro@example.jp,移行 一郎",
  "mig001,株式会社 移行商事,jiro@example.jp,移行 二郎",
  'mig002,"計測, 技研",k@example.jp,',
].join("\r\n");

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.close();
});

const counts = async () => ({
  accounts: Number(
    (
      await h.db
        .selectFrom("accounts")
        .select((eb) => eb.fn.countAll().as("n"))
        .executeTakeFirstOrThrow()
    ).n,
  ),
  users: Number(
    (
      await h.db
        .selectFrom("users")
        .select((eb) => eb.fn.countAll().as("n"))
        .executeTakeFirstOrThrow()
    ).n,
  ),
  mails: Number(
    (
      await h.db
        .selectFrom("mail_outbox")
        .select((eb) => eb.fn.countAll().as("n"))
        .executeTakeFirstOrThrow()
    ).n,
  ),
});
const setupToken = async (email: string) =>
  /\/setup-password\/(\S+)/.exec((await h.mailsTo(email))[0]?.text ?? "")?.[1] ?? "";

describe("会員データ移行: 確認", () => {
  it("shows what 取込 would add and writes nothing", async () => {
    expect(await previewMemberImport(h.deps, GOOD)).toEqual({
      ok: true,
      accountsAdded: 2,
      usersAdded: 3,
      unchanged: 0,
    });
    expect(await counts()).toEqual({ accounts: 0, users: 0, mails: 0 });
  });

  it("reports every bad row with its line, column and a Japanese reason; 取込 of that file writes nothing", async () => {
    const bad = [
      HEADER,
      "mig001,株式会社 移行商事,ichiro@example.jp,移行 一郎",
      "m!,株式会社 移行商事,bad-address,",
      "mig001,別の会社,x@example.jp,",
      "mig001,株式会社 移行商事,ICHIRO@example.jp,",
      "mig003,,y@example.jp,",
      "mig004,a,b@example.jp",
    ].join("\n");
    const expected = {
      ok: false,
      errors: [
        {
          line: 3,
          column: "ログインID",
          message: "3行目: ログインIDは半角英数字と「-」「_」で3〜32文字にしてください。",
        },
        { line: 3, column: "メールアドレス", message: "3行目: メールアドレスの形式が正しくありません。" },
        {
          line: 4,
          column: "会社名",
          message: "4行目: ログインID「mig001」の会社名が2行目（株式会社 移行商事）と異なります。",
        },
        {
          line: 5,
          column: "メールアドレス",
          message: "5行目: ログインID「mig001」のメールアドレス「ICHIRO@example.jp」は2行目と重複しています。",
        },
        { line: 6, column: "会社名", message: "6行目: 会社名を入力してください。" },
        {
          line: 7,
          column: null,
          message: '7行目: 列の数（3）が見出し行（4）と合いません。値に「,」を含むときは「"」で囲んでください。',
        },
      ],
    };
    expect(await previewMemberImport(h.deps, bad)).toEqual(expected);
    expect(await importMembers(h.deps, bad, STAFF)).toEqual(expected);
    expect(await counts()).toEqual({ accounts: 0, users: 0, mails: 0 });
  });

  it("names a missing column", async () => {
    expect(await previewMemberImport(h.deps, "ログインID,会社名,メールアドレス\r\na01,b,c@example.jp")).toEqual({
      ok: false,
      errors: [{ line: 1, column: "ユーザ名", message: "1行目: 列「ユーザ名」がありません。" }],
    });
  });
});

describe("会員データ移行: 取込", () => {
  it("opens the accounts with pending users who get the set-up mail; setting the password is the forced change", async () => {
    expect(await importMembers(h.deps, GOOD, STAFF)).toEqual({
      ok: true,
      accountsAdded: 2,
      usersAdded: 3,
      unchanged: 0,
    });
    const users = await h.db.selectFrom("users").selectAll().orderBy("email").execute();
    expect(users.map((u) => [u.email, u.name, u.status, u.must_change_password, u.password_hash])).toEqual([
      ["ichiro@example.jp", "移行 一郎", "pending", 1, null],
      ["jiro@example.jp", "移行 二郎", "pending", 1, null],
      ["k@example.jp", "", "pending", 1, null],
    ]);
    const account = await h.db
      .selectFrom("accounts")
      .selectAll()
      .where("login_id", "=", "mig002")
      .executeTakeFirstOrThrow();
    expect(account.company_name).toBe("計測, 技研");
    expect((await getAccountForStaff(h.deps, account.id)).users[0]?.stateLabel).toBe("設定待ち");

    const token = await setupToken("ichiro@example.jp");
    const anon = h.browser();
    await anon.call((c) =>
      c.users.completeSetup({ token, newPassword: "Migrate-26a", confirmPassword: "Migrate-26a" }),
    );
    const b = h.browser();
    expect(
      await b.call((c) => c.auth.login({ loginId: "mig001", email: "ichiro@example.jp", password: "Migrate-26a" })),
    ).toMatchObject({ status: "signed_in", mustChangePassword: false });
    expect((await b.call((c) => c.users.list())).users).toHaveLength(2);
    const audit = await h.db.selectFrom("audit_events").selectAll().where("action", "=", "member.import").execute();
    expect(audit).toMatchObject([{ actor_type: "staff", actor_id: "staff-1" }]);
    expect(JSON.parse(audit[0]?.details ?? "")).toMatchObject({ accountsAdded: 2, usersAdded: 3, unchanged: 0 });
  });

  it("the same file twice adds nothing; a later file adds users to stored accounts", async () => {
    await importMembers(h.deps, GOOD, STAFF);
    const before = await counts();
    h.clock.advance(60_000);
    expect(await importMembers(h.deps, GOOD, STAFF)).toEqual({
      ok: true,
      accountsAdded: 0,
      usersAdded: 0,
      unchanged: 3,
    });
    expect(await counts()).toEqual(before);

    const more = `${GOOD}\r\nmig002,"計測, 技研",l@example.jp,追加 花子\r\n`;
    expect(await importMembers(h.deps, more, STAFF)).toEqual({
      ok: true,
      accountsAdded: 0,
      usersAdded: 1,
      unchanged: 3,
    });
  });

  it("refuses rows that would join a stored account of another company name, or pass 10 users", async () => {
    const { accountId } = await createAccount(h.deps, {
      loginId: "acme01",
      companyName: "アクメ計測",
      email: "a0@example.jp",
    });
    const eleven = [HEADER, ...Array.from({ length: 10 }, (_, i) => `acme01,アクメ計測,a${i + 1}@example.jp,`)];
    expect(await previewMemberImport(h.deps, eleven.join("\n"))).toEqual({
      ok: false,
      errors: [
        {
          line: 11,
          column: "メールアドレス",
          message: "11行目: 利用者は1つのログインIDにつき10件まで登録できます（ログインID「acme01」）。",
        },
      ],
    });
    expect(await importMembers(h.deps, [HEADER, "acme01,アクメ商事,z@example.jp,"].join("\n"), STAFF)).toEqual({
      ok: false,
      errors: [
        {
          line: 2,
          column: "会社名",
          message: "2行目: ログインID「acme01」は会社名「アクメ計測」で登録済みです。会社名が異なります。",
        },
      ],
    });
    expect(await importMembers(h.deps, eleven.slice(0, 10).join("\n"), STAFF)).toMatchObject({
      ok: true,
      usersAdded: 9,
    });
    expect((await getAccountForStaff(h.deps, accountId)).users).toHaveLength(10);
  });

  it("reads a Shift_JIS file as Excel saves it, and UTF-8 with a BOM", async () => {
    // 「ログインID,会社名,メールアドレス,ユーザ名」 then 「sjis01,株式会社サンプル,s@example.jp,山田 花子」, in Shift_JIS.
    const sjis = Buffer.from(
      "838d834f8343839349442c89ef8ed096bc2c8381815b838b83418368838c83582c8386815b835596bc0d0a736a697330312c8a948eae89ef8ed0835483938376838b2c73406578616d706c652e6a702c8e5293632089d48e710d0a",
      "hex",
    );
    expect(await importMembers(h.deps, sjis, STAFF)).toMatchObject({ ok: true, accountsAdded: 1, usersAdded: 1 });
    const user = await h.db
      .selectFrom("users")
      .innerJoin("accounts", "accounts.id", "users.account_id")
      .selectAll()
      .executeTakeFirstOrThrow();
    expect([user.login_id, user.company_name, user.email, user.name]).toEqual([
      "sjis01",
      "株式会社サンプル",
      "s@example.jp",
      "山田 花子",
    ]);
    const bom = Buffer.from(`\uFEFF${HEADER}\r\nbom001,BOM商会,b@example.jp,\r\n`);
    expect(await importMembers(h.deps, bom, STAFF)).toMatchObject({ ok: true, accountsAdded: 1 });
  });

  it("with temporary passwords: each shown once in the result, stored only as a hash, changed at first login", async () => {
    const result = await importMembers(h.deps, GOOD, STAFF, { temporaryPasswords: true });
    if (!result.ok) throw new Error("import failed");
    expect(result.temporaryPasswords?.map((t) => [t.line, t.loginId, t.email])).toEqual([
      [2, "mig001", "ichiro@example.jp"],
      [3, "mig001", "jiro@example.jp"],
      [4, "mig002", "k@example.jp"],
    ]);
    const passwords = result.temporaryPasswords?.map((t) => t.password) ?? [];
    for (const p of passwords) expect(p).toMatch(/^(?=.*[A-Z])(?=.*[a-z])(?=.*[2-9])[A-Za-z2-9]{12}$/);
    expect(new Set(passwords).size).toBe(3);
    expect((await counts()).mails).toBe(0);
    const stored = JSON.stringify(await h.db.selectFrom("users").selectAll().execute());
    const audit = JSON.stringify(await h.db.selectFrom("audit_events").selectAll().execute());
    for (const p of passwords) {
      expect(stored).not.toContain(p);
      expect(audit).not.toContain(p);
    }
    const csv = temporaryPasswordCsv(result.temporaryPasswords ?? []);
    expect(csv.split("\r\n")[0]).toBe("\uFEFF行,ログインID,会社名,メールアドレス,ユーザ名,仮パスワード");
    expect(csv.split("\r\n")[3]).toBe(`4,mig002,"計測, 技研",k@example.jp,,${passwords[2]}`);

    const b = h.browser();
    const password = passwords[0] as string;
    expect(
      await b.call((c) => c.auth.login({ loginId: "mig001", email: "ichiro@example.jp", password })),
    ).toMatchObject({ status: "signed_in", mustChangePassword: true });
    expect(domainCode(await failure(b.call((c) => c.users.list())))).toBe("PASSWORD_CHANGE_REQUIRED");
    await b.call((c) =>
      c.account.changeInitialPassword({ newPassword: "Migrate-26a", confirmPassword: "Migrate-26a" }),
    );
    expect((await b.call((c) => c.users.list())).users).toHaveLength(2);
  });
});
