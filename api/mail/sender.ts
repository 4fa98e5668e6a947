import { newId } from "../../domain/ids.ts";
import type { Database } from "../../db/database.ts";
import {
  assignBatch,
  batchItems,
  deferBatch,
  firstInFlightBatch,
  markFailed,
  markSent,
  nextDueAt,
  outboxCounts,
  type OutboxCounts,
  type OutboxItem,
} from "../../db/queries/outbox.ts";
import { buildConfirmationMessage } from "./confirmation.ts";
import { buildSignInMessage } from "./sign-in.ts";
import type { Mailer } from "./mailer.ts";
import { asMailDetails, buildMessage, type MailSettings, type OutgoingMessage } from "./message.ts";

/** A token bucket: `rate` requests per second on average, bursts of up to `capacity`. */
export class TokenBucket {
  private readonly rate: number;
  private readonly capacity: number;
  private tokens: number;
  private last = Date.now();
  constructor(rate: number, capacity = Math.max(1, rate)) {
    if (!(rate > 0)) throw new Error("rate must be positive");
    this.rate = rate;
    this.capacity = capacity;
    this.tokens = capacity;
  }
  /** Milliseconds until a token is available (0 = now), taking it when it is. */
  tryTake(): number {
    const now = Date.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.rate) * 1000);
  }
  async take(): Promise<void> {
    for (let wait = this.tryTake(); wait > 0; wait = this.tryTake()) await sleep(wait);
  }
}

export interface SenderOptions {
  db: Database;
  mailer: Mailer;
  settings: MailSettings;
  /** Provider requests per second (token bucket). Default 2, Resend's default limit. */
  ratePerSecond?: number;
  /** Messages per request; Resend's batch API takes at most 100. */
  batchSize?: number;
  /** First retry delay; doubles per attempt up to maxBackoffMs, with jitter. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** How often an idle sender looks for new rows. */
  pollMs?: number;
  log?: (line: string) => void;
}

export type DrainResult =
  | { kind: "idle" }
  /** An in-flight batch is waiting for its retry time. */
  | { kind: "waiting"; untilMs: number }
  | { kind: "batch"; batchKey: string; outcome: "accepted" | "retry" | "rejected"; sent: number; failed: number };

/** The mail one outbox row stands for. */
function messageFor(settings: MailSettings, item: OutboxItem): OutgoingMessage {
  if (item.kind === "confirmation") return buildConfirmationMessage(settings, item);
  if (item.kind === "sign_in") return buildSignInMessage(settings, item);
  return buildMessage(settings, { ...item, details: asMailDetails(item.details) });
}

/**
 * The one sender of mail to subscribers: drains the outbox (update and postmortem notices and
 * double opt-in confirmations alike) into a Mailer, exactly once per row as far as the provider
 * honours idempotency keys:
 *  1. up to 100 due pending rows get a fresh batch key, stored (committed) before any request;
 *  2. the batch goes out under that Idempotency-Key;
 *  3. accepted → rows marked sent (provider ids) or failed (per-message refusal) in one write;
 *     retryable → same rows, same key, later (exponential backoff with jitter, at least the
 *     provider's retry-after); refused as a whole → rows failed with the error.
 * A crash anywhere leaves the batch in flight; the next run sends it again with the same key,
 * so the provider delivers it once.
 */
export class OutboxSender {
  private readonly db: Database;
  private readonly mailer: Mailer;
  private readonly settings: MailSettings;
  private readonly bucket: TokenBucket;
  private readonly batchSize: number;
  private readonly baseBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly pollMs: number;
  private readonly log: (line: string) => void;
  /** Until when the provider asked for no requests at all (a retry-after); epoch ms. */
  private pausedUntil = 0;

  /** Provider requests per second: the one budget for every mail Herald sends (MAIL_RATE_LIMIT). */
  readonly ratePerSecond: number;
  constructor(options: SenderOptions) {
    this.ratePerSecond = options.ratePerSecond ?? 2;
    this.db = options.db;
    this.mailer = options.mailer;
    this.settings = options.settings;
    this.bucket = new TokenBucket(this.ratePerSecond);
    this.batchSize = Math.min(100, Math.max(1, options.batchSize ?? 100));
    this.baseBackoffMs = options.baseBackoffMs ?? 1000;
    this.maxBackoffMs = options.maxBackoffMs ?? 10 * 60_000;
    this.pollMs = options.pollMs ?? 1000;
    this.log = options.log ?? ((line) => console.error(line));
  }

  counts(): Promise<OutboxCounts> {
    return outboxCounts(this.db.client);
  }

  /**
   * One step: resend the in-flight batch whose retry is due, else start a new batch from fresh rows,
   * else report how long until the next retry. A batch waiting out its backoff never holds back the
   * others; only the provider's own "slow down" (a 429 with retry-after) pauses every batch.
   */
  async drainOnce(): Promise<DrainResult> {
    const now = new Date();
    if (this.pausedUntil > now.getTime()) return { kind: "waiting", untilMs: this.pausedUntil - now.getTime() };
    let batchKey: string | null = null;
    const inFlight = await firstInFlightBatch(this.db.client);
    if (inFlight && Date.parse(inFlight.dueAt) <= now.getTime()) batchKey = inFlight.batchKey;
    else {
      const fresh = `herald-${newId()}${newId()}`;
      for (;;) {
        const { assigned, dropped } = await this.db.write((tx) => assignBatch(tx, fresh, now.toISOString(), this.batchSize));
        if (assigned > 0) {
          batchKey = fresh;
          break;
        }
        // A page of rows for people who left since: closed; look at the next page at once.
        if (dropped === 0) break;
      }
      if (batchKey === null) return inFlight ? { kind: "waiting", untilMs: Date.parse(inFlight.dueAt) - now.getTime() } : { kind: "idle" };
    }
    const items = await batchItems(this.db.client, batchKey);
    if (items.length === 0) return { kind: "idle" };
    const messages = items.map((item) => messageFor(this.settings, item));

    await this.bucket.take();
    const outcome = await this.mailer.sendBatch(messages, batchKey);
    const at = new Date().toISOString();
    let sent = 0;
    let failed = 0;
    if (outcome.kind === "accepted") {
      await this.db.write(async (tx) => {
        for (let i = 0; i < items.length; i++) {
          const result = outcome.results[i] ?? { ok: false as const, error: "no result from provider" };
          if (result.ok) {
            await markSent(tx, items[i]!.id, result.id, at);
            sent++;
          } else {
            await markFailed(tx, items[i]!.id, result.error);
            failed++;
          }
        }
      });
    } else if (outcome.kind === "retry") {
      const attempts = Math.max(...items.map((i) => i.attempts));
      const exponential = Math.min(this.maxBackoffMs, this.baseBackoffMs * 2 ** attempts);
      const jittered = exponential * (0.5 + Math.random() * 0.5);
      const delay = Math.max(jittered, outcome.retryAfterMs ?? 0);
      // The provider asked everyone to wait (rate limited): no batch goes out before then.
      if (outcome.retryAfterMs !== undefined && outcome.retryAfterMs !== null) this.pausedUntil = Date.now() + outcome.retryAfterMs;
      await this.db.write((tx) => deferBatch(tx, batchKey, outcome.error, new Date(Date.now() + delay).toISOString()));
      this.log(`mail: batch ${batchKey} (${items.length} messages) will be retried in ${Math.round(delay)} ms: ${outcome.error}`);
    } else {
      await this.db.write(async (tx) => {
        for (const item of items) await markFailed(tx, item.id, outcome.error);
      });
      failed = items.length;
    }
    const counts = await this.counts();
    this.log(
      `mail: batch ${batchKey} via ${this.mailer.name}: ${outcome.kind}, sent=${sent} failed=${failed}; ` +
        `outbox pending=${counts.pending} sent=${counts.sent} failed=${counts.failed}`,
    );
    return { kind: "batch", batchKey, outcome: outcome.kind, sent, failed };
  }

  /** Drains until nothing is pending (waiting out retries), or until `deadlineMs` passes. Returns the counts. */
  async drainAll(deadlineMs = 60_000): Promise<OutboxCounts> {
    const end = Date.now() + deadlineMs;
    while (Date.now() < end) {
      const step = await this.drainOnce();
      if (step.kind === "idle") {
        const due = await nextDueAt(this.db.client);
        if (due === null) break;
        await sleep(Math.min(this.pollMs, Math.max(10, Date.parse(due) - Date.now())));
      } else if (step.kind === "waiting") {
        await sleep(Math.min(step.untilMs, Math.max(0, end - Date.now())));
      }
    }
    return this.counts();
  }

  /**
   * One step for a scheduler (api/runtime/tasks.ts): the milliseconds until it is worth stepping
   * again — 0 right after a batch, the time to the in-flight batch's retry, else the poll interval.
   */
  async step(): Promise<number> {
    const step = await this.drainOnce();
    if (step.kind === "idle") return this.pollMs;
    if (step.kind === "waiting") return Math.min(step.untilMs, this.pollMs * 10);
    return 0;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
