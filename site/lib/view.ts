/**
 * Every decision the status page makes, as plain data for the .astro files (which hold markup only):
 * which components show and in what order, labels, icons and colour tones, the 15 past days, the
 * history month navigation, durations and excerpts. Times come from ./time.ts, uptime from
 * ./uptime.ts; update bodies are rendered by templates/markdown.ts and nothing else.
 *
 * Colour is never the only signal: every status carries words and a distinct icon.
 */
import { brandCssPath, faviconPath } from "./brand.ts";
import { noticeBlocks } from "../../templates/notice.ts";
import { ICONS, impactBadge, impactTone, indicatorBadge, severityText, statusLabel, type Badge } from "./labels.ts";
import { barLegend, barLegendNote, componentRows, type TopRow } from "./bars.ts";
import { around, words, wordsOf, type At, type PageLanguage, type Words } from "../../locales/words.ts";
export { around } from "../../locales/words.ts";
import type { ComponentView } from "../../api/service/components.ts";
import type { IncidentRecord, UpdateRecord } from "../../db/records.ts";
import { renderMarkdown, renderMarkdownToText } from "../../templates/markdown.ts";
import { shownPostmortem, shownPostmortemText } from "../../api/serialize.ts";
import { atomFeedUrl } from "./atom.ts";
import { historyFeedTitle, historyFeedUrl } from "./feed.ts";
import type { RouteData, SiteSnapshot } from "./snapshot.ts";
import { addDays, between, dayKey, formatDay, formatDayShort, formatDuration, formatMonth, formatPosted, formatRangeParts, formatDateTime, formatTime, isoUtc, isMonthKey, timeZoneLabel } from "../../domain/time.ts";
import { subscribableInPageOrder } from "../../domain/component-order.ts";
import { UPTIME_DAYS } from "../../domain/uptime.ts";

// ---------------------------------------------------------------------------------------------
// Routes

type RouteName = RouteData["route"];
export type RouteOf<R extends RouteName> = Extract<RouteData, { route: R }>;

/** Astro.locals as the route expects them, or a clear error (the renderer reports it). */
export function expectRoute<R extends RouteName>(locals: unknown, route: R): RouteOf<R> {
  const data = locals as Partial<RouteData> | null | undefined;
  if (!data || typeof data !== "object" || data.route !== route) {
    throw new Error(`This page needs Astro.locals for route "${route}", got ${data && typeof data === "object" ? `route "${String(data.route)}"` : String(data)}.`);
  }
  if (!data.snapshot) throw new Error(`Astro.locals for route "${route}" has no snapshot.`);
  if ((route === "incident" || route === "preview") && !(data as RouteOf<"incident">).incident) throw new Error(`Astro.locals for route "${route}" has no incident.`);
  if (route === "history" && !(data as RouteOf<"history">).month) throw new Error('Astro.locals for route "history" has no month.');
  if (route === "component" && !(data as RouteOf<"component">).component) throw new Error('Astro.locals for route "component" has no component.');
  return data as RouteOf<R>;
}

/** Paths of the site, root-relative. */
export const paths = {
  home: "/",
  history: "/history",
  feed: "/history.rss",
  atom: "/history.atom",
  component: (id: string): string => `/components/${encodeURIComponent(id)}`,
  /** Upcoming and recent maintenances as an iCalendar feed (site/lib/calendar.ts). */
  calendar: "/maintenances.ics",
  /** The subscribe form, at the foot of the home page: static, so it works while the API is down. */
  subscribe: "/#subscribe",
  incident: (id: string): string => `/incidents/${encodeURIComponent(id)}`,
  preview: (token: string): string => `/preview/${encodeURIComponent(token)}`,
  month: (month: string): string => `/history/${encodeURIComponent(month)}`,
};

export * from "./labels.ts";
export * from "./bars.ts";

// ---------------------------------------------------------------------------------------------
// Times

/** What `<time datetime={iso}>{text}</time>` needs. */
export interface TimeView {
  iso: string;
  text: string;
}

export function postedTime(instant: string, at: At): TimeView {
  const w = words(at);
  return { iso: isoUtc(instant), text: formatPosted(instant, w.timeZone, w.locale) };
}

export function shortTime(instant: string, at: At): TimeView {
  const w = words(at);
  return { iso: isoUtc(instant), text: formatDateTime(instant, w.timeZone, w.locale) };
}

export interface WindowView {
  start: TimeView;
  end: TimeView | null;
}

/** A window as two `<time>`s: "Dec 3, 02:00" – "04:00 UTC"; without an end, the start alone. */
export function windowView(start: string, end: string | null, at: At): WindowView {
  const w = words(at);
  if (!end) return { start: shortTime(start, w), end: null };
  const [left, right] = formatRangeParts(start, end, w.timeZone, w.locale);
  return { start: { iso: isoUtc(start), text: left }, end: { iso: isoUtc(end), text: right } };
}

// ---------------------------------------------------------------------------------------------
// Text

/**
 * A plain-text excerpt of an update body: the Markdown's text (templates/markdown.ts), whitespace
 * collapsed, cut at a word boundary before `max` characters with "…". Shown as text, never as HTML.
 */
export function excerpt(markdown: string, max = 160): string {
  const text = renderMarkdownToText(markdown).replace(/\s+/g, " ").trim();
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(" ");
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).replace(/[\s,.;:!?-]+$/, "")}…`;
}

// ---------------------------------------------------------------------------------------------
// Incidents and updates

export interface UpdateView {
  id: string;
  status: string;
  /** Safe HTML from renderMarkdown: the only thing the pages pass to set:html. */
  html: string;
  posted: TimeView;
  reopened: boolean;
  /** The customer notice's sections under a resolving update (templates/notice.ts), each renderMarkdown output. */
  notice: { heading: string; html: string }[];
}

/** Updates newest first (by displayAt, then seq), bodies rendered once. */
export function updateViews(incident: IncidentRecord, at: At): UpdateView[] {
  const w = words(at);
  return sortedUpdates(incident).map((u) => ({
    id: u.id,
    status: statusLabel(u.status, incident, w),
    html: renderMarkdown(u.body),
    posted: postedTime(u.displayAt, w),
    reopened: u.reopened,
    notice: noticeBlocks(incident, u, w).map((b) => ({ heading: b.heading, html: renderMarkdown(b.markdown) })),
  }));
}

function sortedUpdates(incident: IncidentRecord): UpdateRecord[] {
  return [...incident.updates].sort((a, b) => Date.parse(b.displayAt) - Date.parse(a.displayAt) || b.seq - a.seq);
}

/** When an incident or maintenance belongs in the archive: a maintenance's scheduled start, else its creation. */
export function historyInstant(incident: IncidentRecord): string {
  return incident.scheduledFor ?? incident.createdAt;
}

/** When the work on it began: the first "in progress" update of a maintenance (or its scheduled start); an incident's startedAt. */
function workStarted(incident: IncidentRecord): string {
  if (incident.kind === "maintenance") {
    const firstInProgress = sortedUpdates(incident).reverse().find((u) => u.status === "in_progress");
    return firstInProgress?.displayAt ?? incident.scheduledFor ?? incident.startedAt;
  }
  return incident.startedAt;
}

/** "Resolved after 1 h 55 min" / "Completed after 2 h" once over; null while open. */
export function durationText(incident: IncidentRecord, at: At = "UTC"): string | null {
  const w = words(at);
  if (!incident.resolvedAt) return null;
  if (incident.cancelledAt) return w.t("incident.cancelled_before");
  if (incident.kind === "incident" && incident.status !== "resolved") return null;
  if (incident.kind === "maintenance" && incident.status !== "completed") return null;
  const ms = Math.max(0, between(workStarted(incident), incident.resolvedAt));
  return w.t(incident.kind === "maintenance" ? "incident.completed_after" : "incident.resolved_after", { duration: formatDuration(ms, w.locale) });
}

export interface IncidentSummary {
  id: string;
  href: string;
  name: string;
  kind: IncidentRecord["kind"];
  status: string;
  /** The current status as a badge: maintenance in blue, a resolved incident in green, an open one in its impact's tone. */
  state: Badge;
  /** The severity (or, without one, the impact) as one badge: the page says it one way only. */
  level: Badge;
  severity: string | null;
}

/**
 * Where an open incident stands, as a circle that fills as the work goes on (investigating ◔,
 * identified ◑, monitoring ◕, resolved ✓): the icon says the stage, never the damage, so a
 * monitored incident does not wear the red ✕ of an outage.
 */
export const STAGE_ICONS = { investigating: "◔", identified: "◑", monitoring: "◕", resolved: ICONS.ok } as const;

/**
 * The current status as a badge: a maintenance in blue, a resolved incident in green, a monitored
 * one in the calm "info" tone (the fix is in; we are watching), an incident still being worked on
 * in its impact's tone.
 */
export function stateBadge(incident: IncidentRecord, at: At = "UTC"): Badge {
  const label = statusLabel(incident.status, incident, at);
  if (incident.kind === "maintenance") return { label, icon: ICONS.maint, tone: "maint" };
  const icon = STAGE_ICONS[incident.status as keyof typeof STAGE_ICONS] ?? ICONS.info;
  if (incident.status === "resolved") return { label, icon, tone: "ok" };
  if (incident.status === "monitoring") return { label, icon, tone: "info" };
  return { label, icon, tone: impactTone(incident.impact) };
}

/**
 * How bad it is, said once: the severity as the incident practice names it ("SEV1 · Critical"),
 * coloured by its impact; an incident without a severity (imported) shows its impact instead.
 */
export function levelBadge(incident: IncidentRecord, at: At = "UTC"): Badge {
  const impact = impactBadge(incident.impact, at);
  const severity = severityText(incident.severity, at);
  return severity ? { ...impact, label: severity } : impact;
}

export function incidentSummary(incident: IncidentRecord, at: At = "UTC"): IncidentSummary {
  return {
    id: incident.id,
    href: paths.incident(incident.id),
    name: incident.name,
    kind: incident.kind,
    status: statusLabel(incident.status, incident, at),
    state: stateBadge(incident, at),
    level: levelBadge(incident, at),
    severity: severityText(incident.severity, at),
  };
}

export interface IncidentCard extends IncidentSummary {
  updates: UpdateView[];
  window: WindowView | null;
  /** The latest update's promise: "Next update: 14:30 UTC or sooner"; null when none or resolved. */
  nextUpdate: NextUpdateView | null;
}

/** `text` whole, and in parts for markup that puts the time in a `<time>`: before, time, after. */
export interface NextUpdateView {
  text: string;
  before: string;
  time: TimeView;
  after: string;
}

/**
 * The promise the latest update made about the next one, while the incident is open: "Next update:
 * 14:30 UTC or sooner" in the page's zone, with the date ("Nov 28, 14:30 UTC") when it is not the
 * same day as that update.
 */
export function nextUpdateView(incident: IncidentRecord, at: At): NextUpdateView | null {
  const w = words(at);
  const timeZone = w.timeZone;
  if (incident.kind !== "incident" || incident.status === "resolved") return null;
  const latest = sortedUpdates(incident)[0];
  if (!latest?.nextUpdateAt) return null;
  const sameDay = dayKey(latest.nextUpdateAt, timeZone) === dayKey(latest.displayAt, timeZone);
  const when = sameDay ? formatTime(latest.nextUpdateAt, timeZone, w.locale) : formatDateTime(latest.nextUpdateAt, timeZone, w.locale);
  const [before, after] = around(w.t, "incident.next_update").map((part) => part.trim()) as [string, string];
  return { text: w.t("incident.next_update", { time: when }), before, time: { iso: isoUtc(latest.nextUpdateAt), text: when }, after };
}

function incidentCard(incident: IncidentRecord, at: At, latestOnly = false): IncidentCard {
  const updates = updateViews(incident, at);
  return {
    ...incidentSummary(incident, at),
    updates: latestOnly ? updates.slice(0, 1) : updates,
    window: incident.scheduledFor ? windowView(incident.scheduledFor, incident.scheduledUntil, at) : null,
    nextUpdate: nextUpdateView(incident, at),
  };
}

// ---------------------------------------------------------------------------------------------
// Past incidents (home) and history

export const PAST_DAYS = 15;
/** Characters of the latest update shown for an incident in a list (past days, history). */
export const LISTED_EXCERPT = 120;

export interface ListedIncident extends IncidentSummary {
  /** Latest update: its status and a plain-text excerpt. */
  latest: { status: string; text: string; posted: TimeView } | null;
  /** When it happened: start (and end when over), in the page zone. */
  when: WindowView;
}

/**
 * When it happened, for a list: an incident from its creation, a maintenance over its window —
 * until it is over, then over the time it really took (a maintenance completed before its
 * scheduled start shows when it was done, never an end before its start).
 */
export function listedWindow(incident: IncidentRecord, at: At): WindowView {
  if (incident.kind === "maintenance" && incident.resolvedAt) {
    const started = workStarted(incident);
    const start = Date.parse(started) <= Date.parse(incident.resolvedAt) ? started : incident.createdAt;
    return windowView(Date.parse(start) <= Date.parse(incident.resolvedAt) ? start : incident.resolvedAt, incident.resolvedAt, at);
  }
  const end = incident.resolvedAt ?? (incident.kind === "maintenance" ? incident.scheduledUntil : null);
  return windowView(historyInstant(incident), end, at);
}

export function listed(incident: IncidentRecord, at: At): ListedIncident {
  const latest = sortedUpdates(incident)[0];
  // Long enough to say what happened; the whole update is one click away.
  const text = latest ? excerpt(latest.body, LISTED_EXCERPT) : "";
  return {
    ...incidentSummary(incident, at),
    latest: latest && text ? { status: statusLabel(latest.status, incident, at), text, posted: shortTime(latest.displayAt, at) } : null,
    when: listedWindow(incident, at),
  };
}

export interface PastDay {
  /** "2026-11-27": the newest day of the row. */
  key: string;
  /** "Nov 27, 2026", or for a run of quiet days "Nov 20 – Nov 26, 2026". */
  title: string;
  incidents: ListedIncident[];
}

const newestFirst = (a: IncidentRecord, b: IncidentRecord): number =>
  Date.parse(historyInstant(b)) - Date.parse(historyInstant(a)) || b.id.localeCompare(a.id);

/**
 * The last PAST_DAYS days in the page's zone, today first, each with the incidents and maintenances
 * of that day, newest first. An incident belongs to the day of `historyInstant` (a maintenance's
 * scheduled start, else its creation) — the same rule as the history months. One that began before
 * the window but was updated within it is listed on the day of its last update; maintenances
 * scheduled after today are left to "Scheduled maintenance".
 */
export function pastDays(snapshot: SiteSnapshot): PastDay[] {
  const tz = snapshot.page.timeZone;
  const w = wordsOf(snapshot.page);
  const today = dayKey(snapshot.generatedAt, tz);
  const first = addDays(today, -(PAST_DAYS - 1));
  const byDay = new Map<string, IncidentRecord[]>();
  // What is still open is shown above (active incidents, maintenance); it is not "past" yet.
  const shownAbove = new Set([...snapshot.unresolvedIncidents, ...snapshot.activeMaintenances, ...snapshot.upcomingMaintenances].map((i) => i.id));
  for (const incident of [...snapshot.recentIncidents].sort(newestFirst)) {
    if (shownAbove.has(incident.id)) continue;
    let key = dayKey(historyInstant(incident), tz);
    if (key > today) continue;
    if (key < first) key = dayKey(incident.updatedAt, tz);
    if (key < first || key > today) continue;
    byDay.set(key, [...(byDay.get(key) ?? []), incident]);
  }
  const days: PastDay[] = [];
  // Quiet days in a row are one line ("Nov 20 – Nov 26, 2026: No incidents reported").
  let quietNewest: string | null = null;
  let quietOldest = "";
  const closeQuiet = () => {
    if (quietNewest === null) return;
    const title = quietNewest === quietOldest ? formatDay(quietNewest, w.locale) : `${formatDayShort(quietOldest, w.locale)} – ${formatDay(quietNewest, w.locale)}`;
    days.push({ key: quietNewest, title, incidents: [] });
    quietNewest = null;
  };
  for (let i = 0; i < PAST_DAYS; i++) {
    const key = addDays(today, -i);
    const incidents = byDay.get(key) ?? [];
    if (incidents.length === 0) {
      quietNewest ??= key;
      quietOldest = key;
      continue;
    }
    closeQuiet();
    days.push({ key, title: formatDay(key, w.locale), incidents: incidents.map((inc) => listed(inc, w)) });
  }
  closeQuiet();
  return days;
}

export interface MonthLink {
  month: string;
  href: string;
  label: string;
}

export interface HistoryView {
  month: string;
  title: string;
  incidents: ListedIncident[];
  newer: MonthLink | null;
  older: MonthLink | null;
  /** Every month with incidents, newest first, for the "All months" list. */
  months: (MonthLink & { current: boolean })[];
}

const monthLink = (month: string, w: Words): MonthLink => ({ month, href: paths.month(month), label: formatMonth(month, w.locale) });

/** One month of the archive, newest first, with links to the neighbouring months that have incidents. */
export function historyView(data: RouteOf<"history">): HistoryView {
  const tz = data.snapshot.page.timeZone;
  const w = wordsOf(data.snapshot.page);
  const month = isMonthKey(data.month.month) ? data.month.month : dayKey(data.snapshot.generatedAt, tz).slice(0, 7);
  const months = [...new Set(data.months.filter(isMonthKey))].sort().reverse();
  const newer = months.filter((m) => m > month).at(-1) ?? null;
  const older = months.find((m) => m < month) ?? null;
  return {
    month,
    title: formatMonth(month, w.locale),
    incidents: [...data.month.incidents].sort(newestFirst).map((i) => listed(i, w)),
    newer: newer ? monthLink(newer, w) : null,
    older: older ? monthLink(older, w) : null,
    months: months.map((m) => ({ ...monthLink(m, w), current: m === month })),
  };
}

// ---------------------------------------------------------------------------------------------
// Pages

export interface LayoutView {
  /** <title> */
  title: string;
  pageName: string;
  /** Absolute feed URLs for <link rel="alternate"> (RSS and Atom). */
  feedUrl: string;
  atomUrl: string;
  feedTitle: string;
  updated: TimeView;
  timeZoneNote: string;
  /** Keep search engines away (drill previews, "Page not found"). */
  noindex?: boolean;
  /** No "Last updated" in the footer: the page shows no data (and is not made on every publish). */
  timeless?: boolean;
  /** The tab's icon: the company's (PAGE_FAVICON), else one that shows the page's status. */
  favicon: string;
  /** The company's logo beside the page's name (PAGE_LOGO), or null. */
  logo: string | null;
  /** The accent's stylesheet (PAGE_ACCENT), after the site's, or null. */
  brandCss: string | null;
  /** The page's language: `<html lang dir>` and every word the markup writes (`words.t`). */
  words: Words;
}

export function layoutView(snapshot: SiteSnapshot, title: string | null): LayoutView {
  const page = snapshot.page;
  const w = wordsOf(page);
  return {
    title: title ? `${title} - ${page.name}` : page.name,
    pageName: page.name,
    feedUrl: historyFeedUrl(page),
    atomUrl: atomFeedUrl(page),
    feedTitle: historyFeedTitle(page),
    updated: shortTime(page.updatedAt, w),
    timeZoneNote: w.t("footer.times_in", { zone: timeZoneLabel(snapshot.generatedAt, page.timeZone) }),
    words: w,
    favicon: page.brand?.favicon?.src || faviconPath(snapshot.status.indicator),
    logo: page.brand?.logo?.src || null,
    brandCss: brandCssPath(page.brand),
  };
}

export interface HomeView {
  layout: LayoutView;
  banner: Badge;
  incidents: IncidentCard[];
  maintenances: IncidentCard[];
  components: TopRow[];
  legend: readonly Badge[];
  legendNote: string;
  days: number;
  past: PastDay[];
  /** The subscribe form's components, grouped and in the page's order (as on the manage page). */
  subscribe: { group: string | null; components: { id: string; name: string }[] }[];
}

export function homeView(data: RouteOf<"home">): HomeView {
  const { snapshot } = data;
  const w = wordsOf(snapshot.page);
  return {
    layout: layoutView(snapshot, null),
    banner: indicatorBadge(snapshot.status, w),
    incidents: snapshot.unresolvedIncidents.map((i) => incidentCard(i, w)),
    maintenances: [
      ...snapshot.activeMaintenances.map((m) => incidentCard(m, w, true)),
      ...snapshot.upcomingMaintenances.map((m) => incidentCard(m, w, true)),
    ],
    components: componentRows(snapshot),
    legend: barLegend(w),
    legendNote: barLegendNote(w),
    days: UPTIME_DAYS,
    past: pastDays(snapshot),
    subscribe: subscribableInPageOrder(snapshot.components).map((s) => ({ group: s.group?.name ?? null, components: s.components.map((c) => ({ id: c.id, name: c.name })) })),
  };
}

export interface IncidentPageView {
  layout: LayoutView;
  incident: IncidentCard;
  /** "Incident Report for Herald Status" / "Scheduled Maintenance Report for …" */
  kicker: string;
  /** When an incident started (null for maintenances: they show their window). */
  started: TimeView | null;
  duration: string | null;
  /** The components it affected, in page order, each linked to its page (null: since deleted). */
  affected: { name: string; href: string | null }[];
  /** A maintenance called off before it began. */
  cancelled: boolean;
  /** The published postmortem, shown above the updates while the incident is resolved. */
  postmortem: PostmortemView | null;
}

export interface PostmortemView {
  /** Safe HTML from renderMarkdown (action items included as its "Action Items" section). */
  html: string;
  published: TimeView;
  /** Set when it was edited after it was published. */
  edited: TimeView | null;
}

/** The postmortem as the incident page shows it, or null (none published, or the incident was reopened). */
export function postmortemView(incident: IncidentRecord, page: { timeZone: string; showOwners?: boolean } & PageLanguage): PostmortemView | null {
  const postmortem = shownPostmortem(incident);
  if (!postmortem) return null;
  const w = wordsOf(page);
  return {
    html: renderMarkdown(shownPostmortemText(incident, page)!),
    published: postedTime(postmortem.publishedAt!, w),
    edited: postmortem.updatedAt > postmortem.publishedAt! ? postedTime(postmortem.updatedAt, w) : null,
  };
}

/** Affected components: linked ones by their current names in page order (each with its page), then names recorded on updates for any since deleted. */
export function affectedNames(incident: IncidentRecord, components: readonly ComponentView[]): { name: string; href: string | null }[] {
  const linked = new Set(incident.componentIds);
  for (const u of incident.updates) for (const a of u.affected) linked.add(a.componentId);
  const byId = new Map(components.map((c) => [c.id, c]));
  const groupPos = (c: ComponentView): number => (c.groupId ? (byId.get(c.groupId)?.position ?? 0) : c.position);
  const known = components
    .filter((c) => linked.has(c.id))
    .sort((a, b) => groupPos(a) - groupPos(b) || (a.groupId ? a.position : -1) - (b.groupId ? b.position : -1) || a.name.localeCompare(b.name));
  const names: { name: string; href: string | null }[] = known.map((c) => ({ name: c.name, href: paths.component(c.id) }));
  const seen = new Set(known.map((c) => c.id));
  for (const u of sortedUpdates(incident)) {
    for (const a of u.affected) {
      if (!seen.has(a.componentId)) {
        seen.add(a.componentId);
        names.push({ name: a.name, href: null });
      }
    }
  }
  return names;
}

export function incidentPageView(data: RouteOf<"incident">): IncidentPageView {
  const { snapshot, incident } = data;
  const w = wordsOf(snapshot.page);
  return {
    layout: layoutView(snapshot, incident.name),
    incident: incidentCard(incident, w),
    kicker: w.t(incident.kind === "maintenance" ? "incident.kicker_maintenance" : "incident.kicker", { page: snapshot.page.name }),
    started: incident.kind === "incident" ? postedTime(incident.startedAt, w) : null,
    duration: durationText(incident, w),
    affected: affectedNames(incident, snapshot.components),
    cancelled: !!incident.cancelledAt,
    postmortem: postmortemView(incident, snapshot.page),
  };
}

export interface PreviewPageView extends IncidentPageView {
  /** Says plainly that this is practice and where it is (not) shown. */
  drillNotice: string;
}

/** /preview/<token>: a drill's incident page, for the team only (unlisted, noindex). */
export function previewPageView(data: RouteOf<"preview">): PreviewPageView {
  const view = incidentPageView({ route: "incident", snapshot: data.snapshot, incident: data.incident });
  // The team reads previews: they stay in English, as the console does.
  return {
    ...view,
    layout: { ...view.layout, title: `DRILL: ${view.layout.title}`, noindex: true },
    drillNotice: "DRILL: this is a practice incident. This preview is unlisted: customers, subscribers, the feed and the status API never see it.",
  };
}

export { NOT_FOUND_PATH } from "../../api/http/public-pages.ts";

export interface NotFoundView {
  layout: LayoutView;
  heading: string;
  text: string;
}

export function notFoundView(data: RouteOf<"notfound">): NotFoundView {
  const w = wordsOf(data.snapshot.page);
  return {
    layout: { ...layoutView(data.snapshot, w.t("not_found.title")), noindex: true, timeless: true },
    heading: w.t("not_found.title"),
    text: w.t("not_found.text"),
  };
}

export function historyPageView(data: RouteOf<"history">): { layout: LayoutView; history: HistoryView } {
  const history = historyView(data);
  return { layout: layoutView(data.snapshot, wordsOf(data.snapshot.page).t("history.title_month", { month: history.title })), history };
}

/** The page's words for a component that is given only its own props (every route's locals hold the snapshot). */
export function localsWords(locals: unknown): Words {
  const snapshot = (locals as Partial<RouteData> | null | undefined)?.snapshot;
  return snapshot ? wordsOf(snapshot.page) : words("UTC");
}
