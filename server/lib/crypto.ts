import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { encodeBase32LowerCaseNoPadding } from "@oslojs/encoding";

/** A random, non-enumerable row id (80 bits, base32). */
export function newId(): string {
  return encodeBase32LowerCaseNoPadding(randomBytes(10));
}

/** A secret for a link or cookie: 32 random bytes, base32. */
export function newToken(): string {
  return encodeBase32LowerCaseNoPadding(randomBytes(32));
}

export function sha256Hex(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

export function hmacHex(key: string, value: string): string {
  return createHmac("sha256", key).update(value).digest("hex");
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
