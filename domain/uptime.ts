/**
 * Uptime bars: per component, the last 90 calendar days in the PAGE's zone, ending today (the day
 * of `snapshot.generatedAt`), computed from the recorded status changes.
 *
 * Per day we add up the minutes the component spent in each status, over the part of the day it
 * existed (and, for today, up to generatedAt). Days are 23–25 hours long around DST changes; the
 * minutes are real minutes.
 *
 * Formula (as Statuspage documents it for its uptime showcase):
 *
 *     downtime = major_outage minutes × 1.0 + partial_outage minutes × 0.3
 *     uptime   = 1 − downtime / minutes with data
 *
 * degraded_performance and under_maintenance count as up.
 *
 * "With data": a component has no data before it existed — before its `startDate` (a day in the
 * page's zone) when one is set, otherwise before the start of the day (page zone) of its first
 * recorded status change or `createdAt`, whichever is earlier: days count whole, as Statuspage's
 * start date does. Those days are shown as "no data", never as 100 %. Before its first
 * recorded change a component is taken to have had that change's old status (operational when
 * none is recorded).
 *
 * The overall percentage is over the days with data, weighted by their minutes
 * (1 − Σ downtime / Σ minutes with data). A group's percentage is the average of its children's;
 * a group's day is the average of its children's uptime that day, its level the worst child's.
 *
 * Day levels (for colouring): the worst status the component was in that day for at least
 * MIN_STATUS_MINUTES (5) minutes in all, so a 30-second blip does not paint a red day (its
 * minutes still count in the percentage):
 *   major   — major outage for ≥ 5 min
 *   partial — partial or major outage for ≥ 5 min
 *   minor   — degraded performance or worse for ≥ 5 min
 *   maint   — none of those, but under maintenance for ≥ 5 min
 *   none    — none of these
 *   nodata  — the component did not exist yet
 */
import { isEnglish } from "./locale.ts";
import type { ComponentStatus } from "./components.ts";
import { MINUTE, addDays, dayKey, dayStart } from "./time.ts";

/** What uptime needs of a component (a UptimeComponent from the store fits). */
export interface UptimeComponent {
  id: string;
  isGroup: boolean;
  /** A group's children, in page order. */
  childIds: readonly string[];
  status: ComponentStatus;
  /** "yyyy-mm-dd" in the page's zone, when the component was said to start. */
  startDate: string | null;
  createdAt: string;
}

/** One recorded change of a component's status. */
export interface StatusChange {
  componentId: string;
  oldStatus: ComponentStatus | null;
  newStatus: ComponentStatus;
  /** ISO UTC */
  changedAt: string;
}

export const UPTIME_DAYS = 90;
/** Share of a minute of partial outage counted as down. */
export const PARTIAL_OUTAGE_WEIGHT = 0.3;
/** How long a status must last in a day (in all) to colour that day. */
export const MIN_STATUS_MINUTES = 5;

export type DayLevel = "none" | "maint" | "minor" | "partial" | "major" | "nodata";

const LEVEL_ORDER: readonly DayLevel[] = ["nodata", "none", "maint", "minor", "partial", "major"];

export interface UptimeDay {
  /** "2026-11-27" in the page's zone. */
  day: string;
  /** Minutes with data (the component existed; today: up to generatedAt). */
  minutes: number;
  /** Minutes per status that day. */
  major: number;
  partial: number;
  degraded: number;
  maintenance: number;
  /** Weighted downtime minutes: major + 0.3 × partial. */
  downtime: number;
  /** 0–1, null without data. */
  uptime: number | null;
  level: DayLevel;
}

export interface ComponentUptime {
  componentId: string;
  /** Oldest first, UPTIME_DAYS of them, the last one today. */
  days: UptimeDay[];
  /** 0–1 over the days with data; null when no day has data. */
  uptime: number | null;
  /** Days with data. */
  daysWithData: number;
  /** Days with any downtime (partial or major outage). */
  outageDays: number;
}

export interface UptimeInput {
  components: readonly UptimeComponent[];
  statusChanges: readonly StatusChange[];
  /** "Now", ISO UTC. */
  generatedAt: string;
  timeZone: string;
  days?: number;
}

/** The level of a day: its worst status that lasted MIN_STATUS_MINUTES (see the module comment). */
export function dayLevel(day: Pick<UptimeDay, "minutes" | "degraded" | "partial" | "major" | "maintenance">): DayLevel {
  if (day.minutes <= 0) return "nodata";
  const atLeast = (minutes: number) => minutes >= MIN_STATUS_MINUTES;
  if (atLeast(day.major)) return "major";
  if (atLeast(day.major + day.partial)) return "partial";
  if (atLeast(day.major + day.partial + day.degraded)) return "minor";
  if (atLeast(day.maintenance)) return "maint";
  return "none";
}

function worseLevel(a: DayLevel, b: DayLevel): DayLevel {
  return LEVEL_ORDER.indexOf(a) >= LEVEL_ORDER.indexOf(b) ? a : b;
}

function emptyDay(day: string): UptimeDay {
  return { day, minutes: 0, major: 0, partial: 0, degraded: 0, maintenance: 0, downtime: 0, uptime: null, level: "nodata" };
}

function finishDay(d: UptimeDay): UptimeDay {
  d.downtime = d.major + PARTIAL_OUTAGE_WEIGHT * d.partial;
  d.uptime = d.minutes > 0 ? Math.max(0, 1 - d.downtime / d.minutes) : null;
  d.level = dayLevel(d);
  return d;
}

/** Uptime over `days` with data, weighted by their minutes (1 − Σ downtime / Σ minutes); null without data. */
export function uptimeOfDays(days: readonly UptimeDay[]): number | null {
  let minutes = 0;
  let downtime = 0;
  for (const d of days) {
    if (d.minutes <= 0) continue;
    minutes += d.minutes;
    downtime += d.downtime;
  }
  return minutes > 0 ? Math.max(0, 1 - downtime / minutes) : null;
}

function summarize(componentId: string, days: UptimeDay[]): ComponentUptime {
  const withData = days.filter((d) => d.minutes > 0);
  return {
    componentId,
    days,
    uptime: uptimeOfDays(days),
    daysWithData: withData.length,
    outageDays: withData.filter((d) => d.downtime > 0).length,
  };
}

/** The UPTIME_DAYS day keys ending with the day of `generatedAt`, oldest first. */
export function uptimeDays(generatedAt: string, timeZone: string, count = UPTIME_DAYS): string[] {
  const today = dayKey(generatedAt, timeZone);
  return Array.from({ length: count }, (_, i) => addDays(today, i - (count - 1)));
}

interface Segment {
  from: number;
  to: number;
  status: ComponentStatus;
}

/** A leaf component's status over time, from when it existed until `now`. */
function segmentsOf(component: UptimeComponent, changes: readonly StatusChange[], now: number, timeZone: string): Segment[] {
  const sorted = changes
    .map((c, i) => ({ c, i, at: Date.parse(c.changedAt) }))
    .filter((x) => Number.isFinite(x.at))
    .sort((a, b) => a.at - b.at || a.i - b.i);
  const firstChange = sorted[0];
  const created = Date.parse(component.createdAt);
  let start: number;
  if (component.startDate) {
    start = dayStart(component.startDate, timeZone);
  } else {
    const candidates = [created, firstChange?.at ?? Number.NaN].filter(Number.isFinite);
    // Whole days, as Statuspage's start date: a component added at 16:00 with a minute of outage
    // has a 99.9 % day, not a 25 % one measured over the few minutes it has existed.
    start = candidates.length > 0 ? dayStart(dayKey(Math.min(...candidates), timeZone), timeZone) : now;
  }
  const segments: Segment[] = [];
  let status: ComponentStatus = firstChange ? (firstChange.c.oldStatus ?? "operational") : component.status;
  let from = start;
  for (const { c, at } of sorted) {
    if (at > from) {
      segments.push({ from, to: Math.min(at, now), status });
    }
    from = Math.max(from, at);
    status = c.newStatus;
  }
  if (now > from) segments.push({ from, to: now, status });
  return segments.filter((s) => s.to > s.from);
}

function leafUptime(
  component: UptimeComponent,
  changes: readonly StatusChange[],
  days: readonly string[],
  bounds: readonly number[],
  now: number,
  timeZone: string,
): ComponentUptime {
  const result = days.map(emptyDay);
  for (const seg of segmentsOf(component, changes, now, timeZone)) {
    for (let i = 0; i < days.length; i++) {
      const from = Math.max(seg.from, bounds[i]!);
      const to = Math.min(seg.to, bounds[i + 1]!);
      if (to <= from) continue;
      const minutes = (to - from) / MINUTE;
      const d = result[i]!;
      d.minutes += minutes;
      if (seg.status === "major_outage") d.major += minutes;
      else if (seg.status === "partial_outage") d.partial += minutes;
      else if (seg.status === "degraded_performance") d.degraded += minutes;
      else if (seg.status === "under_maintenance") d.maintenance += minutes;
    }
  }
  return summarize(component.id, result.map(finishDay));
}

/** A group: each day the average of its children's uptime and their worst level; minutes are the children's maximum. */
function groupUptime(groupId: string, children: readonly ComponentUptime[], days: readonly string[]): ComponentUptime {
  const result = days.map((day, i) => {
    const d = emptyDay(day);
    const withData = children.map((c) => c.days[i]!).filter((cd) => cd.minutes > 0);
    if (withData.length === 0) return d;
    for (const cd of withData) {
      d.minutes = Math.max(d.minutes, cd.minutes);
      d.major = Math.max(d.major, cd.major);
      d.partial = Math.max(d.partial, cd.partial);
      d.degraded = Math.max(d.degraded, cd.degraded);
      d.maintenance = Math.max(d.maintenance, cd.maintenance);
      d.downtime = Math.max(d.downtime, cd.downtime);
      d.level = worseLevel(d.level, cd.level);
    }
    d.uptime = withData.reduce((sum, cd) => sum + (cd.uptime ?? 0), 0) / withData.length;
    return d;
  });
  const withData = children.filter((c) => c.uptime !== null);
  return {
    componentId: groupId,
    days: result,
    uptime: withData.length > 0 ? withData.reduce((sum, c) => sum + (c.uptime ?? 0), 0) / withData.length : null,
    daysWithData: result.filter((d) => d.minutes > 0).length,
    outageDays: result.filter((d) => d.downtime > 0).length,
  };
}

/** Uptime of every component and group, keyed by component id. */
export function computeUptime(input: UptimeInput): Map<string, ComponentUptime> {
  const count = input.days ?? UPTIME_DAYS;
  const days = uptimeDays(input.generatedAt, input.timeZone, count);
  const bounds = [...days.map((d) => dayStart(d, input.timeZone)), dayStart(addDays(days[days.length - 1]!, 1), input.timeZone)];
  const now = Date.parse(input.generatedAt);
  const byComponent = new Map<string, StatusChange[]>();
  for (const change of input.statusChanges) {
    const list = byComponent.get(change.componentId);
    if (list) list.push(change);
    else byComponent.set(change.componentId, [change]);
  }
  const result = new Map<string, ComponentUptime>();
  for (const c of input.components) {
    if (c.isGroup) continue;
    result.set(c.id, leafUptime(c, byComponent.get(c.id) ?? [], days, bounds, now, input.timeZone));
  }
  for (const c of input.components) {
    if (!c.isGroup) continue;
    const children = c.childIds.map((id) => result.get(id)).filter((u): u is ComponentUptime => u !== undefined);
    result.set(c.id, groupUptime(c.id, children, days));
  }
  return result;
}

/**
 * A percentage for people: "100 %" only when there was no downtime at all, otherwise two decimals
 * rounded DOWN, so a bad minute never shows as "100.00 %". "No data" without data.
 */
export function formatUptime(uptime: number | null, locale = "en"): string {
  if (uptime === null) return "No data";
  // The epsilon keeps 0.9995 (stored as 0.99949999…) at 99.95; the cap keeps < 1 below 100.
  const hundredths = uptime >= 1 ? 10_000 : Math.min(9_999, Math.floor(uptime * 10_000 + 1e-7));
  if (!isEnglish(locale)) {
    // The locale's own percent ("99,84 %", "99.84%"); 100 without decimals, as in English.
    return new Intl.NumberFormat(locale, { style: "percent", minimumFractionDigits: hundredths === 10_000 ? 0 : 2, maximumFractionDigits: 2 }).format(hundredths / 10_000);
  }
  if (hundredths === 10_000) return "100 %";
  return `${(hundredths / 100).toFixed(2)} %`;
}
