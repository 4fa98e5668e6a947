import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BatchOutcome, Mailer, MessageResult } from "./mailer.ts";
import { headerSafe, type OutgoingMessage } from "./message.ts";

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

/** Node only (embedded mode without RESEND_API_KEY): every message becomes an .eml file to open in a mail client. */
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
