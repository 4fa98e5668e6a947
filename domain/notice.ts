/**
 * The seed's customer notice for a resolved incident: SUMMARY (written by Herald from what it
 * stored), then IMPACT, ROOT CAUSE, RESOLUTION and PREVENTION as the comms lead wrote them on the
 * resolving update. Sections without words are left out, never shown as empty headings.
 */
import { statusRank, type ComponentStatus } from "./components.ts";
import { isEnglish, type Translate } from "./locale.ts";
import { between, dayKey, formatClock, formatDay, formatDuration, labelled, timeZoneLabel, type Instant } from "./time.ts";

/** The language a notice is written in: the page's locale, zone and catalogue (locales/words.ts makes one). */
export interface NoticeLanguage {
  locale: string;
  timeZone: string;
  t: Translate;
}

/** The sections a resolving update may carry (API fields and CLI flags of the same names). */
export const NOTICE_FIELDS = ["impact", "root_cause", "resolution", "prevention"] as const;
export type NoticeField = (typeof NOTICE_FIELDS)[number];
/** Markdown per section; absent or blank: not written. */
export type NoticeSections = Partial<Record<NoticeField, string | null>>;

export const NOTICE_HEADINGS: Readonly<Record<NoticeField | "summary", string>> = Object.freeze({
  summary: "Summary",
  impact: "Impact",
  root_cause: "Root cause",
  resolution: "Resolution",
  prevention: "Prevention",
});

/** The sections that have words, in the seed's order. */
export function writtenSections(notice: NoticeSections | null | undefined): { field: NoticeField; heading: string; markdown: string }[] {
  if (!notice) return [];
  return NOTICE_FIELDS.flatMap((field) => {
    const markdown = notice[field];
    return markdown && markdown.trim() ? [{ field, heading: NOTICE_HEADINGS[field], markdown }] : [];
  });
}

/** Why these sections cannot go on an update with this status, or null when they may. */
export function noticeSectionsRefusal(notice: NoticeSections, kind: "incident" | "maintenance", status: string): string | null {
  const given = NOTICE_FIELDS.filter((f) => notice[f] !== undefined && notice[f] !== null);
  if (given.length === 0) return null;
  if (kind !== "incident") return `${given.join(", ")}: only an incident's resolving update carries the customer notice's sections.`;
  if (status !== "resolved") return `${given.join(", ")}: only the resolving update (status resolved) carries the customer notice's sections.`;
  return null;
}

/** What the summary is written from: the incident's window and the worst status each component reached. */
export interface SummaryInput {
  startedAt: Instant;
  resolvedAt: Instant;
  /** In the page's order. */
  components: readonly { name: string; worst: ComponentStatus | null }[];
}

/**
 * The worst status each component reached during an incident, from its updates' component changes
 * (any order), in the order first met; components only ever set to operational are left out.
 */
export function worstByComponent(changes: Iterable<{ name: string; newStatus: ComponentStatus }>): { name: string; worst: ComponentStatus }[] {
  const worst = new Map<string, ComponentStatus>();
  for (const change of changes) {
    if (change.newStatus === "operational") continue;
    const before = worst.get(change.name);
    if (!before || statusRank(change.newStatus) > statusRank(before)) worst.set(change.name, change.newStatus);
  }
  return [...worst].map(([name, status]) => ({ name, worst: status }));
}

const clock = (at: Instant, w: NoticeLanguage): string => formatClock(at, w.timeZone, w.locale);

/**
 * "Between 14:05 and 15:00 UTC today" (`today` is the day, in the page's zone, the notice is read as
 * of: a mail's own day), "… on Jan 15, 2024" on another day, and with both dates across days:
 * "Between Jan 15, 2024, 23:40 and Jan 16, 2024, 01:10 UTC". A DST change inside keeps each label.
 */
export function windowWords(start: Instant, end: Instant, w: NoticeLanguage, today: string | null = null): string {
  const { timeZone, locale } = w;
  const labelA = timeZoneLabel(start, timeZone);
  const labelB = timeZoneLabel(end, timeZone);
  const a = labelA === labelB ? clock(start, w) : labelled(clock(start, w), labelA, w.locale);
  const b = labelled(clock(end, w), labelB, w.locale);
  const dayA = dayKey(start, timeZone);
  const dayB = dayKey(end, timeZone);
  if (dayA === dayB) return dayA === today ? w.t("notice.window_today", { start: a, end: b }) : w.t("notice.window_day", { start: a, end: b, day: formatDay(dayA, locale) });
  return w.t("notice.window_days", { start: a, end: b, start_day: formatDay(dayA, locale), end_day: formatDay(dayB, locale) });
}

/** "A, B and C" in English (Herald's own style), the locale's conjunction list elsewhere. */
function listWords(items: readonly string[], w: NoticeLanguage): string {
  if (!isEnglish(w.locale)) return new Intl.ListFormat(w.locale, { type: "conjunction" }).format(items);
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

/**
 * The seed's SUMMARY sentence, plain text: "Between 14:05 and 15:00 UTC today (55 min), API (Major
 * Outage) and Website (Degraded Performance) were affected." Component names are returned as given;
 * the caller escapes them for its medium.
 */
export function summarySentence(input: SummaryInput, w: NoticeLanguage, today: string | null = null): string {
  const window = windowWords(input.startedAt, input.resolvedAt, w, today);
  const duration = formatDuration(Math.max(0, between(input.startedAt, input.resolvedAt)), w.locale);
  const names = input.components.map((c) => (c.worst && c.worst !== "operational" ? w.t("notice.component_worst", { name: c.name, status: w.t(`component_status.${c.worst}`) }) : c.name));
  if (names.length === 0) return w.t("notice.summary_service", { window, duration });
  return w.t("notice.summary", { window, duration, names: listWords(names, w), count: names.length });
}

/** What an incident needs to be for its summary (db/records.ts IncidentRecord is one). */
export interface NoticeIncident {
  kind: string;
  status: string;
  startedAt: Instant;
  updates: readonly { id: string; seq: number; status: string; displayAt: string; affected: readonly { name: string; newStatus: ComponentStatus }[] }[];
}

/**
 * The summary's input when `updateId` is the incident's resolution — its newest update, resolved —
 * else null (an earlier resolution before a reopening is not summarised again).
 */
export function summaryInputOf(incident: NoticeIncident, updateId: string): SummaryInput | null {
  if (incident.kind !== "incident" || incident.status !== "resolved" || incident.updates.length === 0) return null;
  const bySeq = [...incident.updates].sort((a, b) => a.seq - b.seq);
  const newest = bySeq.at(-1)!;
  if (newest.id !== updateId || newest.status !== "resolved") return null;
  return { startedAt: incident.startedAt, resolvedAt: newest.displayAt, components: worstByComponent(bySeq.flatMap((u) => u.affected)) };
}
