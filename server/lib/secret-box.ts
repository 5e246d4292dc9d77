import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

/**
 * Encryption at rest of the few secrets the server must read back (an authenticator's TOTP key, ADR 022):
 * AES-256-GCM with a fresh 96-bit nonce per value, the value bound to its owner by the associated data (a
 * sealed value copied to another user's row does not open). Stored as `v1:` + base64(nonce | ciphertext |
 * tag); the version names the key, so a later key can open the old values while it re-seals them.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(key: Uint8Array) {
    if (key.length !== 32) throw new Error("SecretBox: the key must be 32 bytes");
    this.key = Buffer.from(key);
  }

  /**
   * TOTP_SECRET_KEY (64 hex characters) when set; otherwise a key derived from the pepper with HKDF-SHA-256,
   * so a one-box install needs no second secret (the pepper is kept and backed up already).
   */
  static fromConfig(secretKeyHex: string | undefined, pepper: string): SecretBox {
    if (secretKeyHex) return new SecretBox(Buffer.from(secretKeyHex, "hex"));
    return new SecretBox(new Uint8Array(hkdfSync("sha256", pepper, "member-order-site", "totp-secret-key/v1", 32)));
  }

  seal(plain: Uint8Array, owner: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, nonce);
    cipher.setAAD(Buffer.from(owner, "utf8"));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return `v1:${Buffer.concat([nonce, body, cipher.getAuthTag()]).toString("base64")}`;
  }

  /** The plain value; throws when it was sealed with another key or for another owner, or was altered. */
  open(sealed: string, owner: string): Uint8Array {
    if (!sealed.startsWith("v1:")) throw new Error("SecretBox: unknown format");
    const raw = Buffer.from(sealed.slice(3), "base64");
    if (raw.length < 12 + 16) throw new Error("SecretBox: too short");
    const decipher = createDecipheriv("aes-256-gcm", this.key, raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(owner, "utf8"));
    decipher.setAuthTag(raw.subarray(raw.length - 16));
    return new Uint8Array(Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]));
  }
}
