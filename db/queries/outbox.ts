import type { Row } from "@libsql/client";
import type { Executor } from "../database.ts";
import type { IncidentKind } from "../records.ts";
import { num, str, strOrNull } from "./rows.ts";

/** Freezes what the mails about one update say (idempotent per update). */
export async function insertOutboxUpdate(
  ex: Executor,
  u: { updateId: string; incidentId: string; incidentKind: IncidentKind; incidentName: string; createdAt: string; details: unknown },
): Promise<void> {
  await ex.execute({
    sql: `INSERT INTO outbox_updates (update_id, incident_id, incident_kind, incident_name, created_at, details)
          VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (update_id) DO NOTHING`,
    args: [u.updateId, u.incidentId, u.incidentKind, u.incidentName, u.createdAt, JSON.stringify(u.details)],
  });
}

/** Freezes what the postmortem notice says (idempotent: one notice per postmortem). */
export async function insertOutboxPostmortem(
  ex: Executor,
  p: { incidentId: string; incidentName: string; incidentStartedAt: string; body: string; publishedAt: string; createdAt: string },
): Promise<void> {
  await ex.execute({
    sql: `INSERT INTO outbox_postmortems (postmortem_id, incident_name, incident_started_at, body, published_at, created_at)
          VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (postmortem_id) DO NOTHING`,
    args: [p.incidentId, p.incidentName, p.incidentStartedAt, p.body, p.publishedAt, p.createdAt],
  });
}

/** What an outbox row carries: an incident update, or the postmortem notice of an incident. */
export type OutboxSubject = { kind: "update"; updateId: string } | { kind: "postmortem"; incidentId: string };

/**
 * One statement for the whole fan-out: a pending row for every active subscriber whose filter
 * is NULL (everything) or shares a component with `componentIds`. A (subject, subscriber) pair
 * already present is left alone (the outbox's UNIQUE constraints). Returns the number of rows enqueued.
 */
export async function enqueueFor(ex: Executor, subject: OutboxSubject, componentIds: readonly string[], now: string): Promise<number> {
  const [column, id] = subject.kind === "update" ? ["update_id", subject.updateId] : ["postmortem_id", subject.incidentId];
  const result = await ex.execute({
    sql: `INSERT INTO outbox (kind, ${column}, subscriber_id, status, attempts, next_attempt_at, created_at)
          SELECT ?, ?, s.id, 'pending', 0, ?, ?
            FROM subscribers s
           WHERE s.state = 'active'
             AND (s.component_ids IS NULL
                  OR EXISTS (SELECT 1 FROM json_each(s.component_ids) AS mine
                              WHERE mine.value IN (SELECT value FROM json_each(?))))
           ORDER BY s.rowid
          ON CONFLICT (${column}, subscriber_id) DO NOTHING`,
    args: [subject.kind, id, now, now, JSON.stringify(componentIds)],
  });
  return result.rowsAffected;
}

/** An update's fan-out (see enqueueFor). */
export function enqueueForUpdate(ex: Executor, updateId: string, componentIds: readonly string[], now: string): Promise<number> {
  return enqueueFor(ex, { kind: "update", updateId }, componentIds, now);
}

/** A double opt-in confirmation mail, in the same transaction as the confirmation it carries. */
export async function enqueueConfirmation(ex: Executor, c: { confirmationId: number; subscriberId: string; now: string }): Promise<void> {
  await ex.execute({
    sql: `INSERT INTO outbox (kind, priority, confirmation_id, subscriber_id, status, attempts, next_attempt_at, created_at)
          VALUES ('confirmation', 0, ?, ?, 'pending', 0, ?, ?)`,
    args: [c.confirmationId, c.subscriberId, c.now, c.now],
  });
}

/** A console sign-in mail, in the same transaction as the link it carries. */
export async function enqueueSignIn(ex: Executor, s: { signInId: number; now: string }): Promise<void> {
  await ex.execute({
    sql: `INSERT INTO outbox (kind, priority, sign_in_id, status, attempts, next_attempt_at, created_at)
          VALUES ('sign_in', 0, ?, 'pending', 0, ?, ?)`,
    args: [s.signInId, s.now, s.now],
  });
}

/**
 * The in-flight batch (assigned a key, still pending) whose retry is due soonest, if any: its key
 * and when it is due. Each batch keeps its own schedule: one that keeps failing waits alone while
 * fresh batches go out (the provider's rate limit is the only bound they share).
 */
export async function firstInFlightBatch(ex: Executor): Promise<{ batchKey: string; dueAt: string } | null> {
  const result = await ex.execute(
    `SELECT batch_key, next_attempt_at FROM outbox INDEXED BY outbox_in_flight WHERE status = 'pending' AND batch_key IS NOT NULL
      ORDER BY next_attempt_at LIMIT 1`,
  );
  const row = result.rows[0];
  return row ? { batchKey: str(row, "batch_key"), dueAt: str(row, "next_attempt_at") } : null;
}

/**
 * Why a row picked for a batch is closed instead of sent, or null when it is still wanted: a
 * notice goes only to an active subscriber; a confirmation only to a pending one whose link is
 * unused and unexpired; a sign-in link only to a current member while it is unused and unexpired.
 */
function noLongerWanted(row: Row, now: string): string | null {
  const kind = str(row, "kind");
  if (kind === "sign_in") {
    const wanted = strOrNull(row, "link_used_at") === null && str(row, "link_expires_at") > now && strOrNull(row, "removed_at") === null;
    return wanted ? null : "no longer needed (sign-in link expired or used, or member removed)";
  }
  const state = str(row, "state");
  if (kind !== "confirmation") return state === "active" ? null : "subscriber no longer active";
  const wanted = state === "pending" && strOrNull(row, "used_at") === null && str(row, "expires_at") > now;
  return wanted ? null : "no longer needed (expired, used or not pending)";
}

/**
 * Picks up to `limit` due pending rows not yet in a batch — confirmations first, then oldest due
 * — and assigns them `batchKey` (call inside a write transaction, so two senders never take the
 * same rows). Rows no longer wanted (see noLongerWanted) are closed as failed instead.
 */
export async function assignBatch(ex: Executor, batchKey: string, now: string, limit: number): Promise<{ assigned: number; dropped: number }> {
  const candidates = await ex.execute({
    sql: `SELECT o.id, o.kind, s.state, c.used_at, c.expires_at, l.used_at AS link_used_at, l.expires_at AS link_expires_at, m.removed_at
            FROM outbox o INDEXED BY outbox_due_new
            LEFT JOIN subscribers s ON s.id = o.subscriber_id
            LEFT JOIN subscription_confirmations c ON c.id = o.confirmation_id
            LEFT JOIN console_sign_in_links l ON l.id = o.sign_in_id
            LEFT JOIN members m ON m.id = l.member_id
           WHERE o.status = 'pending' AND o.batch_key IS NULL AND o.next_attempt_at <= ?
           ORDER BY o.priority, o.next_attempt_at, o.id LIMIT ?`,
    args: [now, limit],
  });
  const keep: number[] = [];
  const drop = new Map<string, number[]>();
  for (const row of candidates.rows) {
    const reason = noLongerWanted(row, now);
    if (reason === null) keep.push(num(row, "id"));
    else drop.set(reason, [...(drop.get(reason) ?? []), num(row, "id")]);
  }
  for (const [reason, ids] of drop) {
    await ex.execute({
      sql: "UPDATE outbox SET status = 'failed', last_error = ? WHERE id IN (SELECT value FROM json_each(?))",
      args: [reason, JSON.stringify(ids)],
    });
  }
  if (keep.length > 0) {
    await ex.execute({
      sql: "UPDATE outbox SET batch_key = ? WHERE id IN (SELECT value FROM json_each(?))",
      args: [batchKey, JSON.stringify(keep)],
    });
  }
  return { assigned: keep.length, dropped: candidates.rows.length - keep.length };
}

interface ItemBase {
  id: number;
  attempts: number;
  email: string;
}

/**
 * A notice: an incident or maintenance update, or the postmortem notice of an incident. A
 * postmortem row reads as an update whose status is "postmortem", whose body is the frozen
 * postmortem text and whose time is its publication.
 */
export interface NoticeItem extends ItemBase {
  kind: "update" | "postmortem";
  subscriberId: string;
  /** The update's id, or the incident's for a postmortem notice. */
  updateId: string;
  updateStatus: string;
  updateBody: string;
  updateCreatedAt: string;
  incidentId: string;
  incidentKind: IncidentKind;
  incidentName: string;
  /** When the incident started (the date a postmortem notice is about). */
  incidentStartedAt: string;
  /** What the mail shows beside the words, frozen at enqueue (api/mail/message.ts MailDetails); null when none was. */
  details: unknown;
}

/** A double opt-in confirmation mail: the link is derived from the nonce, so a resend is byte-identical. */
export interface ConfirmationItem extends ItemBase {
  kind: "confirmation";
  subscriberId: string;
  nonce: string;
  expiresAt: string;
}

/** A console sign-in link for a member: derived from the nonce too, so a resend is byte-identical. */
export interface SignInItem extends ItemBase {
  kind: "sign_in";
  memberName: string;
  nonce: string;
  expiresAt: string;
}

/** Everything needed to build one message of a batch. */
export type OutboxItem = NoticeItem | ConfirmationItem | SignInItem;

/** The messages of one batch, in a stable order (by outbox id). */
export async function batchItems(ex: Executor, batchKey: string): Promise<OutboxItem[]> {
  const result = await ex.execute({
    sql: `SELECT o.id, o.attempts, o.kind, o.subscriber_id, COALESCE(s.email, m.email) AS email, m.name AS member_name,
                 COALESCE(o.update_id, o.postmortem_id) AS update_id,
                 COALESCE(u.status, 'postmortem') AS update_status,
                 COALESCE(u.body, op.body) AS body,
                 COALESCE(u.created_at, op.published_at) AS update_created_at,
                 COALESCE(ou.incident_id, o.postmortem_id) AS incident_id,
                 COALESCE(ou.incident_kind, 'incident') AS incident_kind,
                 COALESCE(ou.incident_name, op.incident_name) AS incident_name,
                 COALESCE(op.incident_started_at, i.started_at) AS incident_started_at,
                 ou.details,
                 COALESCE(c.nonce, l.nonce) AS nonce, COALESCE(c.expires_at, l.expires_at) AS expires_at
            FROM outbox o INDEXED BY outbox_in_flight
            LEFT JOIN subscribers s ON s.id = o.subscriber_id
            LEFT JOIN console_sign_in_links l ON l.id = o.sign_in_id
            LEFT JOIN members m ON m.id = l.member_id
            LEFT JOIN incident_updates u ON u.id = o.update_id
            LEFT JOIN outbox_updates ou ON ou.update_id = o.update_id
            LEFT JOIN incidents i ON i.id = ou.incident_id
            LEFT JOIN outbox_postmortems op ON op.postmortem_id = o.postmortem_id
            LEFT JOIN subscription_confirmations c ON c.id = o.confirmation_id
           WHERE o.batch_key = ? AND o.batch_key IS NOT NULL AND o.status = 'pending'
           ORDER BY o.id`,
    args: [batchKey],
  });
  return result.rows.map((row: Row): OutboxItem => {
    const base = { id: num(row, "id"), attempts: num(row, "attempts"), email: str(row, "email") };
    const kind = str(row, "kind") as OutboxItem["kind"];
    if (kind === "sign_in") return { ...base, kind, memberName: str(row, "member_name"), nonce: str(row, "nonce"), expiresAt: str(row, "expires_at") };
    const subscriberId = str(row, "subscriber_id");
    if (kind === "confirmation") return { ...base, kind, subscriberId, nonce: str(row, "nonce"), expiresAt: str(row, "expires_at") };
    return {
      ...base,
      kind,
      subscriberId,
      updateId: str(row, "update_id"),
      updateStatus: str(row, "update_status"),
      updateBody: str(row, "body"),
      updateCreatedAt: str(row, "update_created_at"),
      incidentId: str(row, "incident_id"),
      incidentKind: str(row, "incident_kind") as IncidentKind,
      incidentName: str(row, "incident_name"),
      incidentStartedAt: str(row, "incident_started_at"),
      details: parseDetails(strOrNull(row, "details")),
    };
  });
}

function parseDetails(json: string | null): unknown {
  if (json === null) return null;
  try {
    return JSON.parse(json);
  } catch {
    return null; // a row written by hand: the mail shows the words alone
  }
}

export async function markSent(ex: Executor, id: number, providerMessageId: string | null, now: string): Promise<void> {
  await ex.execute({
    sql: `UPDATE outbox SET status = 'sent', provider_message_id = ?, sent_at = ?, attempts = attempts + 1, last_error = NULL
           WHERE id = ? AND status = 'pending'`,
    args: [providerMessageId, now, id],
  });
}

export async function markFailed(ex: Executor, id: number, error: string): Promise<void> {
  await ex.execute({
    sql: "UPDATE outbox SET status = 'failed', last_error = ?, attempts = attempts + 1 WHERE id = ? AND status = 'pending'",
    args: [error, id],
  });
}

/** A retryable failure of a whole batch: same rows, same key, later. */
export async function deferBatch(ex: Executor, batchKey: string, error: string, nextAttemptAt: string): Promise<void> {
  await ex.execute({
    sql: `UPDATE outbox INDEXED BY outbox_in_flight SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?
           WHERE batch_key = ? AND batch_key IS NOT NULL AND status = 'pending'`,
    args: [error, nextAttemptAt, batchKey],
  });
}

export interface OutboxCounts {
  pending: number;
  sent: number;
  failed: number;
}

async function countByStatus(ex: Executor, sql: string): Promise<OutboxCounts> {
  const counts: OutboxCounts = { pending: 0, sent: 0, failed: 0 };
  for (const row of (await ex.execute(sql)).rows) counts[str(row, "status") as keyof OutboxCounts] = num(row, "n");
  return counts;
}

/** Confirmation mails by delivery status. */
export function confirmationCounts(ex: Executor): Promise<OutboxCounts> {
  return countByStatus(ex, "SELECT status, COUNT(*) AS n FROM outbox INDEXED BY outbox_confirmation WHERE confirmation_id IS NOT NULL GROUP BY status");
}

/** Console sign-in mails by delivery status. */
export function signInCounts(ex: Executor): Promise<OutboxCounts> {
  return countByStatus(ex, "SELECT status, COUNT(*) AS n FROM outbox INDEXED BY outbox_sign_in WHERE sign_in_id IS NOT NULL GROUP BY status");
}

/**
 * Notices to subscribers (updates and postmortems) by delivery status: every row less the
 * confirmations and sign-in mails, so that every count reads indexes only (outbox_status covers the first).
 */
export async function outboxCounts(ex: Executor): Promise<OutboxCounts> {
  const [all, confirmations, signIns] = await Promise.all([countByStatus(ex, "SELECT status, COUNT(*) AS n FROM outbox GROUP BY status"), confirmationCounts(ex), signInCounts(ex)]);
  const less = (k: keyof OutboxCounts) => all[k] - confirmations[k] - signIns[k];
  return { pending: less("pending"), sent: less("sent"), failed: less("failed") };
}

/** When the next pending row becomes due (ISO), or null when nothing is pending. */
export async function nextDueAt(ex: Executor): Promise<string | null> {
  const result = await ex.execute("SELECT MIN(next_attempt_at) AS at FROM outbox WHERE status = 'pending'");
  return result.rows[0] ? strOrNull(result.rows[0], "at") : null;
}
