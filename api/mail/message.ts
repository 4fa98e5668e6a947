import { escapeHtml } from "../../templates/markdown.ts";
import { dayKey, formatDay, formatPosted } from "../../domain/time.ts";
import { loadCustomerNotice, loadPostmortemNotice, renderTemplate, type FilledMessage } from "./template.ts";
import type { NoticeItem } from "../../db/queries/outbox.ts";
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

/**
 * One outbox row's worth of content: what a message is built from. `kind` defaults to an update
 * (for a postmortem notice updateBody is the postmortem and updateCreatedAt its publication), and
 * `incidentStartedAt` (what a postmortem notice is dated by) may be left out for updates.
 */
export type MessageInput = Pick<
  NoticeItem,
  "subscriberId" | "email" | "updateStatus" | "updateBody" | "updateCreatedAt" | "incidentId" | "incidentKind" | "incidentName"
> &
  Partial<Pick<NoticeItem, "kind" | "incidentStartedAt">>;

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

function quotedPhrase(text: string): string {
  return `"${headerSafe(text).replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

export function unsubscribeUrl(settings: MailSettings, subscriberId: string): string {
  return `${settings.pageUrl}/subscriptions/unsubscribe?token=${encodeURIComponent(unsubscribeToken(settings.secret, subscriberId))}`;
}

/**
 * The Customer Communication Template (shared/seed/incident-management.md) for one update and
 * one subscriber, from the editable templates/customer-notice.md (see api/mail/template.ts for
 * its placeholders): `[STATUS] <name> - <Mon D, YYYY>`, the update's words rendered by the one
 * Markdown renderer (the same HTML as on the page), when it was posted in the page's zone, the
 * incident link and a visible unsubscribe link, with RFC 8058 one-click unsubscribe headers.
 */
export function buildMessage(settings: MailSettings, input: MessageInput): OutgoingMessage {
  if (input.kind === "postmortem") return buildPostmortemMessage(settings, input);
  const name = headerSafe(input.incidentName);
  const statusLabel = input.updateStatus.replace(/_/g, " ");
  const filled = renderTemplate(loadCustomerNotice(), {
    status_tag: subjectTag(input.updateStatus),
    status: `${statusLabel.charAt(0).toUpperCase()}${statusLabel.slice(1)}`,
    kind: input.incidentKind === "maintenance" ? "Scheduled maintenance" : "Incident",
    incident_name: name,
    // The same words for times as the page and the feed.
    date: formatDay(dayKey(input.updateCreatedAt, settings.timeZone)),
    posted_at: formatPosted(input.updateCreatedAt, settings.timeZone),
    update_body: input.updateBody,
    ...linkValues(settings, input),
  });
  return filledMessage(settings, input.email, filled, listHeaders(settings, input.subscriberId));
}

/**
 * The postmortem notice (templates/postmortem-notice.md): `[POSTMORTEM] <name> - <day it started>`,
 * the postmortem as published (its action items included) through the one Markdown renderer, when
 * it was published in the page's zone, the incident link and a visible unsubscribe link.
 */
export function buildPostmortemMessage(settings: MailSettings, input: MessageInput): OutgoingMessage {
  const filled = renderTemplate(loadPostmortemNotice(), {
    incident_name: headerSafe(input.incidentName),
    date: formatDay(dayKey(input.incidentStartedAt ?? input.updateCreatedAt, settings.timeZone)),
    published_at: formatPosted(input.updateCreatedAt, settings.timeZone),
    postmortem_body: input.updateBody,
    ...linkValues(settings, input),
  });
  return filledMessage(settings, input.email, filled, listHeaders(settings, input.subscriberId));
}

function linkValues(settings: MailSettings, input: MessageInput) {
  return {
    incident_url: `${settings.pageUrl}/incidents/${encodeURIComponent(input.incidentId)}`,
    page_name: headerSafe(settings.pageName),
    unsubscribe_url: unsubscribeUrl(settings, input.subscriberId),
  };
}

/** A filled template as one mail to one recipient: the subject made header-safe, the HTML in a small document. */
export function filledMessage(settings: MailSettings, to: string, filled: FilledMessage, headers: Record<string, string>): OutgoingMessage {
  const subject = headerSafe(filled.subject);
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="font-family: system-ui, sans-serif; line-height: 1.5; color: #1f2328;">
${filled.html}
</body></html>
`;
  return { from: headerSafe(settings.from), to: headerSafe(to), subject, html, text: filled.text, headers };
}

/**
 * The headers every mail to a subscriber carries: RFC 8058 one-click unsubscribe (the mail
 * provider POSTs `List-Unsubscribe=One-Click` to the URL) and a List-Id.
 */
export function listHeaders(settings: MailSettings, subscriberId: string): Record<string, string> {
  let host = "localhost";
  try {
    host = new URL(settings.pageUrl).hostname || host;
  } catch {
    // keep the default
  }
  return {
    "List-Unsubscribe": `<${headerSafe(unsubscribeUrl(settings, subscriberId))}>`,
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    "List-Id": `${quotedPhrase(headerSafe(settings.pageName))} <updates.${headerSafe(host)}>`,
  };
}
