import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Resend } from "resend";
import { headerSafe, type OutgoingMessage } from "./message.ts";

/** Per message of an accepted batch: the provider's id, or why this one message was refused. */
export type MessageResult = { ok: true; id: string | null } | { ok: false; error: string };

export type BatchOutcome =
  /** The provider took the batch; `results[i]` is about `messages[i]`. */
  | { kind: "accepted"; results: MessageResult[] }
  /** Try the same batch again, with the same key, later (429, 5xx, network, timeout). */
  | { kind: "retry"; error: string; retryAfterMs: number | null }
  /** The provider refused the whole batch for good (a 4xx that retrying cannot fix). */
  | { kind: "rejected"; error: string };

/** Sends one batch (≤ 100 messages, one recipient each) under an idempotency key. */
export interface Mailer {
  readonly name: string;
  sendBatch(messages: readonly OutgoingMessage[], idempotencyKey: string): Promise<BatchOutcome>;
}

export interface ResendMailerOptions {
  apiKey: string;
  /** Defaults to what the SDK does: `RESEND_BASE_URL` from the environment, else https://api.resend.com. */
  baseUrl?: string | undefined;
  /** Abort a request after this long and retry it later with the same key (default 30 s). */
  timeoutMs?: number | undefined;
}

/** Parses `retry-after` (seconds or HTTP date) or `ratelimit-reset` (seconds) into milliseconds. */
export function retryAfterMs(headers: Record<string, string> | null | undefined, now = Date.now()): number | null {
  if (!headers) return null;
  const retryAfter = headers["retry-after"];
  if (retryAfter !== undefined && retryAfter.trim() !== "") {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
    const date = Date.parse(retryAfter);
    if (Number.isFinite(date)) return Math.max(0, date - now);
  }
  const reset = Number(headers["ratelimit-reset"]);
  if (headers["ratelimit-reset"] !== undefined && Number.isFinite(reset) && reset >= 0) return Math.round(reset * 1000);
  return null;
}

/** The Resend batch API through the official SDK. */
export class ResendMailer implements Mailer {
  readonly name = "resend";
  private readonly client: Resend;
  private readonly timeoutMs: number;

  constructor(options: ResendMailerOptions) {
    this.client = new Resend(options.apiKey, options.baseUrl ? { baseUrl: options.baseUrl.replace(/\/+$/, "") } : undefined);
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  async sendBatch(messages: readonly OutgoingMessage[], idempotencyKey: string): Promise<BatchOutcome> {
    const payload = messages.map((m) => ({
      from: m.from,
      to: [m.to],
      subject: m.subject,
      html: m.html,
      text: m.text,
      headers: m.headers,
    }));
    let response;
    try {
      response = await this.client.batch.send(payload, {
        idempotencyKey,
        batchValidation: "permissive",
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      return { kind: "retry", error: `request failed: ${(error as Error)?.name ?? "error"}`, retryAfterMs: null };
    }
    if (response.error) {
      const { statusCode, name, message } = response.error;
      const error = `${statusCode ?? "network"} ${name}: ${message}`.slice(0, 500);
      if (statusCode === null || statusCode === undefined) return { kind: "retry", error, retryAfterMs: null };
      if (statusCode === 429 || statusCode >= 500) return { kind: "retry", error, retryAfterMs: retryAfterMs(response.headers) };
      // Same key still being processed: ask again. A bad/missing key is the operator's to fix;
      // keep the mail pending rather than fail it.
      if (statusCode === 408 || name === "concurrent_idempotent_requests" || statusCode === 401 || statusCode === 403) {
        return { kind: "retry", error, retryAfterMs: retryAfterMs(response.headers) };
      }
      return { kind: "rejected", error };
    }
    const data = response.data as { data?: { id: string }[]; errors?: { index: number; message: string }[] };
    const refused = new Map<number, string>();
    for (const e of data.errors ?? []) refused.set(e.index, String(e.message).slice(0, 500));
    // Permissive mode lists the ids of the accepted messages in order, skipping refused ones.
    const ids = (data.data ?? []).map((d) => d.id);
    let next = 0;
    const results: MessageResult[] = messages.map((_, i) => {
      const error = refused.get(i);
      if (error !== undefined) return { ok: false, error };
      return { ok: true, id: ids[next++] ?? null };
    });
    return { kind: "accepted", results };
  }
}

// ---------------------------------------------------------------------------------------------
// Embedded mailer: no provider, every message becomes an .eml file (RFC 5322, MIME
// multipart/alternative with a text and an HTML part). File names derive from the batch key,
// so a resent batch overwrites its own files instead of adding copies.

function encodeWord(value: string): string {
  const safe = headerSafe(value);
  return /^[\x20-\x7e]*$/.test(safe) ? safe : `=?UTF-8?B?${Buffer.from(safe, "utf8").toString("base64")}?=`;
}

function base64Lines(text: string): string {
  return (Buffer.from(text, "utf8").toString("base64").match(/.{1,76}/g) ?? []).join("\r\n");
}

/** Encodes a display name in an address header when it is not plain ASCII. */
function encodeAddress(value: string): string {
  const safe = headerSafe(value);
  const m = /^(.*?)\s*<([^<>]+)>$/.exec(safe);
  if (!m || !m[1]) return safe;
  return `${encodeWord(m[1].replace(/^"|"$/g, ""))} <${m[2]}>`;
}

export function toEml(message: OutgoingMessage, messageId: string, date: Date): string {
  const boundary = `herald-${messageId.replace(/[^A-Za-z0-9]/g, "")}`;
  const lines = [
    `From: ${encodeAddress(message.from)}`,
    `To: ${headerSafe(message.to)}`,
    `Subject: ${encodeWord(message.subject)}`,
    `Date: ${date.toUTCString().replace("GMT", "+0000")}`,
    `Message-ID: <${headerSafe(messageId)}>`,
    ...Object.entries(message.headers).map(([name, value]) => `${name.replace(/[^A-Za-z0-9-]/g, "")}: ${headerSafe(value)}`),
    "MIME-Version: 1.0",
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    "",
    `--${boundary}`,
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: base64",
    "",
    base64Lines(message.text),
    `--${boundary}`,
    "Content-Type: text/html; charset=utf-8",
    "Content-Transfer-Encoding: base64",
    "",
    base64Lines(message.html),
    `--${boundary}--`,
    "",
  ];
  return lines.join("\r\n");
}

export class EmlMailer implements Mailer {
  readonly name = "eml";
  readonly dir: string;
  constructor(dir: string = "data/mail") {
    this.dir = dir;
  }

  async sendBatch(messages: readonly OutgoingMessage[], idempotencyKey: string): Promise<BatchOutcome> {
    try {
      mkdirSync(this.dir, { recursive: true });
      const key = idempotencyKey.replace(/[^A-Za-z0-9_-]/g, "_");
      const results: MessageResult[] = messages.map((message, i) => {
        const id = `${key}-${String(i).padStart(3, "0")}`;
        const file = join(this.dir, `${id}.eml`);
        writeFileSync(`${file}.tmp`, toEml(message, `${id}@herald.local`, new Date()));
        renameSync(`${file}.tmp`, file);
        return { ok: true, id };
      });
      return { kind: "accepted", results };
    } catch (error) {
      return { kind: "retry", error: `eml write failed: ${(error as Error)?.message ?? String(error)}`, retryAfterMs: null };
    }
  }
}
