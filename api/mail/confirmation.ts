/**
 * Double opt-in confirmation mail: the token, the message and a sender that drains
 * `subscription_confirmations` (db/migrations/0004_subscriptions.sql) through the same Mailer as
 * the update outbox, with the same guarantees: a request and its mail commit together; a batch's
 * Idempotency-Key is stored before the request is made, so after a crash or a lost answer the
 * same batch (same bytes: the token is derived, not random at send time) goes out again under the
 * same key and the provider delivers it once; 429/5xx/network errors are retried with backoff.
 */
import { BackgroundLoop } from "./loop.ts";
import { base64url, constantTimeEqual, hmacSha256, randomBase64url, sha256HexSync } from "../encoding.ts";
import { newId } from "../../domain/ids.ts";
import type { Database } from "../../db/database.ts";
import {
  assignConfirmationBatch,
  confirmationBatchItems,
  confirmationCounts,
  deferConfirmationBatch,
  firstInFlightConfirmationBatch,
  markConfirmationFailed,
  markConfirmationSent,
  type ConfirmationItem,
} from "../../db/queries/subscribers.ts";
import { escapeHtml } from "../../templates/markdown.ts";
import type { Mailer } from "./mailer.ts";
import { headerSafe, listHeaders, unsubscribeUrl, type MailSettings, type OutgoingMessage } from "./message.ts";
import { TokenBucket } from "./sender.ts";

/** How long a confirmation link works. */
export const CONFIRMATION_TTL_MS = 48 * 60 * 60 * 1000;

function confirmMac(secret: string, nonce: string): string {
  return base64url(hmacSha256(secret, `confirm:${nonce}`));
}

/** A fresh random nonce (128 bits, base64url). */
export function newConfirmationNonce(): string {
  return randomBase64url(16);
}

/** The link token for a nonce: `<nonce>.<base64url HMAC>`. */
export function confirmationToken(secret: string, nonce: string): string {
  if (!secret) throw new Error("confirmationToken needs a non-empty secret");
  return `${nonce}.${confirmMac(secret, nonce)}`;
}

/** What is stored to find a token: its SHA-256 (hex). */
export function confirmationTokenHash(token: string): string {
  return sha256HexSync(token);
}

/** True when the token was made with this secret (constant-time compare, canonical spelling). */
export function verifyConfirmationToken(secret: string, token: unknown): token is string {
  if (!secret || typeof token !== "string" || token.length > 200) return false;
  const m = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return false;
  return constantTimeEqual(m[2]!, confirmMac(secret, m[1]!));
}

export function confirmationUrl(settings: MailSettings, nonce: string): string {
  return `${settings.pageUrl}/subscriptions/confirm?token=${encodeURIComponent(confirmationToken(settings.secret, nonce))}`;
}

/** The confirmation mail: a link to a page with a button (no state change on GET). */
export function buildConfirmationMessage(settings: MailSettings, item: Pick<ConfirmationItem, "subscriberId" | "email" | "nonce" | "expiresAt">): OutgoingMessage {
  const pageName = headerSafe(settings.pageName);
  const link = confirmationUrl(settings, item.nonce);
  // Like every mail, it can be refused in one click: unsubscribing a pending address ends the confirmations too.
  const unsubscribe = unsubscribeUrl(settings, item.subscriberId);
  const subject = headerSafe(`Confirm your subscription to ${pageName}`);
  const expires = new Date(item.expiresAt).toUTCString();
  const text = [
    "Hello,",
    "",
    `Someone (hopefully you) asked to get ${pageName} incident and maintenance updates by email at this address.`,
    "To confirm, open this link and press the button:",
    "",
    link,
    "",
    `The link works once and expires ${expires}.`,
    "If you did not ask for this, ignore this mail: you will get nothing more.",
    "",
    `Never send mail to this address again: ${unsubscribe}`,
    "",
  ].join("\n");
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="font-family: system-ui, sans-serif; line-height: 1.5; color: #1f2328;">
<p>Hello,</p>
<p>Someone (hopefully you) asked to get ${escapeHtml(pageName)} incident and maintenance updates by email at this address.</p>
<p><a href="${escapeHtml(link)}">Confirm your subscription</a></p>
<p>The link works once and expires ${escapeHtml(expires)}. If you did not ask for this, ignore this mail: you will get nothing more.</p>
<p style="font-size: 0.875em; color: #57606a;"><a href="${escapeHtml(unsubscribe)}">Never send mail to this address again</a></p>
</body></html>
`;
  return { from: headerSafe(settings.from), to: headerSafe(item.email), subject, html, text, headers: listHeaders(settings, item.subscriberId) };
}

export interface ConfirmationSenderOptions {
  db: Database;
  mailer: Mailer;
  settings: MailSettings;
  ratePerSecond?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  pollMs?: number;
  log?: (line: string) => void;
}

/** Drains `subscription_confirmations` (see the file comment). */
export class ConfirmationSender {
  private readonly o: Required<Omit<ConfirmationSenderOptions, "ratePerSecond">>;
  private readonly bucket: TokenBucket;

  constructor(options: ConfirmationSenderOptions) {
    this.o = {
      db: options.db,
      mailer: options.mailer,
      settings: options.settings,
      baseBackoffMs: options.baseBackoffMs ?? 1000,
      maxBackoffMs: options.maxBackoffMs ?? 10 * 60_000,
      pollMs: options.pollMs ?? 1000,
      log: options.log ?? ((line) => console.error(line)),
    };
    this.bucket = new TokenBucket(options.ratePerSecond ?? 1);
  }

  counts(): Promise<{ pending: number; sent: number; failed: number }> {
    return confirmationCounts(this.o.db.client);
  }

  /** One step: resend the in-flight batch if due, else start a new one. */
  async drainOnce(): Promise<"idle" | "waiting" | "batch"> {
    const { db, mailer, settings } = this.o;
    const now = new Date();
    let batchKey: string;
    const inFlight = await firstInFlightConfirmationBatch(db.client);
    if (inFlight) {
      if (Date.parse(inFlight.dueAt) > now.getTime()) return "waiting";
      batchKey = inFlight.batchKey;
    } else {
      batchKey = `herald-confirm-${newId()}${newId()}`;
      for (;;) {
        const { assigned, dropped } = await db.write((tx) => assignConfirmationBatch(tx, batchKey, now.toISOString(), 100));
        if (assigned > 0) break;
        if (dropped === 0) return "idle";
      }
    }
    const items = await confirmationBatchItems(db.client, batchKey);
    if (items.length === 0) return "idle";
    const messages = items.map((item) => buildConfirmationMessage(settings, item));
    await this.bucket.take();
    const outcome = await mailer.sendBatch(messages, batchKey);
    const at = new Date().toISOString();
    if (outcome.kind === "accepted") {
      await db.write(async (tx) => {
        for (let i = 0; i < items.length; i++) {
          const result = outcome.results[i] ?? { ok: false as const, error: "no result from provider" };
          if (result.ok) await markConfirmationSent(tx, items[i]!.id, result.id, at);
          else await markConfirmationFailed(tx, items[i]!.id, result.error);
        }
      });
    } else if (outcome.kind === "retry") {
      const attempts = Math.max(...items.map((i) => i.attempts));
      const exponential = Math.min(this.o.maxBackoffMs, this.o.baseBackoffMs * 2 ** attempts);
      const delay = Math.max(exponential * (0.5 + Math.random() * 0.5), outcome.retryAfterMs ?? 0);
      await db.write((tx) => deferConfirmationBatch(tx, batchKey, outcome.error, new Date(Date.now() + delay).toISOString()));
      this.o.log(`mail: confirmation batch ${batchKey} will be retried in ${Math.round(delay)} ms: ${outcome.error}`);
    } else {
      await db.write(async (tx) => {
        for (const item of items) await markConfirmationFailed(tx, item.id, outcome.error);
      });
    }
    this.o.log(`mail: confirmation batch ${batchKey} (${items.length}) via ${mailer.name}: ${outcome.kind}`);
    return "batch";
  }

  start(): void {
    this.background.start();
  }

  stop(): Promise<void> {
    return this.background.stop();
  }

  /** Wakes an idle sender now (right after a subscription request committed). */
  poke(): void {
    this.background.poke();
  }

  private readonly background = new BackgroundLoop(
    async () => ((await this.drainOnce()) === "batch" ? 0 : this.o.pollMs),
    { onError: (error) => this.o.log(`mail: confirmation sender step failed: ${(error as Error)?.message ?? String(error)}`), errorWaitMs: () => this.o.pollMs },
  );
}
