/**
 * The response report (the seed's Learn): per severity and per month in the page's zone, how many
 * incidents, how fast the first public update, identification and resolution came (median and
 * p90) against the severity's targets, the lapses, whether postmortems were published on time,
 * and the action items still open. Drills are counted apart. Plain rules over plain rows.
 */
import { firstUpdateDueAt, needsPostmortem, postmortemDueAt } from "./response.ts";
import { SEVERITIES, SEVERITY_LEVELS, type Severity } from "./severity.ts";
import { addDays, dayKey, dayStart } from "./time.ts";

/** One incident as the report reads it (one row of a single query). */
export interface ReportIncident {
  severity: Severity;
  drill: boolean;
  startedAt: string;
  firstUpdateAt: string | null;
  identifiedAt: string | null;
  resolvedAt: string | null;
  lapses: number;
  postmortemPublishedAt: string | null;
  actionItemsOpen: number;
  actionItemsOverdue: number;
}

export interface Durations {
  count: number;
  median_seconds: number | null;
  p90_seconds: number | null;
}

export interface ReportGroup {
  incidents: number;
  first_update: Durations & { target: string; met: number; missed: number };
  identified: Durations;
  resolved: Durations;
  lapses: number;
  postmortems: { required: number; on_time: number; late: number; missing: number; not_yet_due: number };
  action_items: { open: number; overdue: number };
}

export interface ResponseReport {
  time_zone: string;
  from: string;
  to: string;
  by_severity: Record<Severity, ReportGroup>;
  by_month: { month: string; by_severity: Partial<Record<Severity, ReportGroup>>; incidents: number }[];
  drills: { count: number; by_severity: Partial<Record<Severity, ReportGroup>> };
}

/** The nearest-rank percentile of sorted seconds. */
function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function durations(seconds: number[]): Durations {
  const sorted = [...seconds].sort((a, b) => a - b);
  return { count: sorted.length, median_seconds: percentile(sorted, 50), p90_seconds: percentile(sorted, 90) };
}

const seconds = (from: number, to: number | null): number | null => (to === null ? null : Math.max(0, Math.round((to - from) / 1000)));
const ms = (iso: string | null): number | null => (iso === null ? null : Date.parse(iso));

/** What one incident contributes to its groups, worked out once (it counts in its severity and its month). */
interface Facts {
  severity: Severity;
  /** Its start's calendar day in the page's zone. */
  day: string;
  firstUpdateSeconds: number | null;
  identifiedSeconds: number | null;
  resolvedSeconds: number | null;
  firstUpdate: "met" | "missed" | "waiting";
  postmortem: "on_time" | "late" | "missing" | "not_yet_due" | null;
  lapses: number;
  itemsOpen: number;
  itemsOverdue: number;
}

/**
 * Deadlines (ms) that depend on the zone and the day only (business days) are worked out once per
 * day and kept across reports, not once per incident: a report over years reads tens of thousands.
 */
const dayDeadlines = new Map<string, number>();

function deadlines(timeZone: string) {
  const memo = (key: string, compute: () => string) => {
    const k = `${timeZone}|${key}`;
    let value = dayDeadlines.get(k);
    if (value === undefined) {
      if (dayDeadlines.size >= 100_000) dayDeadlines.clear();
      dayDeadlines.set(k, (value = Date.parse(compute())));
    }
    return value;
  };
  return {
    firstUpdate: (severity: Severity, startedAt: string, start: number, day: string): number => {
      const minutes = SEVERITY_LEVELS[severity].responseMinutes;
      return minutes === null ? memo(`f${day}`, () => firstUpdateDueAt(severity, startedAt, timeZone)) : start + minutes * 60_000;
    },
    postmortem: (resolvedAt: string) => memo(`p${dayKey(resolvedAt, timeZone)}`, () => postmortemDueAt(resolvedAt, timeZone)),
  };
}

function factsOf(i: ReportIncident, now: number, due: ReturnType<typeof deadlines>, timeZone: string): Facts {
  const start = Date.parse(i.startedAt);
  const day = dayKey(start, timeZone);
  const firstAt = ms(i.firstUpdateAt);
  const firstDue = due.firstUpdate(i.severity, i.startedAt, start, day);
  let postmortem: Facts["postmortem"] = null;
  if (needsPostmortem(i.severity) && i.resolvedAt) {
    const dueBy = due.postmortem(i.resolvedAt);
    const published = ms(i.postmortemPublishedAt);
    postmortem = published !== null ? (published <= dueBy ? "on_time" : "late") : now < dueBy ? "not_yet_due" : "missing";
  }
  return {
    severity: i.severity,
    day,
    firstUpdateSeconds: seconds(start, firstAt),
    identifiedSeconds: seconds(start, ms(i.identifiedAt)),
    resolvedSeconds: seconds(start, ms(i.resolvedAt)),
    firstUpdate: firstAt !== null ? (firstAt <= firstDue ? "met" : "missed") : now <= firstDue ? "waiting" : "missed",
    postmortem,
    lapses: i.lapses,
    itemsOpen: i.actionItemsOpen,
    itemsOverdue: i.actionItemsOverdue,
  };
}

function group(severity: Severity, facts: readonly Facts[]): ReportGroup {
  const measured = (pick: (f: Facts) => number | null) => durations(facts.flatMap((f) => (pick(f) === null ? [] : [pick(f)!])));
  const pm = { required: 0, on_time: 0, late: 0, missing: 0, not_yet_due: 0 };
  let met = 0;
  let missed = 0;
  for (const f of facts) {
    if (f.firstUpdate === "met") met++;
    else if (f.firstUpdate === "missed") missed++;
    if (f.postmortem) {
      pm.required++;
      pm[f.postmortem]++;
    }
  }
  return {
    incidents: facts.length,
    first_update: { ...measured((f) => f.firstUpdateSeconds), target: SEVERITY_LEVELS[severity].responseTime, met, missed },
    identified: measured((f) => f.identifiedSeconds),
    resolved: measured((f) => f.resolvedSeconds),
    lapses: facts.reduce((n, f) => n + f.lapses, 0),
    postmortems: pm,
    action_items: { open: facts.reduce((n, f) => n + f.itemsOpen, 0), overdue: facts.reduce((n, f) => n + f.itemsOverdue, 0) },
  };
}

/** The figures of one group of incidents (all of one severity), as of `now`. */
export function reportGroup(severity: Severity, incidents: readonly ReportIncident[], now: string, timeZone: string): ReportGroup {
  const due = deadlines(timeZone);
  return group(severity, incidents.map((i) => factsOf(i, Date.parse(now), due, timeZone)));
}

function bySeverity(facts: readonly Facts[], all: boolean): Partial<Record<Severity, ReportGroup>> {
  const out: Partial<Record<Severity, ReportGroup>> = {};
  for (const severity of SEVERITIES) {
    const mine = facts.filter((f) => f.severity === severity);
    if (mine.length > 0 || all) out[severity] = group(severity, mine);
  }
  return out;
}

/** The whole report: real incidents by severity and by month (page zone); drills apart. */
export function responseReport(rows: readonly ReportIncident[], o: { from: string; to: string; now: string; timeZone: string }): ResponseReport {
  const due = deadlines(o.timeZone);
  const real: Facts[] = [];
  const drills: Facts[] = [];
  const months = new Map<string, Facts[]>();
  const now = Date.parse(o.now);
  for (const row of rows) {
    const facts = factsOf(row, now, due, o.timeZone);
    if (row.drill) {
      drills.push(facts);
      continue;
    }
    real.push(facts);
    const month = facts.day.slice(0, 7);
    const list = months.get(month);
    if (list) list.push(facts);
    else months.set(month, [facts]);
  }
  return {
    time_zone: o.timeZone,
    from: o.from,
    to: o.to,
    by_severity: bySeverity(real, true) as Record<Severity, ReportGroup>,
    by_month: [...months.keys()].sort().map((month) => ({ month, incidents: months.get(month)!.length, by_severity: bySeverity(months.get(month)!, false) })),
    drills: { count: drills.length, by_severity: bySeverity(drills, false) },
  };
}

/** The instants [start, end) of the days `from`..`to` (both inclusive) in the page's zone: what the report's query reads. */
export function reportBounds(from: string, to: string, timeZone: string): { start: string; end: string } {
  return { start: new Date(dayStart(from, timeZone)).toISOString(), end: new Date(dayStart(addDays(to, 1), timeZone)).toISOString() };
}
