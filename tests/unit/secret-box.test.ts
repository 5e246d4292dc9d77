import { describe, expect, it } from "vitest";
import { SecretBox } from "../../server/lib/secret-box";
import { matchingStep, totpCode, totpStep } from "../../server/services/identity/authenticator";

describe("SecretBox", () => {
  const plain = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);

  it("opens what it sealed for the same owner, with a fresh nonce each time", () => {
    const box = SecretBox.fromConfig(undefined, "pepper-0123456789-abcdefghijklmnopqrstuv");
    const a = box.seal(plain, "user-1");
    const b = box.seal(plain, "user-1");
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1:[A-Za-z0-9+/]+=*$/);
    expect(box.open(a, "user-1")).toEqual(plain);
  });

  it("refuses another owner, another key, an altered value", () => {
    const box = SecretBox.fromConfig(undefined, "pepper-0123456789-abcdefghijklmnopqrstuv");
    const sealed = box.seal(plain, "user-1");
    expect(() => box.open(sealed, "user-2")).toThrow();
    expect(() =>
      SecretBox.fromConfig(undefined, "another-pepper-0123456789-abcdefghijklmn").open(sealed, "user-1"),
    ).toThrow();
    expect(() =>
      SecretBox.fromConfig("ab".repeat(32), "pepper-0123456789-abcdefghijklmnopqrstuv").open(sealed, "user-1"),
    ).toThrow();
    const raw = Buffer.from(sealed.slice(3), "base64");
    raw[14] = (raw[14] ?? 0) ^ 1;
    expect(() => box.open(`v1:${raw.toString("base64")}`, "user-1")).toThrow();
    expect(() => box.open("v2:abc", "user-1")).toThrow();
  });

  it("TOTP_SECRET_KEY is the key when set, whatever the pepper", () => {
    const a = SecretBox.fromConfig("0f".repeat(32), "pepper-one-0123456789-abcdefghijklmnopq");
    const b = SecretBox.fromConfig("0f".repeat(32), "pepper-two-0123456789-abcdefghijklmnopq");
    expect(b.open(a.seal(plain, "u"), "u")).toEqual(plain);
  });
});

describe("TOTP (RFC 6238)", () => {
  // RFC 6238 appendix B's SHA-1 key, "12345678901234567890"; its 8-digit values end in these 6 digits.
  const key = new TextEncoder().encode("12345678901234567890");

  it("gives the RFC's test values", () => {
    expect(totpCode(key, totpStep(new Date(59_000)))).toBe("287082");
    expect(totpCode(key, totpStep(new Date(1_111_111_109_000)))).toBe("081804");
    expect(totpCode(key, totpStep(new Date(1_234_567_890_000)))).toBe("005924");
    expect(totpCode(key, totpStep(new Date(2_000_000_000_000)))).toBe("279037");
  });

  it("takes the step before, the current one and the one after, and no other", () => {
    const at = new Date(1_234_567_890_000);
    const now = totpStep(at);
    for (const offset of [-1, 0, 1]) expect(matchingStep(key, totpCode(key, now + offset), at)).toBe(now + offset);
    for (const offset of [-3, -2, 2, 3]) expect(matchingStep(key, totpCode(key, now + offset), at)).toBeNull();
    expect(matchingStep(key, "", at)).toBeNull();
  });
});
