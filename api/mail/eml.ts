import { mkdirSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { encode as encodeQuotedPrintable, wrap as wrapQuotedPrintable } from "libqp";
import type { BatchOutcome, Mailer, MessageResult } from "./mailer.ts";
import { headerSafe, type OutgoingMessage } from "./message.ts";

// ---------------------------------------------------------------------------------------------
// Embedded mailer: no provider, every message becomes an .eml file (RFC 5322, MIME
// multipart/alternative with a text and an HTML part) a person can open in a mail client or
// read in a terminal: the parts are quoted-printable (libqp, nodemailer's encoder), so English
// text reads as written. File names start with the time they were first written, so `ls`
// sorts them by time, and end with the batch key: a resent batch overwrites its own files
// instead of adding copies.

function encodeWord(value: string): string {
  const safe = headerSafe(value);
  return /^[\x20-\x7e]*$/.test(safe) ? safe : `=?UTF-8?B?${Buffer.from(safe, "utf8").toString("base64")}?=`;
}

/** A text part as quoted-printable with CRLF line breaks and lines of at most 76 characters. */
function quotedPrintable(text: string): string {
  return wrapQuotedPrintable(encodeQuotedPrintable(Buffer.from(text.replace(/\r?\n/g, "\r\n"), "utf8")), 76);
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
    "Content-Transfer-Encoding: quoted-printable",
    "",
    quotedPrintable(message.text),
    `--${boundary}`,
    "Content-Type: text/html; charset=utf-8",
    "Content-Transfer-Encoding: quoted-printable",
    "",
    quotedPrintable(message.html),
    `--${boundary}--`,
    "",
  ];
  return lines.join("\r\n");
}

/** "2026-12-03T14-05-09Z": sorts by time and is a valid file name everywhere. */
function fileTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z").replace(/:/g, "-");
}

/** The batch keys already in a directory and their files' time prefix (`<time>-<key>-000.eml`). */
function existingPrefixes(files: readonly string[]): Map<string, string> {
  const prefixes = new Map<string, string>();
  for (const file of files) {
    const m = /^(\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ)-(.+)-000\.eml$/.exec(file);
    if (m) prefixes.set(m[2]!, m[1]!);
  }
  return prefixes;
}

/** A confirmation mail's link, so a newcomer without a mail client can confirm from the log. */
const CONFIRM_LINK = /https?:\/\/[^\s<>"]+\/subscriptions\/confirm\?token=[^\s<>"]+/;

/** Node only (embedded mode without RESEND_API_KEY): every message becomes an .eml file to open in a mail client. */
export class EmlMailer implements Mailer {
  readonly name = "eml";
  readonly dir: string;
  private readonly log: (line: string) => void;
  private readonly now: () => Date;
  /** Batch key → the time prefix its files were first written with (read from the directory once, then kept). */
  private prefixes: Map<string, string> | null = null;
  constructor(dir: string = "data/mail", options: { log?: (line: string) => void; now?: () => Date } = {}) {
    this.dir = dir;
    this.log = options.log ?? (() => {});
    this.now = options.now ?? (() => new Date());
  }

  async sendBatch(messages: readonly OutgoingMessage[], idempotencyKey: string): Promise<BatchOutcome> {
    try {
      mkdirSync(this.dir, { recursive: true });
      const key = idempotencyKey.replace(/[^A-Za-z0-9_-]/g, "_");
      // A resent batch keeps the names (and time) its files were first written with.
      this.prefixes ??= existingPrefixes(readdirSync(this.dir));
      const prefix = this.prefixes.get(key) ?? fileTime(this.now());
      this.prefixes.set(key, prefix);
      const results: MessageResult[] = messages.map((message, i) => {
        const id = `${key}-${String(i).padStart(3, "0")}`;
        const file = join(this.dir, `${prefix}-${id}.eml`);
        writeFileSync(`${file}.tmp`, toEml(message, `${id}@herald.local`, this.now()));
        renameSync(`${file}.tmp`, file);
        const link = CONFIRM_LINK.exec(message.text)?.[0];
        this.log(`mail: wrote ${file} (to ${headerSafe(message.to)}: ${headerSafe(message.subject)})${link ? `; confirm at ${link}` : ""}`);
        return { ok: true, id };
      });
      return { kind: "accepted", results };
    } catch (error) {
      return { kind: "retry", error: `eml write failed: ${(error as Error)?.message ?? String(error)}`, retryAfterMs: null };
    }
  }
}
