import { escapeHtml, renderMarkdown, renderMarkdownToText } from "../../templates/markdown.ts";
import type { IncidentKind } from "../../db/records.ts";
import { unsubscribeToken } from "./token.ts";

/** What every message needs from configuration. */
export interface MailSettings {
  /** PAGE_NAME */
  pageName: string;
  /** PAGE_URL, without a trailing slash. */
  pageUrl: string;
  /** PAGE_TIME_ZONE (IANA). */
  timeZone: string;
  /** The From header, e.g. `Example Status <status@example.com>`. */
  from: string;
  /** Secret for unsubscribe tokens (HERALD_SECRET). */
  secret: string;
}

/** One outbox row's worth of content (db/queries/outbox.ts OutboxItem satisfies it). */
export interface MessageInput {
  subscriberId: string;
  email: string;
  updateStatus: string;
  updateBody: string;
  updateCreatedAt: string;
  incidentId: string;
  incidentKind: IncidentKind;
  incidentName: string;
}

/** One email, one recipient, provider-neutral. */
export interface OutgoingMessage {
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  headers: Record<string, string>;
}

/** Anything that goes into a header: no CR, LF or other control characters, one line. */
export function headerSafe(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]+/g, " ").replace(/ {2,}/g, " ").trim();
}

/** `[INVESTIGATING]`, `[IN PROGRESS]`, `[RESOLVED]` … from the update's status. */
export function subjectTag(status: string): string {
  return `[${status.replace(/_/g, " ").toUpperCase()}]`;
}

// A fan-out builds the same few strings for thousands of recipients: Intl formatters are
// expensive to construct and the text rendering is not memoized by templates/markdown.ts, so
// both are cached here (bounded).
const formatters = new Map<string, { date: Intl.DateTimeFormat; time: Intl.DateTimeFormat }>();

function formattersFor(timeZone: string): { date: Intl.DateTimeFormat; time: Intl.DateTimeFormat } {
  let f = formatters.get(timeZone);
  if (!f) {
    f = {
      date: new Intl.DateTimeFormat("en-US", { timeZone, month: "short", day: "numeric", year: "numeric" }),
      time: new Intl.DateTimeFormat("en-US", {
        timeZone, month: "short", day: "numeric", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "short",
      }),
    };
    if (formatters.size > 50) formatters.clear();
    formatters.set(timeZone, f);
  }
  return f;
}

function formatDate(iso: string, timeZone: string): string {
  return formattersFor(timeZone).date.format(new Date(iso));
}

function formatTime(iso: string, timeZone: string): string {
  return formattersFor(timeZone).time.format(new Date(iso));
}

const textMemo = new Map<string, string>();

function bodyText(markdown: string): string {
  let text = textMemo.get(markdown);
  if (text === undefined) {
    text = renderMarkdownToText(markdown);
    if (textMemo.size >= 200) textMemo.delete(textMemo.keys().next().value!);
    textMemo.set(markdown, text);
  }
  return text;
}

function quotedPhrase(text: string): string {
  return `"${headerSafe(text).replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

export function unsubscribeUrl(settings: MailSettings, subscriberId: string): string {
  return `${settings.pageUrl}/subscriptions/unsubscribe?token=${encodeURIComponent(unsubscribeToken(settings.secret, subscriberId))}`;
}

/**
 * The Customer Communication Template (shared/seed/incident-management.md) for one update and
 * one subscriber: `[STATUS] <name> - <Mon D, YYYY>`, a greeting, the update's words (rendered
 * by the one Markdown renderer), when it was posted in the page's zone, the incident link and a
 * visible unsubscribe link, with RFC 8058 one-click unsubscribe headers.
 */
export function buildMessage(settings: MailSettings, input: MessageInput): OutgoingMessage {
  const name = headerSafe(input.incidentName);
  const subject = headerSafe(`${subjectTag(input.updateStatus)} ${name} - ${formatDate(input.updateCreatedAt, settings.timeZone)}`);
  const link = `${settings.pageUrl}/incidents/${encodeURIComponent(input.incidentId)}`;
  const unsubscribe = unsubscribeUrl(settings, input.subscriberId);
  const posted = formatTime(input.updateCreatedAt, settings.timeZone);
  const statusLabel = input.updateStatus.replace(/_/g, " ");
  const what = input.incidentKind === "maintenance" ? "Scheduled maintenance" : "Incident";
  const pageName = headerSafe(settings.pageName);

  const text = [
    "Dear Customers,",
    "",
    `${what}: ${name}`,
    `Status: ${statusLabel.charAt(0).toUpperCase()}${statusLabel.slice(1)}`,
    `Posted: ${posted}`,
    "",
    bodyText(input.updateBody),
    "",
    `Status page: ${link}`,
    "",
    "--",
    `You are receiving this because you subscribed to ${pageName} updates.`,
    `Unsubscribe: ${unsubscribe}`,
    "",
  ].join("\n");

  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="font-family: system-ui, sans-serif; line-height: 1.5; color: #1f2328;">
<p>Dear Customers,</p>
<p><strong>${escapeHtml(what)}: ${escapeHtml(name)}</strong><br>
Status: ${escapeHtml(statusLabel)}<br>
Posted: ${escapeHtml(posted)}</p>
<div>${renderMarkdown(input.updateBody)}</div>
<p>Status page: <a href="${escapeHtml(link)}">${escapeHtml(link)}</a></p>
<hr>
<p style="font-size: 0.875em; color: #57606a;">You are receiving this because you subscribed to ${escapeHtml(pageName)} updates.
<a href="${escapeHtml(unsubscribe)}">Unsubscribe</a></p>
</body></html>
`;

  let host = "localhost";
  try {
    host = new URL(settings.pageUrl).hostname || host;
  } catch {
    // keep the default
  }
  return {
    from: headerSafe(settings.from),
    to: headerSafe(input.email),
    subject,
    html,
    text,
    headers: {
      "List-Unsubscribe": `<${headerSafe(unsubscribe)}>`,
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
      "List-Id": `${quotedPhrase(pageName)} <updates.${headerSafe(host)}>`,
    },
  };
}
