import type { Row } from "@libsql/client";
import type { Executor } from "../database.ts";
import { enqueueConfirmation } from "./outbox.ts";
import { str, strOrNull, componentChoiceOf, componentChoiceValue } from "./rows.ts";

export type SubscriberState = "pending" | "active" | "unsubscribed" | "quarantined";

export interface SubscriberRecord {
  id: string;
  /** Normalized: trimmed, domain lowercased, local part as given. */
  email: string;
  state: SubscriberState;
  /** null = every component. */
  componentIds: string[] | null;
  createdAt: string;
  confirmedAt: string | null;
  unsubscribedAt: string | null;
}

const COLUMNS = "id, email, state, component_ids, created_at, confirmed_at, unsubscribed_at";

function toSubscriber(row: Row): SubscriberRecord {
  return {
    id: str(row, "id"),
    email: str(row, "email"),
    state: str(row, "state") as SubscriberState,
    componentIds: componentChoiceOf(row),
    createdAt: str(row, "created_at"),
    confirmedAt: strOrNull(row, "confirmed_at"),
    unsubscribedAt: strOrNull(row, "unsubscribed_at"),
  };
}

export async function insertSubscriber(ex: Executor, s: SubscriberRecord): Promise<void> {
  await ex.execute({
    sql: `INSERT INTO subscribers (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    args: [
      s.id, s.email, s.state, componentChoiceValue(s.componentIds),
      s.createdAt, s.confirmedAt, s.unsubscribedAt,
    ],
  });
}

export async function getSubscriber(ex: Executor, id: string): Promise<SubscriberRecord | null> {
  const result = await ex.execute({ sql: `SELECT ${COLUMNS} FROM subscribers WHERE id = ?`, args: [id] });
  return result.rows[0] ? toSubscriber(result.rows[0]) : null;
}

export async function getSubscriberByEmail(ex: Executor, email: string): Promise<SubscriberRecord | null> {
  const result = await ex.execute({ sql: `SELECT ${COLUMNS} FROM subscribers WHERE email = ?`, args: [email] });
  return result.rows[0] ? toSubscriber(result.rows[0]) : null;
}

/** Confirms a pending subscriber (double opt-in). Returns false when there was nothing to confirm. */
export async function activateSubscriber(ex: Executor, id: string, now: string): Promise<boolean> {
  const result = await ex.execute({
    sql: "UPDATE subscribers SET state = 'active', confirmed_at = COALESCE(confirmed_at, ?) WHERE id = ? AND state = 'pending'",
    args: [now, id],
  });
  return result.rowsAffected > 0;
}

/** Unsubscribes (idempotent). Returns false when the id is unknown. */
export async function unsubscribeSubscriber(ex: Executor, id: string, now: string): Promise<boolean> {
  const result = await ex.execute({
    sql: "UPDATE subscribers SET state = 'unsubscribed', unsubscribed_at = COALESCE(unsubscribed_at, ?) WHERE id = ?",
    args: [now, id],
  });
  return result.rowsAffected > 0;
}

export async function setSubscriberState(ex: Executor, id: string, state: SubscriberState): Promise<void> {
  await ex.execute({ sql: "UPDATE subscribers SET state = ? WHERE id = ?", args: [state, id] });
}

/**
 * Bulk-creates `count` subscribers `<prefix><n>@<domain>` (n = 1…count) in one statement, for
 * benchmarks and tests. Ids are `<idPrefix>` followed by n zero-padded to 12 characters.
 */
export async function insertSubscribersBulk(
  ex: Executor,
  o: { count: number; idPrefix: string; emailPrefix: string; domain: string; state: SubscriberState; componentIds: string[] | null; now: string },
): Promise<number> {
  const result = await ex.execute({
    sql: `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?)
          INSERT INTO subscribers (id, email, state, component_ids, created_at, confirmed_at, unsubscribed_at)
          SELECT ? || substr('000000000000' || n, -(12 - length(?))), ? || n || '@' || ?, ?, ?, ?, ?, NULL FROM seq`,
    args: [
      o.count, o.idPrefix, o.idPrefix, o.emailPrefix, o.domain, o.state,
      componentChoiceValue(o.componentIds), o.now, o.state === "active" ? o.now : null,
    ],
  });
  return result.rowsAffected;
}

// ---------------------------------------------------------------------------------------------
// Subscriptions (double opt-in): see db/migrations/0004_subscriptions.sql.

/** An unsubscribed address asks again: back to pending (its new choice of components), not yet active. */
export async function resubscribePending(ex: Executor, id: string, componentIds: string[] | null): Promise<void> {
  await ex.execute({
    sql: "UPDATE subscribers SET state = 'pending', unsubscribed_at = NULL, component_ids = ? WHERE id = ? AND state = 'unsubscribed'",
    args: [componentChoiceValue(componentIds), id],
  });
}

/** Replaces a subscriber's component choice (null = everything). */
export async function setSubscriberComponents(ex: Executor, id: string, componentIds: string[] | null): Promise<boolean> {
  const result = await ex.execute({
    sql: "UPDATE subscribers SET component_ids = ? WHERE id = ?",
    args: [componentChoiceValue(componentIds), id],
  });
  return result.rowsAffected > 0;
}

export interface ConfirmationRecord {
  id: number;
  subscriberId: string;
  nonce: string;
  expiresAt: string;
  usedAt: string | null;
}

/** A confirmation and its mail (an outbox row) commit together: the mail is never lost. */
export async function insertConfirmation(
  ex: Executor,
  c: { subscriberId: string; nonce: string; tokenHash: string; expiresAt: string; now: string },
): Promise<void> {
  const inserted = await ex.execute({
    sql: `INSERT INTO subscription_confirmations (subscriber_id, nonce, token_hash, expires_at, created_at)
          VALUES (?, ?, ?, ?, ?)`,
    args: [c.subscriberId, c.nonce, c.tokenHash, c.expiresAt, c.now],
  });
  await enqueueConfirmation(ex, { confirmationId: Number(inserted.lastInsertRowid), subscriberId: c.subscriberId, now: c.now });
}

/** When the newest still-usable confirmation for a subscriber was created, or null when none is. */
export async function latestOpenConfirmationAt(ex: Executor, subscriberId: string, now: string): Promise<string | null> {
  const result = await ex.execute({
    sql: `SELECT MAX(created_at) AS at FROM subscription_confirmations
           WHERE subscriber_id = ? AND used_at IS NULL AND expires_at > ?`,
    args: [subscriberId, now],
  });
  const at = result.rows[0]?.at;
  return at === null || at === undefined ? null : String(at);
}

export async function getConfirmationByHash(ex: Executor, tokenHash: string): Promise<ConfirmationRecord | null> {
  const result = await ex.execute({
    sql: "SELECT id, subscriber_id, nonce, expires_at, used_at FROM subscription_confirmations WHERE token_hash = ?",
    args: [tokenHash],
  });
  const row = result.rows[0];
  return row
    ? { id: Number(row.id), subscriberId: str(row, "subscriber_id"), nonce: str(row, "nonce"), expiresAt: str(row, "expires_at"), usedAt: strOrNull(row, "used_at") }
    : null;
}

/** Marks a confirmation link used (single use). Returns false when it already was. */
export async function useConfirmation(ex: Executor, id: number, now: string): Promise<boolean> {
  const result = await ex.execute({ sql: "UPDATE subscription_confirmations SET used_at = ? WHERE id = ? AND used_at IS NULL", args: [now, id] });
  return result.rowsAffected > 0;
}
