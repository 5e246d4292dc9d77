import { createHmac } from "node:crypto";
import { HashThreads } from "./hash-threads";

/** argon2id with the OWASP minimum (m=19456 KiB, t=2, p=1); see SPEC §8. */
const ARGON2 = { algorithm: 2 /* Argon2id */, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/**
 * Hashes passwords with a pepper: the password is HMAC-ed with a server-side key before argon2id,
 * so a stolen database alone cannot be brute-forced.
 */
export class PasswordHasher {
  private dummyHash: Promise<string> | undefined;
  private readonly threads: HashThreads;

  /**
   * `concurrency`: how many hashes or verifications run at once (PASSWORD_HASH_CONCURRENCY), each on a thread of
   * its own (hash-threads.ts; the process's hashers share them); the others queue. Fewer than the cores keeps a
   * core free for everything else during a burst of logins.
   */
  constructor(
    private readonly pepper: string,
    concurrency = 1,
  ) {
    this.threads = HashThreads.shared(concurrency);
  }

  private peppered(password: string): string {
    return createHmac("sha256", this.pepper).update(password.normalize("NFC")).digest("base64");
  }

  hash(password: string): Promise<string> {
    return this.threads.hash(this.peppered(password), ARGON2);
  }

  async verify(passwordHash: string, password: string): Promise<boolean> {
    try {
      return await this.threads.verify(passwordHash, this.peppered(password));
    } catch {
      return false;
    }
  }

  /**
   * Burns the same time as a real verification, for unknown users, so response time does not tell
   * whether a login ID or email exists.
   */
  async verifyDummy(password: string): Promise<false> {
    this.dummyHash ??= this.hash("dummy-password-for-timing");
    await this.verify(await this.dummyHash, password);
    return false;
  }
}
