import { Resend } from "resend";
import type { OutgoingMessage } from "./message.ts";

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
