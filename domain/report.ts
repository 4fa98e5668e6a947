/**
 * The response report (the seed's Learn): per severity and per month in the page's zone, how many
 * incidents, how fast the first public update, identification and resolution came (median and
 * p90) against the severity's targets, the lapses, whether postmortems were published on time,
 * and the action items still open. Drills are counted apart. Plain rules over plain rows.
 */
import { firstUpdateDueAt, needsPostmortem, postmortemDueAt } from "./response.ts";
import { SEVERITIES, SEVERITY_LEVELS, type Severity } from "./severity.ts";
import { monthKey } from "./time.ts";

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

const since = (from: string, to: string | null): number | null => (to === null ? null : Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 1000)));

/** The figures of one group of incidents (all of one severity), as of `now`. */
export function reportGroup(severity: Severity, incidents: readonly ReportIncident[], now: string, timeZone: string): ReportGroup {
  let met = 0;
  let missed = 0;
  const pm = { required: 0, on_time: 0, late: 0, missing: 0, not_yet_due: 0 };
  for (const i of incidents) {
    const due = firstUpdateDueAt(severity, i.startedAt, timeZone);
    if (i.firstUpdateAt !== null ? i.firstUpdateAt <= due : now <= due) {
      if (i.firstUpdateAt !== null) met++;
    } else missed++;
    if (needsPostmortem(severity) && i.resolvedAt) {
      pm.required++;
      const dueBy = postmortemDueAt(i.resolvedAt, timeZone);
      if (i.postmortemPublishedAt) i.postmortemPublishedAt <= dueBy ? pm.on_time++ : pm.late++;
      else now < dueBy ? pm.not_yet_due++ : pm.missing++;
    }
  }
  const measured = (pick: (i: ReportIncident) => string | null) => durations(incidents.flatMap((i) => (pick(i) === null ? [] : [since(i.startedAt, pick(i))!])));
  return {
    incidents: incidents.length,
    first_update: { ...measured((i) => i.firstUpdateAt), target: SEVERITY_LEVELS[severity].responseTime, met, missed },
    identified: measured((i) => i.identifiedAt),
    resolved: measured((i) => i.resolvedAt),
    lapses: incidents.reduce((n, i) => n + i.lapses, 0),
    postmortems: pm,
    action_items: { open: incidents.reduce((n, i) => n + i.actionItemsOpen, 0), overdue: incidents.reduce((n, i) => n + i.actionItemsOverdue, 0) },
  };
}

function bySeverity(incidents: readonly ReportIncident[], now: string, timeZone: string, all: boolean): Partial<Record<Severity, ReportGroup>> {
  const out: Partial<Record<Severity, ReportGroup>> = {};
  for (const severity of SEVERITIES) {
    const mine = incidents.filter((i) => i.severity === severity);
    if (mine.length > 0 || all) out[severity] = reportGroup(severity, mine, now, timeZone);
  }
  return out;
}

/** The whole report: real incidents by severity and by month (page zone); drills apart. */
export function responseReport(rows: readonly ReportIncident[], o: { from: string; to: string; now: string; timeZone: string }): ResponseReport {
  const real = rows.filter((r) => !r.drill);
  const drills = rows.filter((r) => r.drill);
  const months = new Map<string, ReportIncident[]>();
  for (const r of real) {
    const month = monthKey(r.startedAt, o.timeZone);
    months.set(month, [...(months.get(month) ?? []), r]);
  }
  return {
    time_zone: o.timeZone,
    from: o.from,
    to: o.to,
    by_severity: bySeverity(real, o.now, o.timeZone, true) as Record<Severity, ReportGroup>,
    by_month: [...months.keys()].sort().map((month) => ({ month, incidents: months.get(month)!.length, by_severity: bySeverity(months.get(month)!, o.now, o.timeZone, false) })),
    drills: { count: drills.length, by_severity: bySeverity(drills, o.now, o.timeZone, false) },
  };
}
