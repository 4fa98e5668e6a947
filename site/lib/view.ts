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
import { COMPONENT_STATUS_LABELS, type ComponentStatus } from "../../domain/components.ts";
import type { PageStatus, Indicator } from "../../domain/indicator.ts";
import { statusLabelOf } from "../../domain/lifecycle.ts";
import { SEVERITY_LEVELS, type Impact, type Severity } from "../../domain/severity.ts";
import type { ComponentView } from "../../api/service/components.ts";
import type { IncidentRecord, UpdateRecord } from "../../db/records.ts";
import { renderMarkdown, renderMarkdownToText } from "../../templates/markdown.ts";
import { shownPostmortem, shownPostmortemText } from "../../api/serialize.ts";
import { atomFeedUrl } from "./atom.ts";
import { historyFeedTitle, historyFeedUrl } from "./feed.ts";
import type { RouteData, SiteSnapshot } from "./snapshot.ts";
import {
  MINUTE,
  addDays,
  between,
  dayKey,
  formatDay,
  formatDayShort,
  formatDuration,
  formatMonth,
  formatPosted,
  formatRangeParts,
  formatDateTime,
  formatTime,
  isoUtc,
  isMonthKey,
  timeZoneLabel,
} from "../../domain/time.ts";
import { byPosition, subscribableInPageOrder } from "../../domain/component-order.ts";
import { MIN_STATUS_MINUTES, UPTIME_DAYS, computeUptime, formatUptime, uptimeOfDays, type ComponentUptime, type DayLevel, type UptimeDay } from "../../domain/uptime.ts";

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

// ---------------------------------------------------------------------------------------------
// Tones, icons and labels

/** Colour families; CSS maps each to a colour with enough contrast in light and dark schemes. */
export type Tone = "ok" | "minor" | "partial" | "major" | "maint" | "info" | "nodata";

export interface Badge {
  label: string;
  /** A decorative glyph (aria-hidden): distinct per status so colour is never the only cue. */
  icon: string;
  tone: Tone;
}

export const ICONS = {
  ok: "✓",
  minor: "▲",
  partial: "◆",
  major: "✕",
  maint: "◷",
  info: "●",
  nodata: "–",
} as const satisfies Record<Tone, string>;

const COMPONENT_TONES: Readonly<Record<ComponentStatus, Tone>> = {
  operational: "ok",
  degraded_performance: "minor",
  partial_outage: "partial",
  major_outage: "major",
  under_maintenance: "maint",
};

/** "Operational" with ✓ (green), "Degraded Performance" ▲ (yellow), "Partial Outage" ◆ (orange), "Major Outage" ✕ (red), "Under Maintenance" ◷ (blue). */
export function componentBadge(status: ComponentStatus): Badge {
  const tone = COMPONENT_TONES[status];
  return { label: COMPONENT_STATUS_LABELS[status], icon: ICONS[tone], tone };
}

const INDICATOR_TONES: Readonly<Record<Indicator, Tone>> = {
  none: "ok",
  minor: "minor",
  major: "partial",
  critical: "major",
  maintenance: "maint",
};

/** The banner: Statuspage's own description ("All Systems Operational"), with a tone and an icon. */
export function indicatorBadge(status: PageStatus): Badge {
  const tone = INDICATOR_TONES[status.indicator];
  return { label: status.description, icon: ICONS[tone], tone };
}

const IMPACT_BADGES: Readonly<Record<Impact | "maintenance", Badge>> = {
  none: { label: "No impact", icon: ICONS.info, tone: "info" },
  minor: { label: "Minor impact", icon: ICONS.minor, tone: "minor" },
  major: { label: "Major impact", icon: ICONS.partial, tone: "partial" },
  critical: { label: "Critical impact", icon: ICONS.major, tone: "major" },
  maintenance: { label: "Maintenance", icon: ICONS.maint, tone: "maint" },
};

/** The Statuspage impact in words: "Critical impact", "Major impact", "Minor impact", "No impact", "Maintenance". */
export function impactBadge(impact: Impact | "maintenance"): Badge {
  return IMPACT_BADGES[impact];
}

/** "SEV2 · High" — the severity as the incident-management guide names it; null without one. */
export function severityText(severity: Severity | null): string | null {
  return severity ? `${severity} · ${SEVERITY_LEVELS[severity].name}` : null;
}

/** The status in words; a maintenance cancelled before it began reads "Cancelled", not "Completed". */
export function statusLabel(status: IncidentRecord["status"], incident?: Pick<IncidentRecord, "cancelledAt">): string {
  return statusLabelOf(status, incident);
}

// ---------------------------------------------------------------------------------------------
// Times

/** What `<time datetime={iso}>{text}</time>` needs. */
export interface TimeView {
  iso: string;
  text: string;
}

export function postedTime(instant: string, timeZone: string): TimeView {
  return { iso: isoUtc(instant), text: formatPosted(instant, timeZone) };
}

export function shortTime(instant: string, timeZone: string): TimeView {
  return { iso: isoUtc(instant), text: formatDateTime(instant, timeZone) };
}

export interface WindowView {
  start: TimeView;
  end: TimeView | null;
}

/** A window as two `<time>`s: "Dec 3, 02:00" – "04:00 UTC"; without an end, the start alone. */
export function windowView(start: string, end: string | null, timeZone: string): WindowView {
  if (!end) return { start: shortTime(start, timeZone), end: null };
  const [left, right] = formatRangeParts(start, end, timeZone);
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
export function updateViews(incident: IncidentRecord, timeZone: string): UpdateView[] {
  return sortedUpdates(incident).map((u) => ({
    id: u.id,
    status: statusLabel(u.status, incident),
    html: renderMarkdown(u.body),
    posted: postedTime(u.displayAt, timeZone),
    reopened: u.reopened,
    notice: noticeBlocks(incident, u, timeZone).map((b) => ({ heading: b.heading, html: renderMarkdown(b.markdown) })),
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
export function durationText(incident: IncidentRecord): string | null {
  if (!incident.resolvedAt) return null;
  if (incident.cancelledAt) return "Cancelled before it began";
  if (incident.kind === "incident" && incident.status !== "resolved") return null;
  if (incident.kind === "maintenance" && incident.status !== "completed") return null;
  const ms = Math.max(0, between(workStarted(incident), incident.resolvedAt));
  return `${incident.kind === "maintenance" ? "Completed" : "Resolved"} after ${formatDuration(ms)}`;
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
export function stateBadge(incident: IncidentRecord): Badge {
  const label = statusLabel(incident.status, incident);
  if (incident.kind === "maintenance") return { label, icon: ICONS.maint, tone: "maint" };
  const icon = STAGE_ICONS[incident.status as keyof typeof STAGE_ICONS] ?? ICONS.info;
  if (incident.status === "resolved") return { label, icon, tone: "ok" };
  if (incident.status === "monitoring") return { label, icon, tone: "info" };
  return { label, icon, tone: impactBadge(incident.impact).tone };
}

/**
 * How bad it is, said once: the severity as the incident practice names it ("SEV1 · Critical"),
 * coloured by its impact; an incident without a severity (imported) shows its impact instead.
 */
export function levelBadge(incident: IncidentRecord): Badge {
  const impact = impactBadge(incident.impact);
  const severity = severityText(incident.severity);
  return severity ? { ...impact, label: severity } : impact;
}

export function incidentSummary(incident: IncidentRecord): IncidentSummary {
  return {
    id: incident.id,
    href: paths.incident(incident.id),
    name: incident.name,
    kind: incident.kind,
    status: statusLabel(incident.status, incident),
    state: stateBadge(incident),
    level: levelBadge(incident),
    severity: severityText(incident.severity),
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
export function nextUpdateView(incident: IncidentRecord, timeZone: string): NextUpdateView | null {
  if (incident.kind !== "incident" || incident.status === "resolved") return null;
  const latest = sortedUpdates(incident)[0];
  if (!latest?.nextUpdateAt) return null;
  const sameDay = dayKey(latest.nextUpdateAt, timeZone) === dayKey(latest.displayAt, timeZone);
  const when = sameDay ? formatTime(latest.nextUpdateAt, timeZone) : formatDateTime(latest.nextUpdateAt, timeZone);
  const before = "Next update:";
  const after = "or sooner";
  return { text: `${before} ${when} ${after}`, before, time: { iso: isoUtc(latest.nextUpdateAt), text: when }, after };
}

function incidentCard(incident: IncidentRecord, timeZone: string, latestOnly = false): IncidentCard {
  const updates = updateViews(incident, timeZone);
  return {
    ...incidentSummary(incident),
    updates: latestOnly ? updates.slice(0, 1) : updates,
    window: incident.scheduledFor ? windowView(incident.scheduledFor, incident.scheduledUntil, timeZone) : null,
    nextUpdate: nextUpdateView(incident, timeZone),
  };
}

// ---------------------------------------------------------------------------------------------
// Components and uptime bars

/**
 * Bar geometry, as Statuspage draws it: a 3-unit bar every 5 units in a 448 × 34 view box. The SVG
 * draws a run of days as a stretch of a horizontal line through the middle, stroked 34 units wide
 * and dashed 3 on, 2 off (site.css): one green path for the whole bar, one path per run of days
 * without data and one per day that was not fully operational, so the bar alone tells the whole
 * story. Those days' details are the items of one list, laid by site.css as cells over the bar
 * (one flex cell a day, the other days empty spacers) with the detail shown on hover, and shown as
 * a plain list below the bar when opened: each day's detail is in the page once, for hover,
 * keyboard and screen reader alike, and opening it never hides the bar.
 *
 * Phones show the last PHONE_DAYS days (site.css shows the right third of the bar), with their
 * own percentage, as Statuspage does.
 */
export const BAR = { step: 5, width: 3, height: 34, viewWidth: 448 } as const;
export const PHONE_DAYS = 30;

const LEVEL_TONES: Readonly<Record<DayLevel, Tone>> = {
  none: "ok",
  maint: "maint",
  minor: "minor",
  partial: "partial",
  major: "major",
  nodata: "nodata",
};

/** A run of days drawn in the SVG, with its hover text. */
export interface BarRun {
  /** Path data along the middle line: "M0 17h248" (50 days from the first). */
  d: string;
  tone: Tone;
  /** "Aug 30 – Oct 18: No data", an SVG <title>; null for a notable day, whose detail is its list item. */
  title: string | null;
}

/** A day that was not fully operational: outage, degradation or maintenance. */
export interface BarNote {
  tone: Tone;
  /** "Nov 25, 2026: Major outage (30 min); 97.91 % uptime": the date, the worst status first, then the rest. */
  text: string;
}

export interface BarView {
  /** "99.84 % uptime", "No outages" (coloured days, none of them down), or "No data". */
  percent: string;
  /** The same over the last PHONE_DAYS days, shown on phones. */
  percentPhone: string;
  /** Text alternative of the whole bar. */
  label: string;
  /** What the background path (days with data and no downtime) says on hover. */
  base: string;
  /** Runs of days without data, and each day not fully operational, oldest first. */
  runs: BarRun[];
  /** One per day, oldest first: a note for a day not fully operational, null for the others. */
  days: (BarNote | null)[];
  /** How many days have a note (and how many of them are among the last PHONE_DAYS). */
  notable: number;
  notablePhone: number;
  /** "3 days not fully operational", "Operational on all 90 days"… */
  summary: string;
  summaryPhone: string;
}

/** The path data of `count` days from day `index` (0 = oldest). */
export function barPath(index: number, count = 1): string {
  return `M${index * BAR.step} ${BAR.height / 2}h${count * BAR.step - (BAR.step - BAR.width)}`;
}

function dayDetail(d: UptimeDay, withUptime = true): string {
  if (d.minutes <= 0) return "No data";
  const parts: string[] = [];
  const add = (minutes: number, what: string) => {
    if (minutes > 0) parts.push(`${what} (${formatDuration(minutes * MINUTE)})`);
  };
  add(d.major, "Major outage");
  add(d.partial, "Partial outage");
  add(d.degraded, "Degraded performance");
  add(d.maintenance, "Maintenance");
  if (parts.length === 0) return "No downtime";
  return withUptime ? `${parts.join(", ")}; ${formatUptime(d.uptime)} uptime` : parts.join(", ");
}

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/** A day is coloured (and has a note) when its worst status lasted long enough (domain/uptime.ts). */
const isNotable = (d: UptimeDay): boolean => d.level !== "none" && d.level !== "nodata";

/**
 * Each run of consecutive days without data as one path, then the notable days as one path per
 * colour (a day is one "M… 17h3" of it: a busy page has hundreds).
 */
function barRuns(days: readonly UptimeDay[]): BarRun[] {
  const runs: BarRun[] = [];
  const byTone = new Map<Tone, string>();
  for (let i = 0; i < days.length; i++) {
    const day = days[i]!;
    if (isNotable(day)) {
      const tone = LEVEL_TONES[day.level];
      byTone.set(tone, (byTone.get(tone) ?? "") + barPath(i));
      continue;
    }
    if (day.minutes > 0) continue;
    let last = i;
    while (last + 1 < days.length && days[last + 1]!.minutes <= 0) last++;
    const first = formatDayShort(day.day);
    runs.push({ d: barPath(i, last - i + 1), tone: "nodata", title: `${last === i ? first : `${first} – ${formatDayShort(days[last]!.day)}`}: No data` });
    i = last;
  }
  for (const [tone, d] of byTone) runs.push({ d, tone, title: null });
  return runs;
}


/**
 * The percentage beside a bar. It never reads "100 %" beside a coloured day: when every coloured
 * day was degraded or in maintenance only (which count as up), it says "No outages" instead.
 */
export function percentText(uptime: number | null, notable: number): string {
  if (uptime === null) return "No data";
  const text = formatUptime(uptime);
  if (text === "100 %" && notable > 0) return "No outages";
  return `${text} uptime`;
}

function summaryText(notable: number, uptime: number | null, daysWithData: number, span: number): string {
  if (notable > 0) return `${plural(notable, "day", "days")} not fully operational`;
  if (uptime === null) return "No data yet";
  if (daysWithData >= span) return `Operational on all ${span} days`;
  return daysWithData === 1 ? "Operational on its one day with data" : `Operational on all ${daysWithData} days with data`;
}

/** The days (page zone) an incident spans, from its start to its resolution (or now), at most the bar's length. */
export function* incidentDays(incident: Pick<IncidentRecord, "startedAt" | "resolvedAt">, snapshot: Pick<SiteSnapshot, "generatedAt" | "page">): Generator<string> {
  const tz = snapshot.page.timeZone;
  const last = dayKey(incident.resolvedAt ?? snapshot.generatedAt, tz);
  for (let day = dayKey(incident.startedAt, tz), n = 0; day <= last && n < UPTIME_DAYS; day = addDays(day, 1), n++) yield day;
}

const uptimeBySnapshot = new WeakMap<SiteSnapshot, Map<string, ComponentUptime>>();

/** Every component's 90-day uptime, worked out once per snapshot (the home page, the badges and each component's page read it). */
export function snapshotUptime(snapshot: SiteSnapshot): Map<string, ComponentUptime> {
  let uptime = uptimeBySnapshot.get(snapshot);
  if (!uptime) {
    uptime = computeUptime({ components: snapshot.components, statusChanges: snapshot.statusChanges, generatedAt: snapshot.generatedAt, timeZone: snapshot.page.timeZone });
    uptimeBySnapshot.set(snapshot, uptime);
  }
  return uptime;
}

/**
 * The names of the incidents that touched each component on each day (page zone), from the
 * incidents the snapshot holds (open ones and the 50 latest): a group's are its components'.
 */
export function incidentsByComponentDay(snapshot: SiteSnapshot): Map<string, Map<string, string[]>> {
  const byComponent = new Map<string, Map<string, string[]>>();
  const groupOf = new Map(snapshot.components.map((c) => [c.id, c.groupId]));
  const seen = new Set<string>();
  for (const incident of [...snapshot.unresolvedIncidents, ...snapshot.latestIncidents]) {
    if (seen.has(incident.id) || incident.kind !== "incident") continue;
    seen.add(incident.id);
    const ids = new Set([...incident.componentIds, ...incident.updates.flatMap((u) => u.affected.map((a) => a.componentId))]);
    for (const id of [...ids]) {
      const group = groupOf.get(id);
      if (group) ids.add(group);
    }
    for (const day of incidentDays(incident, snapshot)) {
      for (const id of ids) {
        const days = byComponent.get(id) ?? new Map<string, string[]>();
        byComponent.set(id, days);
        days.set(day, [...(days.get(day) ?? []), incident.name]);
      }
    }
  }
  return byComponent;
}

/** ". API errors; DNS lag" — at most two names, then how many more (the day's page has them all). */
function incidentNames(names: readonly string[]): string {
  if (names.length === 0) return "";
  const shown = names.slice(0, 2).join("; ");
  return names.length > 2 ? `. ${shown} and ${names.length - 2} more` : `. ${shown}`;
}

/**
 * `dayUptime: false` (the home page): a day's note says what happened and for how long, as
 * Statuspage's do, without the day's percentage — random-looking figures are what a 14 KB page
 * cannot afford (1.2 KB gzipped over 15 busy bars); the component's own page keeps them.
 */
export function barView(name: string, uptime: ComponentUptime, incidents?: ReadonlyMap<string, readonly string[]>, options: { dayUptime?: boolean } = {}): BarView {
  const days = uptime.days.map((d): BarNote | null => {
    if (!isNotable(d)) return null;
    const names = incidents?.get(d.day) ?? [];
    // "Nov 25": the bar is the last 90 days, so the year adds bytes and nothing else.
    return { tone: LEVEL_TONES[d.level], text: `${formatDayShort(d.day)}: ${dayDetail(d, options.dayUptime ?? true)}${incidentNames(names)}` };
  });
  const notable = days.filter((d) => d !== null).length;
  const phoneDays = uptime.days.slice(-PHONE_DAYS);
  const notablePhone = days.slice(-PHONE_DAYS).filter((d) => d !== null).length;
  const phoneUptime = uptimeOfDays(phoneDays);
  const percent = percentText(uptime.uptime, notable);
  const outages = uptime.outageDays === 0 ? "no days with outages" : plural(uptime.outageDays, "day with outages", "days with outages");
  const noData = UPTIME_DAYS - uptime.daysWithData;
  const label =
    uptime.uptime === null
      ? `${name}: no uptime data for the last ${UPTIME_DAYS} days`
      : `${name}: ${percent} over the last ${UPTIME_DAYS} days, ${outages}${noData > 0 ? `, ${plural(noData, "day", "days")} without data` : ""}`;
  return {
    percent,
    percentPhone: percentText(phoneUptime, notablePhone),
    label,
    base: "No downtime",
    runs: barRuns(uptime.days),
    days,
    notable,
    notablePhone,
    summary: summaryText(notable, uptime.uptime, uptime.daysWithData, UPTIME_DAYS),
    summaryPhone: summaryText(notablePhone, phoneUptime, phoneDays.filter((d) => d.minutes > 0).length, PHONE_DAYS),
  };
}

export interface ComponentRow {
  id: string;
  name: string;
  description: string | null;
  badge: Badge;
  bar: BarView | null;
}

export interface GroupRow extends ComponentRow {
  children: ComponentRow[];
  /** Says whose bar the group's own bar is: "Public: all components". */
  barCaption: string;
  /** Expanded by default when something in it is not operational. */
  open: boolean;
}

export type TopRow = ({ isGroup: false } & ComponentRow) | ({ isGroup: true } & GroupRow);


/** A component shows unless it is "only show if degraded" and operational. */
export function isVisible(c: ComponentView): boolean {
  return !(c.onlyShowIfDegraded && c.status === "operational");
}

/**
 * The component list: top-level components and groups by position (then name), children by
 * position inside their group. Hidden: components that only show when degraded and are
 * operational, and groups left with no visible child. A group shows its derived status (its most
 * degraded child's, already in ComponentView) and is open when that is not operational. Showcased
 * components and groups get a 90-day uptime bar.
 */
export function componentRows(snapshot: SiteSnapshot, uptime?: Map<string, ComponentUptime>): TopRow[] {
  const all = snapshot.components;
  const byId = new Map(all.map((c) => [c.id, c]));
  const ups = uptime ?? snapshotUptime(snapshot);
  const incidents = incidentsByComponentDay(snapshot);
  const row = (c: ComponentView): ComponentRow => {
    const u = ups.get(c.id);
    return {
      id: c.id,
      name: c.name,
      description: c.description?.trim() ? c.description.trim() : null,
      badge: componentBadge(c.status),
      // A group's bar names no incidents: its components' bars, right below, do.
      bar: c.showcase && u ? barView(c.name, u, c.isGroup ? undefined : incidents.get(c.id), { dayUptime: false }) : null,
    };
  };
  const rows: TopRow[] = [];
  // A child whose group is missing is shown at the top level rather than lost.
  const top = all.filter((c) => !c.groupId || !byId.get(c.groupId)?.isGroup).sort(byPosition);
  for (const c of top) {
    if (c.isGroup) {
      const children = all.filter((k) => k.groupId === c.id && !k.isGroup).sort(byPosition).filter(isVisible);
      if (children.length === 0 || !isVisible(c)) continue;
      rows.push({ isGroup: true, ...row(c), children: children.map(row), open: c.status !== "operational", barCaption: `${c.name}: all components` });
    } else if (isVisible(c)) {
      rows.push({ isGroup: false, ...row(c) });
    }
  }
  return rows;
}

/** The colour legend of the bars, in order: a day takes the colour of its worst status. */
export const BAR_LEGEND: readonly Badge[] = [
  { label: "Operational", icon: ICONS.ok, tone: "ok" },
  { label: "Maintenance", icon: ICONS.maint, tone: "maint" },
  { label: "Degraded", icon: ICONS.minor, tone: "minor" },
  { label: "Partial outage", icon: ICONS.partial, tone: "partial" },
  { label: "Major outage", icon: ICONS.major, tone: "major" },
  { label: "No data", icon: ICONS.nodata, tone: "nodata" },
];

/** What the legend's colours mean, in one sentence beside it. */
export const BAR_LEGEND_NOTE = `Each day shows its worst status that lasted ${MIN_STATUS_MINUTES} minutes or more.`;


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
export function listedWindow(incident: IncidentRecord, timeZone: string): WindowView {
  if (incident.kind === "maintenance" && incident.resolvedAt) {
    const started = workStarted(incident);
    const start = Date.parse(started) <= Date.parse(incident.resolvedAt) ? started : incident.createdAt;
    return windowView(Date.parse(start) <= Date.parse(incident.resolvedAt) ? start : incident.resolvedAt, incident.resolvedAt, timeZone);
  }
  const end = incident.resolvedAt ?? (incident.kind === "maintenance" ? incident.scheduledUntil : null);
  return windowView(historyInstant(incident), end, timeZone);
}

export function listed(incident: IncidentRecord, timeZone: string): ListedIncident {
  const latest = sortedUpdates(incident)[0];
  // Long enough to say what happened; the whole update is one click away.
  const text = latest ? excerpt(latest.body, LISTED_EXCERPT) : "";
  return {
    ...incidentSummary(incident),
    latest: latest && text ? { status: statusLabel(latest.status, incident), text, posted: shortTime(latest.displayAt, timeZone) } : null,
    when: listedWindow(incident, timeZone),
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
    const title = quietNewest === quietOldest ? formatDay(quietNewest) : `${formatDayShort(quietOldest)} – ${formatDay(quietNewest)}`;
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
    days.push({ key, title: formatDay(key), incidents: incidents.map((inc) => listed(inc, tz)) });
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

const monthLink = (month: string): MonthLink => ({ month, href: paths.month(month), label: formatMonth(month) });

/** One month of the archive, newest first, with links to the neighbouring months that have incidents. */
export function historyView(data: RouteOf<"history">): HistoryView {
  const tz = data.snapshot.page.timeZone;
  const month = isMonthKey(data.month.month) ? data.month.month : dayKey(data.snapshot.generatedAt, tz).slice(0, 7);
  const months = [...new Set(data.months.filter(isMonthKey))].sort().reverse();
  const newer = months.filter((m) => m > month).at(-1) ?? null;
  const older = months.find((m) => m < month) ?? null;
  return {
    month,
    title: formatMonth(month),
    incidents: [...data.month.incidents].sort(newestFirst).map((i) => listed(i, tz)),
    newer: newer ? monthLink(newer) : null,
    older: older ? monthLink(older) : null,
    months: months.map((m) => ({ ...monthLink(m), current: m === month })),
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
}

export function layoutView(snapshot: SiteSnapshot, title: string | null): LayoutView {
  const page = snapshot.page;
  return {
    title: title ? `${title} - ${page.name}` : page.name,
    pageName: page.name,
    feedUrl: historyFeedUrl(page),
    atomUrl: atomFeedUrl(page),
    feedTitle: historyFeedTitle(page),
    updated: shortTime(page.updatedAt, page.timeZone),
    timeZoneNote: `Times in ${timeZoneLabel(snapshot.generatedAt, page.timeZone)}.`,
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
  const tz = snapshot.page.timeZone;
  return {
    layout: layoutView(snapshot, null),
    banner: indicatorBadge(snapshot.status),
    incidents: snapshot.unresolvedIncidents.map((i) => incidentCard(i, tz)),
    maintenances: [
      ...snapshot.activeMaintenances.map((m) => incidentCard(m, tz, true)),
      ...snapshot.upcomingMaintenances.map((m) => incidentCard(m, tz, true)),
    ],
    components: componentRows(snapshot),
    legend: BAR_LEGEND,
    legendNote: BAR_LEGEND_NOTE,
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
export function postmortemView(incident: IncidentRecord, page: { timeZone: string; showOwners?: boolean }): PostmortemView | null {
  const postmortem = shownPostmortem(incident);
  if (!postmortem) return null;
  const timeZone = page.timeZone;
  return {
    html: renderMarkdown(shownPostmortemText(incident, page)!),
    published: postedTime(postmortem.publishedAt!, timeZone),
    edited: postmortem.updatedAt > postmortem.publishedAt! ? postedTime(postmortem.updatedAt, timeZone) : null,
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
  const tz = snapshot.page.timeZone;
  return {
    layout: layoutView(snapshot, incident.name),
    incident: incidentCard(incident, tz),
    kicker: `${incident.kind === "maintenance" ? "Scheduled Maintenance Report" : "Incident Report"} for ${snapshot.page.name}`,
    started: incident.kind === "incident" ? postedTime(incident.startedAt, tz) : null,
    duration: durationText(incident),
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
  return {
    layout: { ...layoutView(data.snapshot, "Page not found"), noindex: true, timeless: true },
    heading: "Page not found",
    text: "There is nothing at this address. It may have moved, or the link may be mistyped.",
  };
}

export function historyPageView(data: RouteOf<"history">): { layout: LayoutView; history: HistoryView } {
  const history = historyView(data);
  return { layout: layoutView(data.snapshot, `Incident History, ${history.title}`), history };
}
