/** Webhook subscriptions, events, deliveries and notices (db/migrations/0009_webhooks.sql). */
import type { Row } from "@libsql/client";
import type { Executor } from "../database.ts";
import { num, str, strOrNull, componentChoiceOf, componentChoiceValue } from "./rows.ts";
import type { ChatFormat, WebhookFormat } from "../../domain/chat.ts";

export type WebhookState = "active" | "quarantined" | "unsubscribed";

export interface WebhookSubscriptionRecord {
  id: string;
  endpoint: string;
  email: string;
  state: WebhookState;
  componentIds: string[] | null;
  createdAt: string;
  activeSince: string;
  quarantinedAt: string | null;
  unsubscribedAt: string | null;
  /** Statuspage's signed JSON ("herald"), or a chat service's own message. */
  format: WebhookFormat;
}

const COLUMNS = "id, endpoint, email, state, component_ids, created_at, active_since, quarantined_at, unsubscribed_at, format";

function toSubscription(row: Row): WebhookSubscriptionRecord {
  return {
    id: str(row, "id"),
    endpoint: str(row, "endpoint"),
    email: str(row, "email"),
    state: str(row, "state") as WebhookState,
    componentIds: componentChoiceOf(row),
    createdAt: str(row, "created_at"),
    activeSince: str(row, "active_since"),
    quarantinedAt: strOrNull(row, "quarantined_at"),
    unsubscribedAt: strOrNull(row, "unsubscribed_at"),
    format: str(row, "format") as WebhookFormat,
  };
}

/**
 * Registers a verified endpoint. Registering an endpoint that is already known (after it passed
 * the challenge again) makes it active again with the new contact and components, under the
 * same id (and so the same signing secret). Returns the subscription.
 */
export async function upsertWebhookSubscription(
  ex: Executor,
  s: { id: string; endpoint: string; email: string; componentIds: string[] | null; now: string; format?: WebhookFormat },
): Promise<WebhookSubscriptionRecord> {
  const result = await ex.execute({
    sql: `INSERT INTO webhook_subscriptions (id, endpoint, email, state, component_ids, created_at, active_since, format)
          VALUES (?, ?, ?, 'active', ?, ?, ?, ?)
          ON CONFLICT (endpoint) DO UPDATE SET email = excluded.email, component_ids = excluded.component_ids, state = 'active',
            active_since = excluded.active_since, quarantined_at = NULL, unsubscribed_at = NULL, format = excluded.format
          RETURNING ${COLUMNS}`,
    args: [s.id, s.endpoint, s.email, componentChoiceValue(s.componentIds), s.now, s.now, s.format ?? "herald"],
  });
  return toSubscription(result.rows[0]!);
}

export interface ChatConfirmation {
  id: string;
  endpoint: string;
  email: string;
  format: ChatFormat;
  componentIds: string[] | null;
  expiresAt: string;
  confirmedAt: string | null;
  subscriptionId: string | null;
}

/** A chat channel's registration, waiting for a member of the channel to confirm it. */
export async function insertChatConfirmation(
  ex: Executor,
  c: { id: string; endpoint: string; email: string; format: ChatFormat; componentIds: string[] | null; now: string; expiresAt: string },
): Promise<void> {
  await ex.execute({
    sql: "INSERT INTO chat_confirmations (id, endpoint, email, format, component_ids, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    args: [c.id, c.endpoint, c.email, c.format, componentChoiceValue(c.componentIds), c.now, c.expiresAt],
  });
}

export async function getChatConfirmation(ex: Executor, id: string): Promise<ChatConfirmation | null> {
  const result = await ex.execute({ sql: "SELECT * FROM chat_confirmations WHERE id = ?", args: [id] });
  const row = result.rows[0];
  if (!row) return null;
  return {
    id: str(row, "id"),
    endpoint: str(row, "endpoint"),
    email: str(row, "email"),
    format: str(row, "format") as ChatFormat,
    componentIds: componentChoiceOf(row),
    expiresAt: str(row, "expires_at"),
    confirmedAt: strOrNull(row, "confirmed_at"),
    subscriptionId: strOrNull(row, "subscription_id"),
  };
}

/** Confirmed once: false when it already was (a second press). */
export async function markChatConfirmed(ex: Executor, id: string, subscriptionId: string, now: string): Promise<boolean> {
  const result = await ex.execute({ sql: "UPDATE chat_confirmations SET confirmed_at = ?, subscription_id = ? WHERE id = ? AND confirmed_at IS NULL", args: [now, subscriptionId, id] });
  return result.rowsAffected > 0;
}

export async function getWebhookSubscription(ex: Executor, id: string): Promise<WebhookSubscriptionRecord | null> {
  const result = await ex.execute({ sql: `SELECT ${COLUMNS} FROM webhook_subscriptions WHERE id = ?`, args: [id] });
  return result.rows[0] ? toSubscription(result.rows[0]) : null;
}

async function cancelPending(ex: Executor, subscriptionId: string, reason: string): Promise<void> {
  await ex.execute({
    sql: "UPDATE webhook_deliveries SET status = 'cancelled', last_error = ? WHERE subscription_id = ? AND status = 'pending'",
    args: [reason, subscriptionId],
  });
}

/** Unsubscribes (idempotent): nothing more is sent, pending deliveries are cancelled. False when unknown. */
export async function unsubscribeWebhook(ex: Executor, id: string, now: string): Promise<boolean> {
  const result = await ex.execute({
    sql: "UPDATE webhook_subscriptions SET state = 'unsubscribed', unsubscribed_at = COALESCE(unsubscribed_at, ?) WHERE id = ?",
    args: [now, id],
  });
  if (result.rowsAffected > 0) await cancelPending(ex, id, "unsubscribed");
  return result.rowsAffected > 0;
}

/** Lifts a quarantine; failures before `now` no longer count. False when it was not quarantined. */
export async function reactivateWebhook(ex: Executor, id: string, now: string): Promise<boolean> {
  const result = await ex.execute({
    sql: "UPDATE webhook_subscriptions SET state = 'active', active_since = ?, quarantined_at = NULL WHERE id = ? AND state = 'quarantined'",
    args: [now, id],
  });
  return result.rowsAffected > 0;
}

/**
 * Quarantines an active subscription: no more deliveries (pending ones are cancelled) and one
 * notice mail to its contact. False when it was not active (already quarantined: no second mail).
 */
export async function quarantineWebhook(ex: Executor, id: string, now: string, failures: number, lastError: string | null): Promise<boolean> {
  const result = await ex.execute({
    sql: "UPDATE webhook_subscriptions SET state = 'quarantined', quarantined_at = ? WHERE id = ? AND state = 'active'",
    args: [now, id],
  });
  if (result.rowsAffected === 0) return false;
  await cancelPending(ex, id, "quarantined");
  await ex.execute({
    sql: `INSERT INTO webhook_notices (subscription_id, quarantined_at, failures, last_error, next_attempt_at, created_at)
          VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (subscription_id, quarantined_at) DO NOTHING`,
    args: [id, now, failures, lastError, now, now],
  });
  return true;
}

export interface WebhookListRow extends WebhookSubscriptionRecord {
  failuresInWindow: number;
  pending: number;
  delivered: number;
  lastError: string | null;
}

/** Every subscription with its failures since `windowStart` (and after its last activation) and delivery counts. */
export async function listWebhookSubscriptions(ex: Executor, windowStart: string): Promise<WebhookListRow[]> {
  const result = await ex.execute({
    sql: `SELECT ${COLUMNS},
            (SELECT COUNT(*) FROM webhook_attempts a WHERE a.subscription_id = s.id AND a.ok = 0 AND a.at >= ? AND a.at > s.active_since) AS failures,
            (SELECT COUNT(*) FROM webhook_deliveries d WHERE d.subscription_id = s.id AND d.status = 'pending') AS pending,
            (SELECT COUNT(*) FROM webhook_deliveries d WHERE d.subscription_id = s.id AND d.status = 'delivered') AS delivered,
            (SELECT a.error FROM webhook_attempts a WHERE a.subscription_id = s.id ORDER BY a.id DESC LIMIT 1) AS last_error
          FROM webhook_subscriptions s ORDER BY s.created_at, s.id`,
    args: [windowStart],
  });
  return result.rows.map((row) => ({
    ...toSubscription(row),
    failuresInWindow: num(row, "failures"),
    pending: num(row, "pending"),
    delivered: num(row, "delivered"),
    lastError: strOrNull(row, "last_error"),
  }));
}

export async function hasActiveWebhookSubscriptions(ex: Executor): Promise<boolean> {
  const result = await ex.execute("SELECT 1 FROM webhook_subscriptions WHERE state = 'active' LIMIT 1");
  return result.rows.length > 0;
}

/**
 * Stores an event and fans it out in one INSERT … SELECT: a delivery for every active
 * subscription whose component filter is NULL (everything) or shares a component with
 * `componentIds`. Returns the number of deliveries.
 */
export async function insertWebhookEvent(
  ex: Executor,
  e: { id: string; kind: "incident" | "component"; payload: string; componentIds: readonly string[]; now: string; updateId?: string },
): Promise<number> {
  await ex.execute({ sql: "INSERT INTO webhook_events (id, kind, payload, created_at, update_id) VALUES (?, ?, ?, ?, ?)", args: [e.id, e.kind, e.payload, e.now, e.updateId ?? null] });
  const result = await ex.execute({
    sql: `INSERT INTO webhook_deliveries (event_id, subscription_id, next_attempt_at, created_at)
          SELECT ?, s.id, ?, ?
            FROM webhook_subscriptions s
           WHERE s.state = 'active'
             AND (s.component_ids IS NULL
                  OR EXISTS (SELECT 1 FROM json_each(s.component_ids) AS mine WHERE mine.value IN (SELECT value FROM json_each(?))))
           ORDER BY s.rowid
          ON CONFLICT (event_id, subscription_id) DO NOTHING`,
    args: [e.id, e.now, e.now, JSON.stringify(e.componentIds)],
  });
  return result.rowsAffected;
}

/** A cheap read before the write that leases: an idle sender takes no write lock. */
export async function hasDueDeliveries(ex: Executor, now: string): Promise<boolean> {
  const result = await ex.execute({ sql: "SELECT 1 FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ? LIMIT 1", args: [now] });
  return result.rows.length > 0;
}

export interface DueDelivery {
  id: number;
  eventId: string;
  subscriptionId: string;
  attempts: number;
  endpoint: string;
  format: WebhookFormat;
  payload: string;
  eventCreatedAt: string;
}

/**
 * Takes up to `limit` due deliveries, at most one per subscription (its oldest due one, so a
 * receiver sees events in order when it is healthy and one failing endpoint cannot fill a run),
 * and leases them until `leaseUntil`. Call inside a write transaction.
 */
export async function claimDueDeliveries(ex: Executor, now: string, leaseUntil: string, limit: number): Promise<DueDelivery[]> {
  const result = await ex.execute({
    sql: `SELECT d.id, d.event_id, d.subscription_id, d.attempts, s.endpoint, s.format, e.payload, e.created_at AS event_created_at
            FROM webhook_deliveries d
            JOIN webhook_subscriptions s ON s.id = d.subscription_id
            JOIN webhook_events e ON e.id = d.event_id
           WHERE d.status = 'pending' AND d.next_attempt_at <= ? AND s.state = 'active'
             AND d.id = (SELECT d2.id FROM webhook_deliveries d2
                          WHERE d2.subscription_id = d.subscription_id AND d2.status = 'pending' AND d2.next_attempt_at <= ?
                          ORDER BY d2.id LIMIT 1)
           ORDER BY d.next_attempt_at, d.id
           LIMIT ?`,
    args: [now, now, limit],
  });
  const items = result.rows.map((row) => ({
    id: num(row, "id"),
    eventId: str(row, "event_id"),
    subscriptionId: str(row, "subscription_id"),
    attempts: num(row, "attempts"),
    endpoint: str(row, "endpoint"),
    format: str(row, "format") as WebhookFormat,
    payload: str(row, "payload"),
    eventCreatedAt: str(row, "event_created_at"),
  }));
  if (items.length > 0) {
    await ex.execute({
      sql: "UPDATE webhook_deliveries SET next_attempt_at = ? WHERE id IN (SELECT value FROM json_each(?))",
      args: [leaseUntil, JSON.stringify(items.map((i) => i.id))],
    });
  }
  return items;
}

export async function recordAttempt(
  ex: Executor,
  a: { deliveryId: number; subscriptionId: string; at: string; ok: boolean; httpStatus: number | null; error: string | null; durationMs: number },
): Promise<void> {
  await ex.execute({
    sql: `INSERT INTO webhook_attempts (delivery_id, subscription_id, at, ok, http_status, error, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    args: [a.deliveryId, a.subscriptionId, a.at, a.ok ? 1 : 0, a.httpStatus, a.error, a.durationMs],
  });
}

/** Closes a delivery: delivered (2xx) or failed for good; or, with `nextAttemptAt`, leaves it pending for a retry. */
export async function settleDelivery(
  ex: Executor,
  id: number,
  outcome: { status: "delivered"; at: string } | { status: "failed"; error: string } | { status: "pending"; error: string; nextAttemptAt: string },
): Promise<void> {
  if (outcome.status === "delivered") {
    await ex.execute({
      sql: "UPDATE webhook_deliveries SET status = 'delivered', delivered_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ? AND status = 'pending'",
      args: [outcome.at, id],
    });
  } else if (outcome.status === "failed") {
    await ex.execute({
      sql: "UPDATE webhook_deliveries SET status = 'failed', attempts = attempts + 1, last_error = ? WHERE id = ? AND status = 'pending'",
      args: [outcome.error, id],
    });
  } else {
    await ex.execute({
      sql: "UPDATE webhook_deliveries SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ? AND status = 'pending'",
      args: [outcome.error, outcome.nextAttemptAt, id],
    });
  }
}

/** Failed requests to a subscription since `since` and after it last became active (a reactivation starts afresh). */
export async function countFailuresSince(ex: Executor, subscriptionId: string, since: string): Promise<number> {
  const result = await ex.execute({
    sql: `SELECT COUNT(*) AS n FROM webhook_attempts a JOIN webhook_subscriptions s ON s.id = a.subscription_id
           WHERE a.subscription_id = ? AND a.ok = 0 AND a.at >= ? AND a.at > s.active_since`,
    args: [subscriptionId, since],
  });
  return num(result.rows[0]!, "n");
}

export interface DueNotice {
  id: number;
  subscriptionId: string;
  email: string;
  endpoint: string;
  quarantinedAt: string;
  failures: number;
  lastError: string | null;
  attempts: number;
}

export async function dueNotices(ex: Executor, now: string, limit: number): Promise<DueNotice[]> {
  const result = await ex.execute({
    sql: `SELECT n.id, n.subscription_id, s.email, s.endpoint, n.quarantined_at, n.failures, n.last_error, n.attempts
            FROM webhook_notices n JOIN webhook_subscriptions s ON s.id = n.subscription_id
           WHERE n.status = 'pending' AND n.next_attempt_at <= ? ORDER BY n.id LIMIT ?`,
    args: [now, limit],
  });
  return result.rows.map((row) => ({
    id: num(row, "id"),
    subscriptionId: str(row, "subscription_id"),
    email: str(row, "email"),
    endpoint: str(row, "endpoint"),
    quarantinedAt: str(row, "quarantined_at"),
    failures: num(row, "failures"),
    lastError: strOrNull(row, "last_error"),
    attempts: num(row, "attempts"),
  }));
}

export async function settleNotice(
  ex: Executor,
  id: number,
  outcome: { status: "sent"; providerMessageId: string | null; at: string } | { status: "failed"; error: string } | { status: "pending"; error: string; nextAttemptAt: string },
): Promise<void> {
  if (outcome.status === "sent") {
    await ex.execute({
      sql: "UPDATE webhook_notices SET status = 'sent', provider_message_id = ?, sent_at = ?, attempts = attempts + 1, send_error = NULL WHERE id = ? AND status = 'pending'",
      args: [outcome.providerMessageId, outcome.at, id],
    });
  } else if (outcome.status === "failed") {
    await ex.execute({ sql: "UPDATE webhook_notices SET status = 'failed', attempts = attempts + 1, send_error = ? WHERE id = ? AND status = 'pending'", args: [outcome.error, id] });
  } else {
    await ex.execute({
      sql: "UPDATE webhook_notices SET attempts = attempts + 1, send_error = ?, next_attempt_at = ? WHERE id = ? AND status = 'pending'",
      args: [outcome.error, outcome.nextAttemptAt, id],
    });
  }
}
