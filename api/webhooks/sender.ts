/**
 * The webhook sender: one plain async function, `deliverDueWebhooks(deps)`, that a Node loop
 * (api/server.ts) and a Cloudflare cron handler both call. Each call:
 *  1. leases up to `batchSize` due deliveries, at most one per subscription (a write);
 *  2. POSTs them concurrently — the Statuspage envelope, signed (X-Herald-Signature), with an
 *     X-Herald-Delivery id that is the same on every attempt — not following redirects, with a
 *     timeout;
 *  3. records each attempt (a write): 2xx → delivered; anything else (3xx, 4xx, 5xx, timeout,
 *     network error) → retried later with exponential backoff and jitter, or given up after
 *     `retry.maxAttempts`; a subscription with 10 failures within an hour is quarantined: its
 *     pending deliveries are cancelled and one notice is queued for its contact address;
 *  4. mails due quarantine notices (when a mailer is given), each under its own idempotency key.
 * A crash between 1 and 3 leaves the lease to expire; the delivery is then sent again with the
 * same X-Herald-Delivery id, so a receiver that deduplicates sees it once.
 */
import type { Words } from "../../locales/words.ts";
import type { Clock } from "../clock.ts";
import type { Mailer } from "../mail/mailer.ts";
import type { MailSettings } from "../mail/message.ts";
import type { MessageTemplate, WebhookQuarantinePlaceholder } from "../mail/template.ts";
import type { Database } from "../../db/database.ts";
import {
  claimDueDeliveries,
  countFailuresSince,
  dueNotices,
  hasDueDeliveries,
  quarantineWebhook,
  recordAttempt,
  settleDelivery,
  settleNotice,
  type DueDelivery,
} from "../../db/queries/webhooks.ts";
import { buildQuarantineNotice } from "./notice.ts";
import { describeStatus, postJson, type PostOutcome } from "./post.ts";
import { chatBody, chatMessageOf } from "./chat.ts";
import type { ChatFormat } from "../../domain/chat.ts";
import { documentationUrl, eventName, webhookBody, type Envelope } from "./payload.ts";
import { afterFailure, DEFAULT_QUARANTINE, DEFAULT_RETRY, isDelivered, shouldQuarantine, type QuarantineRule, type RetryPolicy } from "../../domain/webhook-delivery.ts";
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signatureHeader, signingSecret, standardWebhooksHeaders, webhookUnsubscribeUrl } from "./signature.ts";

export interface WebhookSenderDeps {
  db: Database;
  clock: Clock;
  /** HERALD_SECRET: each subscription's signing secret and unsubscribe link are derived from it. */
  secret: string;
  /** PAGE_URL, without a trailing slash. */
  pageUrl: string;
  /** PAGE_NAME, at the foot of chat messages. */
  pageName?: string;
  /** The page's words (PAGE_LOCALE) for chat channels' messages; absent: English. */
  words?: Words;
  /** A reply slower than this is a failure (WEBHOOK_TIMEOUT_MS, default 30 s). */
  timeoutMs?: number;
  /** Deliveries per call (default 20), sent concurrently. */
  batchSize?: number;
  retry?: Partial<RetryPolicy>;
  quarantine?: QuarantineRule;
  /** Quarantine notices are mailed when this is given (else they wait in webhook_notices). */
  notices?: { mailer: Mailer; settings: MailSettings; template: MessageTemplate<WebhookQuarantinePlaceholder> };
  fetch?: typeof fetch;
  /** Jitter source, [0, 1). */
  random?: () => number;
  log?: (line: string) => void;
}

export interface WebhookRunResult {
  /** Requests made. */
  attempted: number;
  delivered: number;
  /** Failed, to be tried again. */
  retrying: number;
  /** Failed for good (maxAttempts). */
  failed: number;
  /** Subscriptions quarantined by this run. */
  quarantined: number;
  noticesSent: number;
}

export const DEFAULT_WEBHOOK_TIMEOUT_MS = 30_000;

interface AttemptResult {
  item: DueDelivery;
  ok: boolean;
  httpStatus: number | null;
  error: string | null;
  durationMs: number;
}

async function attempt(deps: WebhookSenderDeps, item: DueDelivery, timeoutMs: number): Promise<AttemptResult> {
  const envelope = JSON.parse(item.payload) as Envelope;
  const deliveryId = `${item.eventId}.${item.subscriptionId}`;
  if (item.format !== "herald") {
    // A chat channel: the service's own message, unsigned (its webhook URL is the secret).
    const message = chatMessageOf(envelope, deps.pageName ?? new URL(deps.pageUrl).hostname, deps.pageUrl, deps.words ?? "UTC");
    const started = Date.now();
    const outcome = await postJson(item.endpoint, chatBody(item.format as ChatFormat, message), { [DELIVERY_HEADER]: deliveryId }, { timeoutMs, fetch: deps.fetch });
    return settle(item, outcome, timeoutMs, started);
  }
  const unsubscribe = await webhookUnsubscribeUrl(deps.secret, deps.pageUrl, item.subscriptionId);
  const body = webhookBody({ unsubscribe, documentation: documentationUrl(deps.pageUrl), generatedAt: item.eventCreatedAt }, envelope);
  const now = Math.floor(deps.clock.now().getTime() / 1000);
  const signature = await signatureHeader(await signingSecret(deps.secret, item.subscriptionId), body, now);
  const standard = await standardWebhooksHeaders(deps.secret, item.subscriptionId, deliveryId, body, now);
  const started = Date.now();
  const outcome = await postJson(
    item.endpoint,
    body,
    { [DELIVERY_HEADER]: deliveryId, [EVENT_HEADER]: eventName(envelope), [SIGNATURE_HEADER]: signature, ...standard },
    { timeoutMs, fetch: deps.fetch },
  );
  return settle(item, outcome, timeoutMs, started);
}

async function settle(item: DueDelivery, outcome: PostOutcome, timeoutMs: number, started: number): Promise<AttemptResult> {
  const durationMs = Date.now() - started;
  if (outcome.kind === "timeout") return { item, ok: false, httpStatus: null, error: `no answer within ${timeoutMs} ms`, durationMs };
  if (outcome.kind === "unreachable") return { item, ok: false, httpStatus: null, error: `request failed: ${outcome.error}`, durationMs };
  // Only the status matters; do not wait for (or keep) whatever the receiver sends.
  await outcome.response.body?.cancel().catch(() => {});
  const ok = isDelivered(outcome.status);
  return { item, ok, httpStatus: outcome.status, error: ok ? null : describeStatus(outcome.status), durationMs };
}

/** One run of the sender (see the file comment). Safe to call concurrently from several processes. */
export async function deliverDueWebhooks(deps: WebhookSenderDeps): Promise<WebhookRunResult> {
  const { db, clock } = deps;
  const timeoutMs = deps.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
  const retry: RetryPolicy = { ...DEFAULT_RETRY, ...deps.retry };
  const rule = deps.quarantine ?? DEFAULT_QUARANTINE;
  const random = deps.random ?? Math.random;
  const log = deps.log ?? ((line: string) => console.error(line));
  const result: WebhookRunResult = { attempted: 0, delivered: 0, retrying: 0, failed: 0, quarantined: 0, noticesSent: 0 };

  const now = clock.now();
  // The lease outlasts the request's timeout, so a second sender never sends the same delivery at once.
  const leaseUntil = new Date(now.getTime() + timeoutMs + 60_000).toISOString();
  const items = (await hasDueDeliveries(db.client, now.toISOString()))
    ? await db.write((tx) => claimDueDeliveries(tx, now.toISOString(), leaseUntil, deps.batchSize ?? 20))
    : [];
  const attempts = await Promise.all(items.map((item) => attempt(deps, item, timeoutMs)));
  result.attempted = attempts.length;

  if (attempts.length > 0) {
    await db.write(async (tx) => {
      const at = clock.now();
      const failing = new Map<string, string>();
      for (const a of attempts) {
        await recordAttempt(tx, { deliveryId: a.item.id, subscriptionId: a.item.subscriptionId, at: at.toISOString(), ok: a.ok, httpStatus: a.httpStatus, error: a.error, durationMs: a.durationMs });
        if (a.ok) {
          await settleDelivery(tx, a.item.id, { status: "delivered", at: at.toISOString() });
          result.delivered++;
          continue;
        }
        failing.set(a.item.subscriptionId, a.error!);
        const next = afterFailure(a.item.attempts + 1, retry, random());
        if ("giveUp" in next) {
          await settleDelivery(tx, a.item.id, { status: "failed", error: a.error! });
          result.failed++;
        } else {
          await settleDelivery(tx, a.item.id, { status: "pending", error: a.error!, nextAttemptAt: new Date(at.getTime() + next.retryInMs).toISOString() });
          result.retrying++;
        }
      }
      const windowStart = new Date(at.getTime() - rule.windowMs).toISOString();
      for (const [subscriptionId, lastError] of failing) {
        const failures = await countFailuresSince(tx, subscriptionId, windowStart);
        if (shouldQuarantine(failures, rule) && (await quarantineWebhook(tx, subscriptionId, at.toISOString(), failures, lastError))) {
          result.quarantined++;
          log(`webhooks: subscription ${subscriptionId} quarantined after ${failures} failures within ${Math.round(rule.windowMs / 60_000)} min (last: ${lastError})`);
        }
      }
    });
  }

  if (deps.notices) result.noticesSent = await sendNotices(deps, deps.notices, timeoutMs, retry, random, log);
  if (result.attempted > 0) {
    log(`webhooks: ${result.attempted} sent: ${result.delivered} delivered, ${result.retrying} to retry, ${result.failed} given up, ${result.quarantined} quarantined`);
  }
  return result;
}

async function sendNotices(
  deps: WebhookSenderDeps,
  notices: NonNullable<WebhookSenderDeps["notices"]>,
  timeoutMs: number,
  retry: RetryPolicy,
  random: () => number,
  log: (line: string) => void,
): Promise<number> {
  const due = await dueNotices(deps.db.client, deps.clock.now().toISOString(), 10);
  let sent = 0;
  for (const notice of due) {
    const message = await buildQuarantineNotice(notices.settings, notices.template, notice, timeoutMs);
    // One key per notice: a resend after a crash or a lost answer is delivered once by the provider.
    const outcome = await notices.mailer.sendBatch([message], `herald-webhook-notice-${notice.id}`);
    const at = deps.clock.now();
    await deps.db.write(async (tx) => {
      if (outcome.kind === "accepted" && outcome.results[0]?.ok) {
        await settleNotice(tx, notice.id, { status: "sent", providerMessageId: outcome.results[0].id, at: at.toISOString() });
        sent++;
      } else if (outcome.kind === "retry") {
        const next = afterFailure(notice.attempts + 1, retry, random());
        await settleNotice(tx, notice.id, "giveUp" in next ? { status: "failed", error: outcome.error } : { status: "pending", error: outcome.error, nextAttemptAt: new Date(at.getTime() + next.retryInMs).toISOString() });
      } else {
        const error = outcome.kind === "rejected" ? outcome.error : outcome.results[0] && !outcome.results[0].ok ? outcome.results[0].error : "no result from provider";
        await settleNotice(tx, notice.id, { status: "failed", error });
        log(`webhooks: quarantine notice ${notice.id} refused by the mail provider: ${error}`);
      }
    });
  }
  return sent;
}
