/**
 * The 90-day uptime bars and the component list: geometry, day notes, percentages and the words
 * around them, as plain data for UptimeBar.astro and Component.astro.
 */
import type { ComponentView } from "../../api/service/components.ts";
import type { IncidentRecord } from "../../db/records.ts";
import { byPosition } from "../../domain/component-order.ts";
import { MINUTE, addDays, dayKey, formatDayShort, formatDuration } from "../../domain/time.ts";
import { MIN_STATUS_MINUTES, UPTIME_DAYS, computeUptime, formatUptime, uptimeOfDays, type ComponentUptime, type DayLevel, type UptimeDay } from "../../domain/uptime.ts";
import type { SiteSnapshot } from "./snapshot.ts";
import { componentBadge, ICONS, type Badge, type Tone } from "./labels.ts";
import { words, wordsOf, type At, type Words } from "../../locales/words.ts";


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

function dayDetail(w: Words, d: UptimeDay, withUptime = true): string {
  if (d.minutes <= 0) return w.t("bar.no_data");
  const parts: string[] = [];
  const add = (minutes: number, key: string) => {
    if (minutes > 0) parts.push(w.t(key, { duration: formatDuration(minutes * MINUTE, w.locale) }));
  };
  add(d.major, "bar.day_major");
  add(d.partial, "bar.day_partial");
  add(d.degraded, "bar.day_degraded");
  add(d.maintenance, "bar.day_maintenance");
  if (parts.length === 0) return w.t("bar.no_downtime");
  const list = parts.join(w.t("list.separator"));
  return withUptime ? w.t("bar.day_with_uptime", { details: list, percent: formatUptime(d.uptime, w.locale) }) : list;
}

/** A day is coloured (and has a note) when its worst status lasted long enough (domain/uptime.ts). */
const isNotable = (d: UptimeDay): boolean => d.level !== "none" && d.level !== "nodata";

/**
 * Each run of consecutive days without data as one path, then the notable days as one path per
 * colour (a day is one "M… 17h3" of it: a busy page has hundreds).
 */
function barRuns(w: Words, days: readonly UptimeDay[]): BarRun[] {
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
    const first = formatDayShort(day.day, w.locale);
    const when = last === i ? first : `${first} – ${formatDayShort(days[last]!.day, w.locale)}`;
    runs.push({ d: barPath(i, last - i + 1), tone: "nodata", title: w.t("bar.no_data_on", { when }) });
    i = last;
  }
  for (const [tone, d] of byTone) runs.push({ d, tone, title: null });
  return runs;
}


/**
 * The percentage beside a bar. It never reads "100 %" beside a coloured day: when every coloured
 * day was degraded or in maintenance only (which count as up), it says "No outages" instead.
 */
export function percentText(uptime: number | null, notable: number, at: At = "UTC"): string {
  const w = words(at);
  if (uptime === null) return w.t("bar.no_data");
  if (formatUptime(uptime) === "100 %" && notable > 0) return w.t("bar.no_outages");
  return w.t("bar.uptime", { percent: formatUptime(uptime, w.locale) });
}

function summaryText(w: Words, notable: number, uptime: number | null, daysWithData: number, span: number): string {
  if (notable > 0) return w.t("bar.days_not_operational", { count: notable });
  if (uptime === null) return w.t("bar.no_data_yet");
  if (daysWithData >= span) return w.t("bar.operational_all", { count: span });
  return w.t("bar.operational_with_data", { count: daysWithData });
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
function incidentNames(w: Words, names: readonly string[]): string {
  if (names.length === 0) return "";
  const shown = names.slice(0, 2).join("; ");
  return names.length > 2 ? w.t("bar.names_more", { names: shown, count: names.length - 2 }) : w.t("bar.names", { names: shown });
}

/**
 * `dayUptime: false` (the home page): a day's note says what happened and for how long, as
 * Statuspage's do, without the day's percentage — random-looking figures are what a 14 KB page
 * cannot afford (1.2 KB gzipped over 15 busy bars); the component's own page keeps them.
 */
export function barView(name: string, uptime: ComponentUptime, incidents?: ReadonlyMap<string, readonly string[]>, options: { dayUptime?: boolean; words?: At } = {}): BarView {
  const w = words(options.words ?? "UTC");
  const days = uptime.days.map((d): BarNote | null => {
    if (!isNotable(d)) return null;
    const names = incidents?.get(d.day) ?? [];
    // "Nov 25": the bar is the last 90 days, so the year adds bytes and nothing else.
    return { tone: LEVEL_TONES[d.level], text: w.t("bar.day_note", { day: formatDayShort(d.day, w.locale), detail: dayDetail(w, d, options.dayUptime ?? true), names: incidentNames(w, names) }) };
  });
  const notable = days.filter((d) => d !== null).length;
  const phoneDays = uptime.days.slice(-PHONE_DAYS);
  const notablePhone = days.slice(-PHONE_DAYS).filter((d) => d !== null).length;
  const phoneUptime = uptimeOfDays(phoneDays);
  const percent = percentText(uptime.uptime, notable, w);
  const noData = UPTIME_DAYS - uptime.daysWithData;
  const label =
    uptime.uptime === null
      ? w.t("bar.label_no_data", { name, count: UPTIME_DAYS })
      : w.t("bar.label", {
          name,
          percent,
          count: UPTIME_DAYS,
          outages: w.t("bar.outage_days", { count: uptime.outageDays }),
          no_data: noData > 0 ? w.t("bar.days_without_data", { count: noData }) : "",
        });
  return {
    percent,
    percentPhone: percentText(phoneUptime, notablePhone, w),
    label,
    base: w.t("bar.no_downtime"),
    runs: barRuns(w, uptime.days),
    days,
    notable,
    notablePhone,
    summary: summaryText(w, notable, uptime.uptime, uptime.daysWithData, UPTIME_DAYS),
    summaryPhone: summaryText(w, notablePhone, phoneUptime, phoneDays.filter((d) => d.minutes > 0).length, PHONE_DAYS),
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
  const w = wordsOf(snapshot.page);
  const incidents = incidentsByComponentDay(snapshot);
  const row = (c: ComponentView): ComponentRow => {
    const u = ups.get(c.id);
    return {
      id: c.id,
      name: c.name,
      description: c.description?.trim() ? c.description.trim() : null,
      badge: componentBadge(c.status, w),
      // A group's bar names no incidents: its components' bars, right below, do.
      bar: c.showcase && u ? barView(c.name, u, c.isGroup ? undefined : incidents.get(c.id), { dayUptime: false, words: w }) : null,
    };
  };
  const rows: TopRow[] = [];
  // A child whose group is missing is shown at the top level rather than lost.
  const top = all.filter((c) => !c.groupId || !byId.get(c.groupId)?.isGroup).sort(byPosition);
  for (const c of top) {
    if (c.isGroup) {
      const children = all.filter((k) => k.groupId === c.id && !k.isGroup).sort(byPosition).filter(isVisible);
      if (children.length === 0 || !isVisible(c)) continue;
      rows.push({ isGroup: true, ...row(c), children: children.map(row), open: c.status !== "operational", barCaption: w.t("components.group_caption", { name: c.name }) });
    } else if (isVisible(c)) {
      rows.push({ isGroup: false, ...row(c) });
    }
  }
  return rows;
}

/** The colour legend of the bars, in order: a day takes the colour of its worst status. */
export function barLegend(at: At = "UTC"): Badge[] {
  const w = words(at);
  return (["ok", "maint", "minor", "partial", "major", "nodata"] as const).map((tone) => ({ label: w.t(`legend.${tone}`), icon: ICONS[tone], tone }));
}

/** What the legend's colours mean, in one sentence beside it. */
export function barLegendNote(at: At = "UTC"): string {
  return words(at).t("legend.note", { count: MIN_STATUS_MINUTES });
}


