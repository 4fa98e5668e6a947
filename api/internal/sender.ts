import type { Database } from "../../db/database.ts";
import {
  claimInternalMessage,
  deferInternalMessage,
  markInternalFailed,
  markInternalSent,
  nextInternalDueAt,
  type InternalMessage,
} from "../../db/queries/internal.ts";

export interface InternalSenderDeps {
  db: Database;
  /** Slack incoming-webhook URL (or anything that accepts the same JSON `{text}`). Never logged. */
  webhookUrl: string;
  fetch?: typeof fetch;
  clock?: { now(): Date };
  log?: (line: string) => void;
  /** Most messages sent in one call (a cron invocation has a time budget). */
  maxMessages?: number;
  timeoutMs?: number;
  /** First retry delay; doubles per attempt up to maxBackoffMs, with jitter. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** After this many failed attempts a message is given up (recorded as failed). */
  maxAttempts?: number;
}

export interface DrainReport {
  sent: number;
  failed: number;
  deferred: number;
  /** When the next pending message is due (ISO), null when none is pending. */
  nextDueAt: string | null;
}

type Outcome = { kind: "sent" } | { kind: "retry"; error: string; retryAfterMs: number | null } | { kind: "rejected"; error: string };

/** A message is leased this long while it is being sent, so a second process leaves it alone. */
const LEASE_MS = 60_000;

async function post(deps: InternalSenderDeps, message: InternalMessage): Promise<Outcome> {
  const doFetch = deps.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(deps.webhookUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json; charset=utf-8" },
      body: message.payload,
      signal: AbortSignal.timeout(deps.timeoutMs ?? 10_000),
    });
  } catch (error) {
    // Network error or timeout: the URL is never part of the message (it is a secret).
    return { kind: "retry", error: `request failed: ${(error as Error)?.name ?? "Error"}`, retryAfterMs: null };
  }
  const detail = (await response.text().catch(() => "")).slice(0, 200);
  if (response.ok) return { kind: "sent" };
  const error = `HTTP ${response.status}${detail ? `: ${detail}` : ""}`;
  if (response.status === 429 || response.status === 408 || response.status >= 500) {
    const seconds = Number(response.headers.get("retry-after"));
    return { kind: "retry", error, retryAfterMs: Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : null };
  }
  // 400 invalid_payload, 403/404 a revoked webhook or a removed channel: retrying cannot help.
  return { kind: "rejected", error };
}

/**
 * Sends due messages of the internal outbox, oldest first and in order per incident: a message is
 * only sent once every earlier message of its incident is sent or given up. 429, 408, 5xx,
 * network errors and timeouts are retried with exponential backoff and jitter (at least the
 * server's Retry-After); other refusals are recorded as failed. A crash between the webhook's
 * answer and the database write sends that one message again after the lease (Slack webhooks take
 * no idempotency key): at least once, never lost. Plain async function: a Node loop or a cron calls it.
 */
export async function drainInternalOutbox(deps: InternalSenderDeps): Promise<DrainReport> {
  const now = () => (deps.clock ?? { now: () => new Date() }).now();
  const report: DrainReport = { sent: 0, failed: 0, deferred: 0, nextDueAt: null };
  const base = deps.baseBackoffMs ?? 1000;
  const max = deps.maxBackoffMs ?? 10 * 60_000;
  for (let i = 0; i < (deps.maxMessages ?? 50); i++) {
    const started = now();
    const message = await deps.db.write((tx) =>
      claimInternalMessage(tx, started.toISOString(), new Date(started.getTime() + LEASE_MS).toISOString()),
    );
    if (!message) break;
    const outcome = await post(deps, message);
    const at = now();
    if (outcome.kind === "sent") {
      await deps.db.write((tx) => markInternalSent(tx, message.id, at.toISOString()));
      report.sent++;
    } else if (outcome.kind === "retry" && message.attempts + 1 < (deps.maxAttempts ?? 20)) {
      const exponential = Math.min(max, base * 2 ** message.attempts);
      const delay = Math.max(exponential * (0.5 + Math.random() * 0.5), outcome.retryAfterMs ?? 0);
      await deps.db.write((tx) => deferInternalMessage(tx, message.id, outcome.error, new Date(at.getTime() + delay).toISOString()));
      deps.log?.(`internal: message ${message.id} (${message.incidentId ? `incident ${message.incidentId}` : "no incident"}) will be retried in ${Math.round(delay)} ms: ${outcome.error}`);
      report.deferred++;
    } else {
      await deps.db.write((tx) => markInternalFailed(tx, message.id, outcome.error));
      deps.log?.(`internal: message ${message.id} (${message.incidentId ? `incident ${message.incidentId}` : "no incident"}) failed: ${outcome.error}`);
      report.failed++;
    }
  }
  report.nextDueAt = await nextInternalDueAt(deps.db.client);
  return report;
}
