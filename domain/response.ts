/**
 * Response times (seed: SEV1 15 min, SEV2 30 min, SEV3 2 h, SEV4 next business day) and the
 * promises an update makes about the next one. Pure rules shared by the reminder checker
 * (api/internal/reminders.ts), the management API (`response_lapses`) and the drill report.
 *
 * Definitions:
 * - An incident's clock starts at its `started_at` (the API accepts one earlier than the
 *   declaration, for incidents declared after they began; it defaults to the declaration).
 * - The FIRST PUBLIC UPDATE is due at started_at + the severity's response time. Herald declares
 *   an incident together with its first update, so that update's time is the declaration: a
 *   `first_update` lapse is a declaration later than started_at + target.
 * - "Next business day" (SEV4) is 09:00 on the first Monday–Friday calendar day AFTER the day the
 *   incident started, both in the page's time zone (PAGE_TIME_ZONE): started Friday 16:00 → due
 *   Monday 09:00; started Monday 02:00 → due Tuesday 09:00. Public holidays are not known.
 * - Each update may promise the next by `next_update_at`. The promise is kept when a later update
 *   is posted at or before that time (a later update replaces the promise with its own). It
 *   lapses when the time passes with no later update; the lapse ends with the next update.
 */
import { SEVERITY_LEVELS, type Severity } from "./severity.ts";
import { addDays, dayKey, dayStart, HOUR, instantOfWallClock } from "./time.ts";

/** Business days start at this local hour. */
export const BUSINESS_DAY_START_HOUR = 9;

export type LapseKind = "first_update" | "next_update";

export interface Lapse {
  kind: LapseKind;
  /** When the update was due (ISO UTC). */
  dueAt: string;
  /** When the late update came (ISO UTC); null while it is still overdue. */
  resolvedAt: string | null;
}

/** An update as these rules need it. */
export interface ResponseUpdate {
  seq: number;
  status: string;
  createdAt: string;
  nextUpdateAt?: string | null | undefined;
}

export interface ResponseInput {
  severity: Severity;
  startedAt: string;
  resolvedAt: string | null;
  /** Any order. */
  updates: readonly ResponseUpdate[];
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** The instant of a whole hour of the wall clock on a calendar day in the zone. */
function localInstant(day: string, hour: number, timeZone: string): number {
  return Date.parse(instantOfWallClock(`${day}T${String(hour).padStart(2, "0")}:00`, timeZone)!);
}

/** Monday–Friday (a day key of the page's zone). */
export function isBusinessDay(day: string): boolean {
  return isWeekday(day);
}

function isWeekday(day: string): boolean {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  const weekday = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return weekday >= 1 && weekday <= 5;
}

/** 09:00 (page zone) on the first Monday–Friday after the calendar day of `instant`. */
export function nextBusinessDayStart(instant: string, timeZone: string): string {
  let day = addDays(dayKey(Date.parse(instant), timeZone), 1);
  while (!isWeekday(day)) day = addDays(day, 1);
  return iso(localInstant(day, BUSINESS_DAY_START_HOUR, timeZone));
}

/** Business days a SEV1 or SEV2 postmortem has after the incident is resolved (the seed's review process). */
export const POSTMORTEM_BUSINESS_DAYS = 2;

/**
 * When a postmortem is due: the end of the second business day (Monday–Friday in the page's zone)
 * after the day the incident was resolved — resolved on a Friday, it is due by the end of Tuesday.
 */
export function postmortemDueAt(resolvedAt: string, timeZone: string): string {
  let day = dayKey(Date.parse(resolvedAt), timeZone);
  for (let left = POSTMORTEM_BUSINESS_DAYS; left > 0; ) {
    day = addDays(day, 1);
    if (isWeekday(day)) left--;
  }
  // The day's end is the next day's start (midnight, or later where a DST change skips it).
  return iso(dayStart(addDays(day, 1), timeZone));
}

/** Whether an incident of this severity needs a postmortem (the seed: SEV1 and SEV2). */
export function needsPostmortem(severity: Severity): boolean {
  return severity === "SEV1" || severity === "SEV2";
}

/** When the first public update of an incident of this severity started then is due. */
export function firstUpdateDueAt(severity: Severity, startedAt: string, timeZone: string): string {
  const minutes = SEVERITY_LEVELS[severity].responseMinutes;
  if (minutes === null) return nextBusinessDayStart(startedAt, timeZone);
  return iso(Date.parse(startedAt) + minutes * 60_000);
}

/** Oldest first. Each time is parsed once: the answer to every update posted sorts all of them. */
function inOrder(updates: readonly ResponseUpdate[]): ResponseUpdate[] {
  return updates
    .map((update) => ({ update, at: Date.parse(update.createdAt) }))
    .sort((a, b) => a.at - b.at || a.update.seq - b.update.seq)
    .map((entry) => entry.update);
}

export interface PromiseOutcome {
  /** When the promising update was posted. */
  promisedAt: string;
  dueAt: string;
  /** The next update's time, if one came. */
  nextAt: string | null;
  /** true kept, false broken (late or still overdue), null not yet due. */
  kept: boolean | null;
  /** How late the next update came (or is, as of now) once broken. */
  lateByMs: number | null;
}

/** Every promise made by the incident's updates and what became of it, as of `now`. */
export function promiseOutcomes(updates: readonly ResponseUpdate[], now: string): PromiseOutcome[] {
  return outcomesInOrder(inOrder(updates), now);
}

function outcomesInOrder(ordered: readonly ResponseUpdate[], now: string): PromiseOutcome[] {
  const nowMs = Date.parse(now);
  const outcomes: PromiseOutcome[] = [];
  ordered.forEach((u, i) => {
    // A resolved incident promises nothing more.
    if (!u.nextUpdateAt || u.status === "resolved") return;
    const next = ordered[i + 1] ?? null;
    const due = Date.parse(u.nextUpdateAt);
    const nextMs = next ? Date.parse(next.createdAt) : null;
    let kept: boolean | null;
    if (nextMs !== null) kept = nextMs <= due;
    else kept = nowMs > due ? false : null;
    const lateByMs = kept === false ? (nextMs ?? nowMs) - due : null;
    outcomes.push({ promisedAt: u.createdAt, dueAt: iso(due), nextAt: next?.createdAt ?? null, kept, lateByMs });
  });
  return outcomes;
}

/** The response-time lapses of an incident as of `now`: a late first update, broken promises. */
export function responseLapses(input: ResponseInput, now: string, timeZone: string): Lapse[] {
  const lapses: Lapse[] = [];
  const ordered = inOrder(input.updates);
  const first = ordered[0];
  const due = firstUpdateDueAt(input.severity, input.startedAt, timeZone);
  const firstAt = first ? Date.parse(first.createdAt) : null;
  if (firstAt !== null ? firstAt > Date.parse(due) : Date.parse(now) > Date.parse(due)) {
    lapses.push({ kind: "first_update", dueAt: due, resolvedAt: first?.createdAt ?? null });
  }
  for (const p of outcomesInOrder(ordered, now)) {
    if (p.kept === false) lapses.push({ kind: "next_update", dueAt: p.dueAt, resolvedAt: p.nextAt });
  }
  return lapses;
}

export interface Milestone {
  at: string;
  /** Since started_at. */
  afterMs: number;
}

export interface ResponseReport {
  severity: Severity;
  /** The seed's words: "Immediate (< 15 minutes)", "Next business day". */
  target: string;
  startedAt: string;
  firstUpdate: { dueAt: string; at: string | null; afterMs: number | null; met: boolean | null };
  /** First update at identified or a later status. */
  identified: Milestone | null;
  /** First update at monitoring. */
  monitoring: Milestone | null;
  resolved: Milestone | null;
  promises: PromiseOutcome[];
  lapses: Lapse[];
}

/** How the response measured up against the severity's targets, as of `now` (the drill report). */
export function measureResponse(input: ResponseInput, now: string, timeZone: string): ResponseReport {
  const ordered = inOrder(input.updates);
  const start = Date.parse(input.startedAt);
  const milestone = (at: string | null | undefined): Milestone | null => (at ? { at, afterMs: Date.parse(at) - start } : null);
  const due = firstUpdateDueAt(input.severity, input.startedAt, timeZone);
  const first = ordered[0] ?? null;
  const firstAt = first ? Date.parse(first.createdAt) : null;
  return {
    severity: input.severity,
    target: SEVERITY_LEVELS[input.severity].responseTime,
    startedAt: input.startedAt,
    firstUpdate: {
      dueAt: due,
      at: first?.createdAt ?? null,
      afterMs: firstAt === null ? null : firstAt - start,
      met: firstAt === null ? (Date.parse(now) > Date.parse(due) ? false : null) : firstAt <= Date.parse(due),
    },
    identified: milestone(ordered.find((u) => u.status === "identified" || u.status === "monitoring" || u.status === "resolved")?.createdAt),
    monitoring: milestone(ordered.find((u) => u.status === "monitoring")?.createdAt),
    resolved: milestone(input.resolvedAt),
    promises: outcomesInOrder(ordered, now),
    lapses: responseLapses(input, now, timeZone),
  };
}

/** Longest promise the API accepts: a week ahead. */
export const MAX_PROMISE_MS = 7 * 24 * HOUR;

/** Why a promised next-update time is refused, or null when it is acceptable. */
export function checkNextUpdateAt(nextUpdateAt: string, now: string): string | null {
  const ms = Date.parse(nextUpdateAt) - Date.parse(now);
  if (!(ms > 0)) return "The next update must be promised for a time in the future.";
  if (ms > MAX_PROMISE_MS) return "The next update must be promised within 7 days.";
  return null;
}
