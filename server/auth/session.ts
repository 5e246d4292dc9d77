import { type Adapter, type DatabaseSession, type DatabaseUser, Lucia, TimeSpan } from "lucia";
import type { DB } from "../../db";
import { compiledOnce } from "../../db/compiled-once";
import { addMs, type Clock, iso } from "../lib/clock";
import { sha256Hex } from "../lib/crypto";
import { parseCookies } from "./cookies";

/**
 * Sessions. Lucia v3 (deprecated upstream, kept behind this file: docs/decisions/001-lucia-v3-sessions.md)
 * makes the ids and reads and writes the cookie; this adapter stores only the SHA-256
 * of each id, so a read of the table cannot be replayed as a cookie.
 *
 * Lucia reads the system clock while our services read an injected one. The adapter translates
 * "time left" between the two, so the injected clock is what decides expiry (tests move it).
 */
export type PrincipalKind = "customer" | "staff";

export interface SessionInfo {
  id: string;
  principalId: string;
  kind: PrincipalKind;
  expiresAt: Date;
  absoluteExpiresAt: Date;
}

interface SessionAttributes {
  kind: PrincipalKind;
  absoluteExpiresAt: string;
  ip: string | null;
  userAgent: string | null;
  createdAt: string;
}

/** A session by the hash of its id: read by every signed-in request. */
const sessionByHash = compiledOnce((db: DB, hash: string) =>
  db.selectFrom("sessions").selectAll().where("id", "=", hash),
);

class HashedSessionAdapter implements Adapter {
  constructor(
    private readonly db: DB,
    private readonly clock: Clock,
  ) {}

  /** Our clock's date → the same time-left on the system clock (what Lucia compares against). */
  private toLucia(at: string): Date {
    return new Date(Date.now() + (new Date(at).getTime() - this.clock.now().getTime()));
  }
  private fromLucia(at: Date): string {
    return iso(addMs(this.clock.now(), at.getTime() - Date.now()));
  }

  async getSessionAndUser(sessionId: string): Promise<[DatabaseSession | null, DatabaseUser | null]> {
    const row = await sessionByHash.first(this.db, sha256Hex(sessionId));
    if (!row) return [null, null];
    const now = iso(this.clock.now());
    if (row.expires_at <= now || row.absolute_expires_at <= now) {
      await this.db.deleteFrom("sessions").where("id", "=", row.id).execute();
      return [null, null];
    }
    const attributes: SessionAttributes = {
      kind: row.kind,
      absoluteExpiresAt: row.absolute_expires_at,
      ip: row.ip,
      userAgent: row.user_agent,
      createdAt: row.created_at,
    };
    return [
      { id: sessionId, userId: row.user_id, expiresAt: this.toLucia(row.expires_at), attributes } as DatabaseSession,
      { id: row.user_id, attributes: {} } as DatabaseUser,
    ];
  }

  async getUserSessions(userId: string): Promise<DatabaseSession[]> {
    const rows = await this.db.selectFrom("sessions").selectAll().where("user_id", "=", userId).execute();
    return rows.map(
      (row) =>
        ({
          id: row.id,
          userId: row.user_id,
          expiresAt: this.toLucia(row.expires_at),
          attributes: { kind: row.kind, absoluteExpiresAt: row.absolute_expires_at },
        }) as DatabaseSession,
    );
  }

  async setSession(session: DatabaseSession): Promise<void> {
    const a = session.attributes as unknown as SessionAttributes;
    await this.db
      .insertInto("sessions")
      .values({
        id: sha256Hex(session.id),
        user_id: session.userId,
        kind: a.kind,
        expires_at: this.fromLucia(session.expiresAt),
        absolute_expires_at: a.absoluteExpiresAt,
        ip: a.ip,
        user_agent: a.userAgent,
        created_at: a.createdAt,
      })
      .execute();
  }

  async updateSessionExpiration(sessionId: string, expiresAt: Date): Promise<void> {
    await this.db
      .updateTable("sessions")
      .set({ expires_at: this.fromLucia(expiresAt) })
      .where("id", "=", sha256Hex(sessionId))
      .execute();
  }

  async deleteSession(sessionId: string): Promise<void> {
    await this.db.deleteFrom("sessions").where("id", "=", sha256Hex(sessionId)).execute();
  }

  async deleteUserSessions(userId: string): Promise<void> {
    await this.db.deleteFrom("sessions").where("user_id", "=", userId).execute();
  }

  async deleteExpiredSessions(): Promise<void> {
    const now = iso(this.clock.now());
    await this.db
      .deleteFrom("sessions")
      .where((eb) => eb.or([eb("expires_at", "<=", now), eb("absolute_expires_at", "<=", now)]))
      .execute();
  }
}

/** A live session as ログイン中の端末 lists it. */
export interface LiveSession {
  handle: string;
  createdAt: Date;
  lastSeenAt: Date;
  ip: string | null;
  userAgent: string | null;
}

export interface SessionOptions {
  db: DB;
  clock: Clock;
  idleMs: number;
  absoluteMs: number;
  secureCookies: boolean;
}

/** How often (at most) a used session's idle expiry is pushed forward: one write a minute, not one per request. */
const RENEW_GRANULARITY_MS = 60_000;

/**
 * The cookie each kind of session travels in. Staff have their own (ADR 001): a customer and a staff
 * member can be signed in in one browser, and a session is only ever read from its own kind's cookie.
 */
const COOKIE_NAMES: Record<PrincipalKind, string> = { customer: "mos_session", staff: "mos_staff_session" };

export class SessionManager {
  private readonly lucia: Record<PrincipalKind, Lucia>;
  private readonly adapter: HashedSessionAdapter;

  constructor(private readonly options: SessionOptions) {
    this.adapter = new HashedSessionAdapter(options.db, options.clock);
    const luciaFor = (name: string) =>
      new Lucia(this.adapter, {
        sessionExpiresIn: new TimeSpan(Math.round(options.idleMs / 1000), "s"),
        sessionCookie: {
          // The __Host- prefix pins the cookie to this host and path "/", over https only.
          name: options.secureCookies ? `__Host-${name}` : name,
          expires: true,
          attributes: { secure: options.secureCookies, sameSite: "lax", path: "/" },
        },
        getSessionAttributes: (attributes) => attributes,
      });
    this.lucia = { customer: luciaFor(COOKIE_NAMES.customer), staff: luciaFor(COOKIE_NAMES.staff) };
  }

  /** The customer session cookie's name. */
  get cookieName(): string {
    return this.lucia.customer.sessionCookieName;
  }

  cookieNameFor(kind: PrincipalKind): string {
    return this.lucia[kind].sessionCookieName;
  }

  /** A new session (new id: never reuse one from before login). Returns its id, which only the cookie keeps. */
  async create(
    kind: PrincipalKind,
    principalId: string,
    meta: { ip: string | null; userAgent: string | null },
  ): Promise<string> {
    const now = this.options.clock.now();
    const attributes: SessionAttributes = {
      kind,
      absoluteExpiresAt: iso(addMs(now, this.options.absoluteMs)),
      ip: meta.ip,
      userAgent: meta.userAgent?.slice(0, 512) ?? null,
      createdAt: iso(now),
    };
    const session = await this.lucia[kind].createSession(principalId, attributes as never);
    return session.id;
  }

  /** The Set-Cookie value that gives a session to the browser, in its kind's cookie. */
  cookieFor(sessionId: string, kind: PrincipalKind = "customer"): string {
    // A browser-session cookie (no Max-Age): the server alone decides idle and absolute expiry.
    const cookie = this.lucia[kind].createSessionCookie(sessionId);
    cookie.attributes.maxAge = undefined;
    return cookie.serialize();
  }

  /**
   * The session id in a Cookie header. Parsed here rather than by Lucia's readSessionCookie, which misreads
   * pairs joined without a space (`a=1;mos_session=…`: none) or ending in `;` (the `;` taken into the id).
   */
  readCookie(cookieHeader: string | undefined, kind: PrincipalKind = "customer"): string | null {
    return parseCookies(cookieHeader)[this.lucia[kind].sessionCookieName] || null;
  }

  /**
   * The live session for an id, sliding its idle expiry; null when unknown or expired.
   *
   * Read through the adapter rather than Lucia's validateSession: Lucia renews a session only once
   * half its lifetime is gone, which turns "idle 30 min" into anything between 15 and 30, and knows
   * no absolute expiry. Here the idle expiry moves to now + idle (never past the absolute expiry),
   * written at most once a minute per session: one renewal rule, one write.
   */
  async validate(sessionId: string): Promise<SessionInfo | null> {
    const [session] = await this.adapter.getSessionAndUser(sessionId);
    if (!session) return null;
    const attrs = session.attributes as unknown as SessionAttributes;
    const now = this.options.clock.now();
    const absoluteExpiresAt = new Date(attrs.absoluteExpiresAt);
    // The adapter answers on the system clock (Lucia's): bring it back to ours.
    let expiresAt = new Date(now.getTime() + (session.expiresAt.getTime() - Date.now()));
    const wanted = new Date(Math.min(now.getTime() + this.options.idleMs, absoluteExpiresAt.getTime()));
    if (wanted.getTime() - expiresAt.getTime() >= RENEW_GRANULARITY_MS) {
      await this.options.db
        .updateTable("sessions")
        .set({ expires_at: iso(wanted) })
        .where("id", "=", sha256Hex(sessionId))
        .execute();
      expiresAt = wanted;
    }
    return { id: sessionId, principalId: session.userId, kind: attrs.kind, expiresAt, absoluteExpiresAt };
  }

  blankCookie(kind: PrincipalKind = "customer"): string {
    return this.lucia[kind].createBlankSessionCookie().serialize();
  }

  invalidate(sessionId: string): Promise<void> {
    return this.adapter.deleteSession(sessionId);
  }

  /** Ends every session of a user or staff member, except (optionally) the one in use. */
  async invalidateAllFor(principalId: string, exceptSessionId?: string): Promise<void> {
    let query = this.options.db.deleteFrom("sessions").where("user_id", "=", principalId);
    if (exceptSessionId) query = query.where("id", "!=", sha256Hex(exceptSessionId));
    await query.execute();
  }

  /**
   * What names a session on a page (ログイン中の端末) without being one: the hash the database keys it by. It
   * cannot be put in a cookie; only its user can end the session with it (`endByHandle`).
   */
  handleOf(sessionId: string): string {
    return sha256Hex(sessionId);
  }

  /**
   * A user's or staff member's live sessions, most recently used first. The last use is known to the minute:
   * the idle expiry moves to "last use + idle" at most once a minute (`validate`).
   */
  async listLive(principalId: string, kind: PrincipalKind): Promise<LiveSession[]> {
    const now = iso(this.options.clock.now());
    const rows = await this.options.db
      .selectFrom("sessions")
      .select(["id", "created_at", "expires_at", "ip", "user_agent"])
      .where("kind", "=", kind)
      .where("user_id", "=", principalId)
      .where("expires_at", ">", now)
      .where("absolute_expires_at", ">", now)
      .execute();
    return rows
      .map((r) => {
        const createdAt = new Date(r.created_at);
        const lastUse = new Date(new Date(r.expires_at).getTime() - this.options.idleMs);
        return {
          handle: r.id,
          createdAt,
          lastSeenAt: lastUse < createdAt ? createdAt : lastUse,
          ip: r.ip,
          userAgent: r.user_agent,
        };
      })
      .sort((a, b) => b.lastSeenAt.getTime() - a.lastSeenAt.getTime() || b.createdAt.getTime() - a.createdAt.getTime());
  }

  /** Ends one session of this principal, named by its handle; false when it had already ended (or is not theirs). */
  async endByHandle(principalId: string, kind: PrincipalKind, handle: string): Promise<boolean> {
    const result = await this.options.db
      .deleteFrom("sessions")
      .where("id", "=", handle)
      .where("user_id", "=", principalId)
      .where("kind", "=", kind)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  deleteExpired(): Promise<void> {
    return this.lucia.customer.deleteExpiredSessions();
  }
}
