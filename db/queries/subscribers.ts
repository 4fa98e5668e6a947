import type { Row } from "@libsql/client";
import type { Executor } from "../database.ts";
import { str, strOrNull } from "./rows.ts";

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
  const components = strOrNull(row, "component_ids");
  return {
    id: str(row, "id"),
    email: str(row, "email"),
    state: str(row, "state") as SubscriberState,
    componentIds: components === null ? null : (JSON.parse(components) as string[]),
    createdAt: str(row, "created_at"),
    confirmedAt: strOrNull(row, "confirmed_at"),
    unsubscribedAt: strOrNull(row, "unsubscribed_at"),
  };
}

export async function insertSubscriber(ex: Executor, s: SubscriberRecord): Promise<void> {
  await ex.execute({
    sql: `INSERT INTO subscribers (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    args: [
      s.id, s.email, s.state, s.componentIds === null ? null : JSON.stringify(s.componentIds),
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
      o.componentIds === null ? null : JSON.stringify(o.componentIds), o.now, o.state === "active" ? o.now : null,
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
    args: [componentIds === null ? null : JSON.stringify(componentIds), id],
  });
}

/** Replaces a subscriber's component choice (null = everything). */
export async function setSubscriberComponents(ex: Executor, id: string, componentIds: string[] | null): Promise<boolean> {
  const result = await ex.execute({
    sql: "UPDATE subscribers SET component_ids = ? WHERE id = ?",
    args: [componentIds === null ? null : JSON.stringify(componentIds), id],
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

export async function insertConfirmation(
  ex: Executor,
  c: { subscriberId: string; nonce: string; tokenHash: string; expiresAt: string; now: string },
): Promise<void> {
  await ex.execute({
    sql: `INSERT INTO subscription_confirmations (subscriber_id, nonce, token_hash, expires_at, status, attempts, next_attempt_at, created_at)
          VALUES (?, ?, ?, ?, 'pending', 0, ?, ?)`,
    args: [c.subscriberId, c.nonce, c.tokenHash, c.expiresAt, c.now, c.now],
  });
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

/** A due confirmation mail's content. */
export interface ConfirmationItem {
  id: number;
  attempts: number;
  subscriberId: string;
  email: string;
  nonce: string;
  expiresAt: string;
}

export async function firstInFlightConfirmationBatch(ex: Executor): Promise<{ batchKey: string; dueAt: string } | null> {
  const result = await ex.execute(
    `SELECT batch_key, next_attempt_at FROM subscription_confirmations INDEXED BY subscription_confirmations_in_flight
      WHERE status = 'pending' AND batch_key IS NOT NULL ORDER BY next_attempt_at LIMIT 1`,
  );
  const row = result.rows[0];
  return row ? { batchKey: str(row, "batch_key"), dueAt: str(row, "next_attempt_at") } : null;
}

/**
 * Assigns up to `limit` due confirmation mails a batch key (inside a write transaction). Mails
 * whose link has expired or was used, or whose subscriber is no longer pending, are closed as
 * failed instead of sent.
 */
export async function assignConfirmationBatch(ex: Executor, batchKey: string, now: string, limit: number): Promise<{ assigned: number; dropped: number }> {
  const candidates = await ex.execute({
    sql: `SELECT c.id, c.expires_at, c.used_at, s.state FROM subscription_confirmations c INDEXED BY subscription_confirmations_due
            JOIN subscribers s ON s.id = c.subscriber_id
           WHERE c.status = 'pending' AND c.batch_key IS NULL AND c.next_attempt_at <= ?
           ORDER BY c.next_attempt_at, c.id LIMIT ?`,
    args: [now, limit],
  });
  const keep: number[] = [];
  const drop: number[] = [];
  for (const row of candidates.rows) {
    const ok = str(row, "state") === "pending" && strOrNull(row, "used_at") === null && str(row, "expires_at") > now;
    (ok ? keep : drop).push(Number(row.id));
  }
  if (drop.length > 0) {
    await ex.execute({
      sql: `UPDATE subscription_confirmations SET status = 'failed', last_error = 'no longer needed (expired, used or not pending)'
             WHERE id IN (SELECT value FROM json_each(?))`,
      args: [JSON.stringify(drop)],
    });
  }
  if (keep.length > 0) {
    await ex.execute({
      sql: "UPDATE subscription_confirmations SET batch_key = ? WHERE id IN (SELECT value FROM json_each(?))",
      args: [batchKey, JSON.stringify(keep)],
    });
  }
  return { assigned: keep.length, dropped: drop.length };
}

export async function confirmationBatchItems(ex: Executor, batchKey: string): Promise<ConfirmationItem[]> {
  const result = await ex.execute({
    sql: `SELECT c.id, c.attempts, c.subscriber_id, s.email, c.nonce, c.expires_at
            FROM subscription_confirmations c JOIN subscribers s ON s.id = c.subscriber_id
           WHERE c.batch_key = ? AND c.status = 'pending' ORDER BY c.id`,
    args: [batchKey],
  });
  return result.rows.map((row) => ({
    id: Number(row.id),
    attempts: Number(row.attempts),
    subscriberId: str(row, "subscriber_id"),
    email: str(row, "email"),
    nonce: str(row, "nonce"),
    expiresAt: str(row, "expires_at"),
  }));
}

export async function markConfirmationSent(ex: Executor, id: number, providerMessageId: string | null, now: string): Promise<void> {
  await ex.execute({
    sql: `UPDATE subscription_confirmations SET status = 'sent', provider_message_id = ?, sent_at = ?, attempts = attempts + 1, last_error = NULL
           WHERE id = ? AND status = 'pending'`,
    args: [providerMessageId, now, id],
  });
}

export async function markConfirmationFailed(ex: Executor, id: number, error: string): Promise<void> {
  await ex.execute({
    sql: "UPDATE subscription_confirmations SET status = 'failed', last_error = ?, attempts = attempts + 1 WHERE id = ? AND status = 'pending'",
    args: [error, id],
  });
}

export async function deferConfirmationBatch(ex: Executor, batchKey: string, error: string, nextAttemptAt: string): Promise<void> {
  await ex.execute({
    sql: `UPDATE subscription_confirmations SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?
           WHERE batch_key = ? AND status = 'pending'`,
    args: [error, nextAttemptAt, batchKey],
  });
}

export async function confirmationCounts(ex: Executor): Promise<{ pending: number; sent: number; failed: number }> {
  const result = await ex.execute("SELECT status, COUNT(*) AS n FROM subscription_confirmations GROUP BY status");
  const counts = { pending: 0, sent: 0, failed: 0 };
  for (const row of result.rows) counts[str(row, "status") as keyof typeof counts] = Number(row.n);
  return counts;
}
