import { isComponentStatus, type ComponentStatus } from "../../domain/components.ts";
import { isSeverity } from "../../domain/severity.ts";
import type { IncidentRecord } from "../../db/records.ts";
import { statusWord, words, wordsOf, type At, type Words } from "../../locales/words.ts";
import { dayKey, formatDay, formatPosted, formatRange } from "../../domain/time.ts";
import { designedMail, type MailFrame, type MailTone } from "./design.ts";
import type { MailSettings } from "./settings.ts";
import { loadCustomerNotice, loadPostmortemNotice, renderTemplate, type FilledMessage } from "./template.ts";
import type { NoticeItem } from "../../db/queries/outbox.ts";
import { unsubscribeToken } from "./token.ts";
import { NOTICE_FIELDS, type NoticeField, type NoticeSections, type SummaryInput } from "../../domain/notice.ts";
import { summaryMarkdown } from "../../templates/notice.ts";

export type { MailSettings } from "./settings.ts";

/**
 * What a mail about an update shows beside its words, frozen when the update is enqueued (so a
 * batch resent after a crash says exactly the same): the incident's severity and impact, the
 * components it affects with their status as of that update, and a maintenance's window.
 */
export interface MailDetails {
  severity: string | null;
  impact: string | null;
  components: { name: string; status: ComponentStatus }[];
  window: { start: string; end: string | null } | null;
  /**
   * A resolving update's customer notice (domain/notice.ts): what the summary is written from (the
   * incident's resolution only) and the sections the comms lead wrote; absent on other updates.
   */
  notice?: { summary: SummaryInput | null; sections: NoticeSections | null } | null;
  /** The update that cancelled a maintenance before it began: said as [CANCELLED], not [COMPLETED]. */
  cancelled?: boolean;
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
  Partial<Pick<NoticeItem, "kind" | "incidentStartedAt">> & { details?: MailDetails | null };

/** Details as read back from the outbox (JSON written by api/mail/outbox.ts), or null when absent or not that shape. */
export function asMailDetails(value: unknown): MailDetails | null {
  if (!value || typeof value !== "object") return null;
  const v = value as Partial<MailDetails>;
  if (!Array.isArray(v.components)) return null;
  return {
    severity: typeof v.severity === "string" ? v.severity : null,
    impact: typeof v.impact === "string" ? v.impact : null,
    components: v.components.filter((c) => c && typeof c.name === "string" && isComponentStatus(c.status)),
    window: v.window && typeof v.window.start === "string" ? { start: v.window.start, end: typeof v.window.end === "string" ? v.window.end : null } : null,
    notice: asNotice(v.notice),
    cancelled: v.cancelled === true,
  };
}

function asNotice(value: unknown): MailDetails["notice"] {
  if (!value || typeof value !== "object") return null;
  const v = value as { summary?: Partial<SummaryInput> | null; sections?: Record<string, unknown> | null };
  const s = v.summary;
  const summary: SummaryInput | null =
    s && typeof s.startedAt === "string" && typeof s.resolvedAt === "string" && Array.isArray(s.components)
      ? {
          startedAt: s.startedAt,
          resolvedAt: s.resolvedAt,
          components: s.components.filter((c) => c && typeof c.name === "string").map((c) => ({ name: c.name, worst: isComponentStatus(c.worst) ? c.worst : null })),
        }
      : null;
  const sections: NoticeSections = {};
  for (const field of NOTICE_FIELDS) {
    const text = v.sections?.[field];
    if (typeof text === "string") sections[field] = text;
  }
  return { summary, sections: Object.keys(sections).length > 0 ? sections : null };
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
/** "[RESOLVED]", "[IN PROGRESS]": the status in the page's words, in capitals. */
export function subjectTag(status: string, at: At = "UTC"): string {
  const w = words(at);
  return `[${statusWords(status, w).toLocaleUpperCase(w.locale)}]`;
}

function quotedPhrase(text: string): string {
  return `"${headerSafe(text).replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

export function unsubscribeUrl(settings: MailSettings, subscriberId: string): string {
  return `${settings.pageUrl}/subscriptions/unsubscribe?token=${encodeURIComponent(unsubscribeToken(settings.secret, subscriberId))}`;
}

const IMPACT_TONES: Readonly<Record<string, MailTone>> = { none: "info", minor: "minor", major: "partial", critical: "major" };

/** The status in words and its colour: done is green, monitoring calm, open work in its impact's colour, maintenance blue. */
function statusTone(input: MessageInput): MailTone {
  if (input.details?.cancelled) return "maint";
  if (input.updateStatus === "resolved" || input.updateStatus === "completed") return "ok";
  if (input.incidentKind === "maintenance") return "maint";
  if (input.updateStatus === "monitoring") return "info";
  return IMPACT_TONES[input.details?.impact ?? ""] ?? "major";
}

function statusWords(status: string, w: Words): string {
  // "cancelled" is a mail's own word for a maintenance called off (status.cancelled in the catalogue).
  return status === "cancelled" ? w.t("status.cancelled") : statusWord(w, status as IncidentRecord["status"]);
}

/** The day a mail is about: a maintenance's (its window's start), else the update's. */
function subjectDay(settings: MailSettings, input: MessageInput): string {
  const window = input.incidentKind === "maintenance" ? input.details?.window : null;
  return formatDay(dayKey(window?.start ?? input.updateCreatedAt, settings.timeZone), wordsOf(settings).locale);
}

/**
 * The Customer Communication Template (docs/incident-practice.md) for one update and one
 * subscriber, from the editable templates/customer-notice.md (see api/mail/template.ts for its
 * placeholders) in the mail design (api/mail/design.ts): `[STATUS] <name> - <Mon D, YYYY>` (a
 * maintenance's own day), the status in its colour, when it was posted — or, for a maintenance,
 * when it happens — in the page's zone, the affected components with their status, the update's
 * words rendered by the one Markdown renderer, a "View incident" button and a visible unsubscribe
 * link, with RFC 8058 one-click unsubscribe headers.
 */
export function buildMessage(settings: MailSettings, input: MessageInput): OutgoingMessage {
  if (input.kind === "postmortem") return buildPostmortemMessage(settings, input);
  const w = wordsOf(settings);
  const name = headerSafe(input.incidentName);
  const maintenance = input.incidentKind === "maintenance";
  const posted = formatPosted(input.updateCreatedAt, settings.timeZone, w.locale);
  const shownStatus = input.details?.cancelled ? "cancelled" : input.updateStatus;
  const filled = renderTemplate(loadCustomerNotice(w.locale), {
    status_tag: subjectTag(shownStatus, w),
    status: statusWords(shownStatus, w),
    kind: w.t(maintenance ? "mail.kind_maintenance" : "mail.kind_incident"),
    incident_name: name,
    date: subjectDay(settings, input),
    posted_at: posted,
    update_body: input.updateBody,
    ...noticeValues(settings, input),
    ...linkValues(settings, input),
  });
  const details = input.details ?? null;
  const window = maintenance && details?.window ? formatRange(details.window.start, details.window.end, settings.timeZone, w.locale, w.t("window.from_word")) : null;
  const severity = details?.severity && isSeverity(details.severity) ? `${details.severity} · ${w.t(`severity.${details.severity}`)}` : null;
  return framedMessage(settings, input.email, filled, listHeaders(settings, input.subscriberId), {
    status: { label: statusWords(shownStatus, w), tone: statusTone(input) },
    title: name,
    facts: [
      ...(window ? [{ label: w.t("mail.when"), value: window }] : []),
      ...(severity ? [{ label: w.t("mail.severity"), value: severity }] : []),
      { label: w.t("mail.posted"), value: posted },
    ],
    components: details?.components ?? [],
    action: { label: w.t(maintenance ? "mail.view_maintenance" : "mail.view_incident"), url: linkValues(settings, input).incident_url },
    unsubscribeUrl: unsubscribeUrl(settings, input.subscriberId),
  });
}

/**
 * The postmortem notice (templates/postmortem-notice.md): `[POSTMORTEM] <name> - <day it started>`,
 * the postmortem as published (its action items included) through the one Markdown renderer, when
 * it was published in the page's zone, a button to the incident and a visible unsubscribe link.
 */
export function buildPostmortemMessage(settings: MailSettings, input: MessageInput): OutgoingMessage {
  const w = wordsOf(settings);
  const published = formatPosted(input.updateCreatedAt, settings.timeZone, w.locale);
  const filled = renderTemplate(loadPostmortemNotice(w.locale), {
    incident_name: headerSafe(input.incidentName),
    date: formatDay(dayKey(input.incidentStartedAt ?? input.updateCreatedAt, settings.timeZone), w.locale),
    published_at: published,
    postmortem_body: input.updateBody,
    ...linkValues(settings, input),
  });
  return framedMessage(settings, input.email, filled, listHeaders(settings, input.subscriberId), {
    status: { label: w.t("incident.postmortem"), tone: "info" },
    title: headerSafe(input.incidentName),
    facts: [{ label: w.t("mail.published"), value: published }],
    components: [],
    action: { label: w.t("mail.view_incident"), url: linkValues(settings, input).incident_url },
    unsubscribeUrl: unsubscribeUrl(settings, input.subscriberId),
  });
}

/**
 * The seed's resolved notice: the summary in the page's zone ("today" is the update's own day, the
 * day the mail is about), the written sections, and the support address; empty values leave their
 * template sections out.
 */
function noticeValues(settings: MailSettings, input: MessageInput): Record<"summary" | NoticeField | "support_email", string> {
  const notice = input.details?.notice ?? null;
  const summary = notice?.summary ? summaryMarkdown(notice.summary, wordsOf(settings), dayKey(input.updateCreatedAt, settings.timeZone)) : "";
  const sections = Object.fromEntries(NOTICE_FIELDS.map((f) => [f, notice?.sections?.[f]?.trim() ? notice.sections[f]! : ""])) as Record<NoticeField, string>;
  return { summary, ...sections, support_email: settings.supportEmail ?? "" };
}

function linkValues(settings: MailSettings, input: MessageInput) {
  return {
    incident_url: `${settings.pageUrl}/incidents/${encodeURIComponent(input.incidentId)}`,
    page_name: headerSafe(settings.pageName),
    unsubscribe_url: unsubscribeUrl(settings, input.subscriberId),
  };
}

/** A filled template to a subscriber, in the mail design. */
function framedMessage(
  settings: MailSettings,
  to: string,
  filled: FilledMessage,
  headers: Record<string, string>,
  frame: Pick<MailFrame, "status" | "title" | "facts" | "components" | "action"> & { unsubscribeUrl: string },
): OutgoingMessage {
  const subject = headerSafe(filled.subject);
  const { html, text } = designedMail({
    settings,
    subject,
    preheader: frame.title ? `${frame.status?.label ?? ""}: ${frame.title}` : subject,
    status: frame.status,
    title: frame.title,
    facts: frame.facts,
    components: frame.components,
    body: { html: filled.html, text: filled.text },
    action: frame.action,
    footer: { reason: wordsOf(settings).t("mail.reason", { page: headerSafe(settings.pageName) }), unsubscribe: { url: frame.unsubscribeUrl, label: wordsOf(settings).t("mail.unsubscribe") } },
  });
  return { from: headerSafe(settings.from), to: headerSafe(to), subject, html, text, headers };
}

/** A filled template as one mail to one recipient who is not a subscriber (a webhook's owner): the design without the subscriber footer. */
export function filledMessage(settings: MailSettings, to: string, filled: FilledMessage, headers: Record<string, string>): OutgoingMessage {
  const subject = headerSafe(filled.subject);
  const { html, text } = designedMail({
    settings,
    subject,
    preheader: subject,
    facts: [],
    components: [],
    body: { html: filled.html, text: filled.text },
    footer: { reason: wordsOf(settings).t("mail.sent_by", { page: headerSafe(settings.pageName) }), unsubscribe: { url: settings.pageUrl, label: wordsOf(settings).t("mail.status_page") } },
  });
  return { from: headerSafe(settings.from), to: headerSafe(to), subject, html, text, headers };
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
