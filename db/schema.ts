/**
 * Table types. Ids are random text (not enumerable, portable to PostgreSQL);
 * timestamps are ISO-8601 UTC strings of fixed width (`Date#toISOString`), so they
 * compare correctly as text on every dialect; booleans are 0/1 integers.
 */
export interface AccountTable {
  id: string;
  login_id: string;
  company_name: string;
  status: "active" | "disabled";
  created_at: string;
  /** The login ID lower-cased: 顧客管理's search by prefix (migration 0006, normalize.ts accountSearchKeys). */
  login_key: string;
  /** The company name normalised for 顧客管理's search by prefix (normalize.ts accountSearchKeys). */
  company_key: string;
  /** 利用停止: when and by which staff member (null while active). */
  suspended_at: string | null;
  suspended_by: string | null;
}

export interface UserTable {
  id: string;
  account_id: string;
  email: string;
  email_normalized: string;
  name: string;
  password_hash: string | null;
  status: "pending" | "active";
  must_change_password: number;
  mfa_enabled: number;
  created_at: string;
  password_changed_at: string | null;
}

export interface StaffTable {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  role: "admin" | "operator";
  status: "active" | "disabled";
  created_at: string;
}

export interface SessionTable {
  /** SHA-256 (hex) of the session id held by the browser; the id itself is never stored. */
  id: string;
  user_id: string;
  kind: "customer" | "staff";
  /** Idle expiry: pushed forward while the session is used. */
  expires_at: string;
  absolute_expires_at: string;
  ip: string | null;
  user_agent: string | null;
  created_at: string;
}

export interface MailOutboxTable {
  id: string;
  to_address: string;
  template: string;
  subject: string;
  status: "pending" | "sending" | "sent" | "failed";
  attempts: number;
  next_attempt_at: string;
  locked_until: string | null;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
}

/** An outbox mail's body (migration 0022): written once, apart from the row the worker updates. */
export interface MailBodyTable {
  outbox_id: string;
  html: string;
  text: string;
}

/** A file attached to an outbox mail (migration 0020): the bytes as base64. */
export interface MailAttachmentTable {
  id: string;
  outbox_id: string;
  /** Order within the mail, from 0. */
  position: number;
  filename: string;
  content_type: string;
  /** Bytes (decoded). */
  size: number;
  content_base64: string;
  created_at: string;
}

export interface DevMailboxTable {
  id: string;
  outbox_id: string;
  to_address: string;
  from_address: string;
  subject: string;
  text: string;
  html: string;
  created_at: string;
}

export interface AuditEventTable {
  id: string;
  at: string;
  actor_type: "customer" | "staff" | "system" | "anonymous";
  actor_id: string | null;
  account_id: string | null;
  action: string;
  target: string | null;
  ip: string | null;
  user_agent: string | null;
  result: "success" | "failure";
  details: string | null;
}

export type VerificationPurpose =
  | "login_otp"
  | "staff_login_otp"
  | "password_reset"
  | "password_setup"
  | "email_change_request"
  | "email_change_confirm"
  | "login_report";

export interface VerificationTable {
  id: string;
  purpose: VerificationPurpose;
  user_id: string;
  /** SHA-256 of the secret the user holds (a link token, or the login challenge cookie). */
  lookup_hash: string;
  /** HMAC of a one-time code, for login_otp. */
  code_hash: string | null;
  payload: string | null;
  attempts: number;
  sent_count: number;
  last_sent_at: string;
  expires_at: string;
  used_at: string | null;
  created_at: string;
}

export interface LoginFailureTable {
  /** login ID + "\n" + normalized email, whether or not they exist. */
  key: string;
  consecutive: number;
  last_failed_at: string;
  locked_until: string | null;
}

export interface RateBucketTable {
  key: string;
  window_start: string;
  count: number;
}

export interface ProductTable {
  id: string;
  model_no: string;
  maker: string;
  name: string;
  category: string;
  spec_summary: string;
  daily_price: number;
  monthly_price: number;
  active: number;
  search_text: string;
  /** 型番 / 商品名 normalised for 商品管理's prefix search (migration 0007; byte order). */
  model_key: string;
  name_key: string;
  /** The search_text that this product's rows of product_search_grams were written from (migration 0010). */
  search_text_indexed: string;
  created_at: string;
}

/**
 * The catalog search's n-gram index (migration 0010, docs/decisions/016): one row per distinct bigram of a
 * product's search_text (a word's last character paired with a space). Written only by catalog.ts.
 */
/** The catalog's version (one row, id 1): counted up by every product write; caches key on it. */
export interface CatalogStateTable {
  id: number;
  version: number;
}

export interface ProductSearchGramTable {
  gram: string;
  product_id: string;
}

export interface DeliveryTemplateTable {
  id: string;
  account_id: string;
  name: string;
  company: string;
  department: string;
  person: string;
  postal_code: string;
  address: string;
  building: string;
  phone: string;
  created_at: string;
  updated_at: string;
}

export type ApplicationKind = "quote" | "order" | "cancellation" | "extension";

export interface DraftLineTable {
  id: string;
  user_id: string;
  kind: "quote" | "order";
  product_id: string;
  quantity: number;
  created_at: string;
  /** The answered quote (applications.id) whose この見積で注文する put this line in the order form. */
  quote_id: string | null;
  /** The order or quote (applications.id) whose この内容で再注文 put this line in the order form. */
  source_id: string | null;
}

export interface NumberSequenceTable {
  kind: ApplicationKind;
  year: number;
  last_value: number;
}

export interface ApplicationTable {
  id: string;
  number: string;
  account_id: string;
  user_id: string;
  kind: ApplicationKind;
  intake_status: "pending" | "accepted" | "failed";
  intake_error: string | null;
  intake_attempts: number;
  intake_next_attempt_at: string;
  intake_locked_until: string | null;
  arranged_at: string | null;
  arranged_by: string | null;
  start_date: string | null;
  period_unit: "day" | "month" | null;
  period: number | null;
  return_date: string | null;
  rental_id: string | null;
  delivery_company: string;
  delivery_department: string;
  delivery_person: string;
  delivery_postal_code: string;
  delivery_address: string;
  delivery_building: string;
  delivery_phone: string;
  notes: string;
  po_number: string;
  idempotency_key: string;
  created_at: string;
  /** Quote answered by staff (見積回答): when, by whom (staff id), until when the prices hold, a comment. */
  answered_at: string | null;
  answered_by: string | null;
  valid_until: string | null;
  answer_comment: string | null;
  /** Cancellation's goods back (返却確認): when, by whom (staff id). */
  returned_at: string | null;
  returned_by: string | null;
  /** An order placed from an answered quote (この見積で注文する): the quote's applications.id. */
  quote_id: string | null;
  /** 延長申込: the 返却予定日 asked for, and the rental's 返却予定日 when it was asked (migration 0019). */
  requested_end_date: string | null;
  previous_end_date: string | null;
  /** 延長確認 by staff: when, by whom (staff id); the rental's 返却予定日 moved then. */
  confirmed_at: string | null;
  confirmed_by: string | null;
}

export interface ApplicationLineTable {
  id: string;
  application_id: string;
  line_no: number;
  product_id: string;
  model_no: string;
  product_name: string;
  quantity: number;
  rental_line_id: string | null;
  /**
   * Yen per item for the whole rental, set by the quote answer (見積回答); on an order placed from a quote
   * whose prices held, the quoted 単価 copied at submission. Null otherwise.
   */
  unit_price: number | null;
  /** The catalog's 日額 or 月額 (by the period unit) at submission, yen before tax; null on cancellations. */
  list_price: number | null;
}

export interface RentalTable {
  id: string;
  contract_no: string;
  account_id: string;
  order_application_id: string;
  status: "active" | "closed";
  start_date: string;
  /** 返却予定日: the start plus the order's period (null without one), set when the order is arranged. */
  due_date: string | null;
  created_at: string;
  /** Set when the last item came back (status closed). */
  ended_at: string | null;
}

/** 返却予定のお知らせ sent: one per rental and 返却予定日 (migration 0017). */
export interface ReturnReminderTable {
  rental_id: string;
  due_date: string;
  sent_at: string;
}

/** 認証アプリ: a user's TOTP key, sealed (migration 0018, ADR 022). */
export interface UserTotpTable {
  user_id: string;
  /** The key encrypted with AES-256-GCM (server/lib/secret-box.ts), bound to the user. */
  secret_sealed: string;
  /** Null while the enrolment waits for its first code. */
  confirmed_at: string | null;
  /** The newest 30-second step a code was taken for; only a later one is taken next. */
  last_step: number;
  created_at: string;
}

/** リカバリーコード: each an HMAC with the pepper; used once. */
export interface RecoveryCodeTable {
  id: string;
  user_id: string;
  code_hash: string;
  used_at: string | null;
  created_at: string;
}

export interface RentalLineTable {
  id: string;
  rental_id: string;
  line_no: number;
  product_id: string;
  model_no: string;
  product_name: string;
  quantity: number;
  quantity_cancel_requested: number;
  quantity_returned: number;
  /** This line's own 返却予定日 after an extension of some lines (migration 0021); null: the rental's. */
  due_date: string | null;
}

export interface Database {
  accounts: AccountTable;
  users: UserTable;
  staff: StaffTable;
  sessions: SessionTable;
  mail_outbox: MailOutboxTable;
  mail_bodies: MailBodyTable;
  mail_attachments: MailAttachmentTable;
  dev_mailbox: DevMailboxTable;
  audit_events: AuditEventTable;
  verifications: VerificationTable;
  login_failures: LoginFailureTable;
  rate_buckets: RateBucketTable;
  products: ProductTable;
  product_search_grams: ProductSearchGramTable;
  catalog_state: CatalogStateTable;
  delivery_templates: DeliveryTemplateTable;
  draft_lines: DraftLineTable;
  number_sequences: NumberSequenceTable;
  applications: ApplicationTable;
  application_lines: ApplicationLineTable;
  rentals: RentalTable;
  rental_lines: RentalLineTable;
  return_reminders: ReturnReminderTable;
  user_totp: UserTotpTable;
  recovery_codes: RecoveryCodeTable;
}
