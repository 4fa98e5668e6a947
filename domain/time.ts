/**
 * Times on the status page. Everything is stored as ISO-8601 UTC and shown in the page's IANA
 * zone (`snapshot.page.timeZone`) with that zone's label ("14:05 EST", "09:30 CET", "12:00 UTC").
 *
 * Nothing here reads the process's own zone: only `Date.UTC`, `getTime` and `Intl.DateTimeFormat`
 * with an explicit `timeZone` are used, so the output is the same under TZ=UTC and any other TZ.
 *
 * Day keys ("2026-11-27") and month keys ("2026-11") name calendar days and months in the page's
 * zone; a day there is 23, 24 or 25 hours long, and `dayStart` gives its first instant in UTC.
 */

import { isEnglish, isRightToLeft } from "./locale.ts";

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export type Instant = string | number | Date;

function toMs(instant: Instant): number {
  const ms = typeof instant === "number" ? instant : typeof instant === "string" ? Date.parse(instant) : instant.getTime();
  if (!Number.isFinite(ms)) throw new RangeError(`Not a valid time: ${String(instant)}`);
  return ms;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(locale: string, timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone}|${JSON.stringify(options)}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { ...options, timeZone });
    formatters.set(key, f);
  }
  return f;
}

/** Wall-clock fields of an instant in a zone. `month` is 1-12. */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const WALL_OPTIONS: Intl.DateTimeFormatOptions = {
  hourCycle: "h23",
  year: "numeric",
  month: "numeric",
  day: "numeric",
  hour: "numeric",
  minute: "numeric",
  second: "numeric",
};

/** The wall clock by the zone's own rules (Intl): exact, and the slow part of every time shown. */
function exactWallClock(ms: number, timeZone: string): WallClock {
  const parts = formatter("en-US", timeZone, WALL_OPTIONS).formatToParts(ms);
  const get = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value);
  return { year: get("year"), month: get("month"), day: get("day"), hour: get("hour") % 24, minute: get("minute"), second: get("second") };
}

const DAY_MS = 86_400_000;
/** Per zone, its offset through one UTC day (by day number), or null when it changes that day. */
const dayOffsets = new Map<string, Map<number, number | null>>();
let cachedDays = 0;

/** The offset a wall clock reading at `ms` implies (whole seconds, as zones' offsets are). */
function offsetOf(w: WallClock, ms: number): number {
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(ms / 1000) * 1000;
}

function exactOffset(ms: number, timeZone: string): number {
  return offsetOf(exactWallClock(ms, timeZone), ms);
}

/**
 * The zone's offset at `ms` when it is the same all that UTC day (a zone changes its offset at
 * most twice a year, never twice a day): asked of Intl twice per day and zone instead of once per
 * time shown. null on the day of a change: then Intl answers for the instant itself.
 */
function steadyOffset(ms: number, timeZone: string): number | null {
  const day = Math.floor(ms / DAY_MS);
  // Numeric keys in a map per zone: this runs for every time shown or counted (a report reads tens of thousands).
  let zone = dayOffsets.get(timeZone);
  if (!zone) dayOffsets.set(timeZone, (zone = new Map()));
  let offset = zone.get(day);
  if (offset === undefined) {
    const first = exactOffset(day * DAY_MS, timeZone);
    offset = first === exactOffset(day * DAY_MS + DAY_MS - 1000, timeZone) ? first : null;
    if (++cachedDays > 100_000) {
      dayOffsets.clear();
      cachedDays = 1;
      dayOffsets.set(timeZone, zone = new Map());
    }
    zone.set(day, offset);
  }
  return offset;
}

/** The wall clock in `timeZone` at an instant. */
export function wallClock(instant: Instant, timeZone: string): WallClock {
  const ms = toMs(instant);
  const offset = steadyOffset(ms, timeZone);
  if (offset === null) return exactWallClock(ms, timeZone);
  const d = new Date(ms + offset);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() };
}

/** The zone's offset from UTC at an instant, in ms (positive east of Greenwich). */
export function offsetMs(instant: Instant, timeZone: string): number {
  const ms = toMs(instant);
  return offsetOf(wallClock(ms, timeZone), ms);
}

const pad = (n: number, width = 2): string => String(n).padStart(width, "0");

function keyOf(year: number, month: number, day: number): string {
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
}

function parseDayKey(key: string): [number, number, number] {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(key);
  if (!match) throw new RangeError(`Not a day key (yyyy-mm-dd): ${key}`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

function parseMonthKey(key: string): [number, number] {
  const match = /^(\d{4})-(\d{2})$/.exec(key);
  if (!match || Number(match[2]) < 1 || Number(match[2]) > 12) throw new RangeError(`Not a month key (yyyy-mm): ${key}`);
  return [Number(match[1]), Number(match[2])];
}

/** Day keys by day number since the epoch: a key is built once, however many instants fall on its day. */
const dayKeys = new Map<number, string>();

/** "2026-11-27": the calendar day of an instant in the zone. */
export function dayKey(instant: Instant, timeZone: string): string {
  const ms = toMs(instant);
  const offset = steadyOffset(ms, timeZone);
  if (offset === null) {
    const w = exactWallClock(ms, timeZone);
    return keyOf(w.year, w.month, w.day);
  }
  const day = Math.floor((ms + offset) / DAY_MS);
  let key = dayKeys.get(day);
  if (key === undefined) {
    const d = new Date(day * DAY_MS);
    key = keyOf(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
    if (dayKeys.size >= 100_000) dayKeys.clear();
    dayKeys.set(day, key);
  }
  return key;
}

/** "2026-11": the calendar month of an instant in the zone. */
export function monthKey(instant: Instant, timeZone: string): string {
  return dayKey(instant, timeZone).slice(0, 7);
}

/** The day key `days` calendar days after `key` (negative: before). Pure calendar arithmetic. */
export function addDays(key: string, days: number): string {
  const [y, m, d] = parseDayKey(key);
  const date = new Date(Date.UTC(y, m - 1, d + days));
  return keyOf(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
}

/** The month key `months` months after `key` (negative: before). */
export function addMonths(key: string, months: number): string {
  const [y, m] = parseMonthKey(key);
  const date = new Date(Date.UTC(y, m - 1 + months, 1));
  return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}`;
}

/**
 * The first instant (epoch ms) of a calendar day in the zone: usually local midnight; where a DST
 * change skips midnight (e.g. America/Santiago, America/Havana), the moment the day begins.
 */
export function dayStart(key: string, timeZone: string): number {
  const [y, m, d] = parseDayKey(key);
  const utcMidnight = Date.UTC(y, m - 1, d);
  // Local midnight is utcMidnight − offset; the offset at that instant may differ from the one at
  // utcMidnight (a DST change in between), so look it up again at the first guess.
  const first = utcMidnight - offsetMs(utcMidnight, timeZone);
  const candidate = utcMidnight - offsetMs(first, timeZone);
  if (dayKey(candidate, timeZone) === key && dayKey(candidate - 1, timeZone) < key) return candidate;
  // Midnight does not exist that day: search for the boundary. Every zone's midnight lies within
  // [utcMidnight − 14 h, utcMidnight + 12 h]; widen by an hour on each side for DST.
  let lo = utcMidnight - 15 * HOUR; // before the day
  let hi = utcMidnight + 13 * HOUR; // within the day or after it
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (dayKey(mid, timeZone) < key) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** How long a calendar day is in the zone, in ms (23, 24 or 25 hours around DST changes). */
export function dayLengthMs(key: string, timeZone: string): number {
  return dayStart(addDays(key, 1), timeZone) - dayStart(key, timeZone);
}

/**
 * The zone's short label at an instant: "UTC", "EST"/"EDT", "CET"/"CEST", "GMT"/"BST", or "GMT+5:30"
 * where no abbreviation is common. en-US knows the American abbreviations, en-GB the European ones.
 */
export function timeZoneLabel(instant: Instant, timeZone: string): string {
  const ms = toMs(instant);
  // A day whose offset does not change has one label all day: asked of Intl once per zone and day
  // (formatToParts was 8 % of a full publish's time, asked for every time shown).
  const steady = steadyOffset(ms, timeZone) !== null;
  const day = Math.floor(ms / DAY_MS);
  let zone = dayLabels.get(timeZone);
  const known = steady ? zone?.get(day) : undefined;
  if (known !== undefined) return known;
  const label = (locale: string): string =>
    formatter(locale, timeZone, { timeZoneName: "short" })
      .formatToParts(ms)
      .find((p) => p.type === "timeZoneName")?.value ?? timeZone;
  const us = label("en-US");
  const found = /^GMT[+\-\u2212]/.test(us) ? label("en-GB") : us;
  if (steady) {
    if (!zone || cachedLabels >= 100_000) {
      if (cachedLabels >= 100_000) {
        dayLabels.clear();
        cachedLabels = 0;
      }
      dayLabels.set(timeZone, (zone = new Map()));
    }
    zone.set(day, found);
    cachedLabels++;
  }
  return found;
}

/** Per zone, its label through one UTC day (by day number), for days its offset does not change. */
const dayLabels = new Map<string, Map<number, string>>();
let cachedLabels = 0;

const MONTHS_SHORT = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"] as const;
const MONTHS_LONG = [
  "January", "February", "March", "April", "May", "June",
  "July", "August", "September", "October", "November", "December",
] as const;

function time24(w: WallClock): string {
  return `${pad(w.hour)}:${pad(w.minute)}`;
}

/** A wall clock as if it were UTC, for Intl formatters pinned to UTC: the fields come out as they are. */
const asUtc = (w: Pick<WallClock, "year" | "month" | "day"> & Partial<WallClock>): number => Date.UTC(w.year, w.month - 1, w.day, w.hour ?? 0, w.minute ?? 0);

const CLOCK: Intl.DateTimeFormatOptions = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };

/*
 * English keeps Herald's own compact forms ("Nov 27, 2026 - 14:05 EST", as Statuspage writes
 * them); every other locale's dates and times come from Intl in that locale. The zone label is
 * the same in every locale ("UTC", "EST", "CET").
 */

const dateOptions = (options: { year?: boolean; clock?: boolean }): Intl.DateTimeFormatOptions => ({
  month: "short",
  day: "numeric",
  ...(options.year ? { year: "numeric" } : {}),
  ...(options.clock ? CLOCK : {}),
});

/** The date (month short, day; the year when asked) and, when asked, the time: in the locale's order. */
function localDate(locale: string, w: WallClock | Pick<WallClock, "year" | "month" | "day">, options: { year?: boolean; clock?: boolean }): string {
  return formatter(locale, "UTC", dateOptions(options)).format(asUtc(w));
}

function clockText(w: WallClock, locale: string): string {
  return isEnglish(locale) ? time24(w) : formatter(locale, "UTC", CLOCK).format(asUtc(w));
}

/**
 * A time and its zone label as one unit: in a right-to-left language an isolate (U+2066 … U+2069)
 * keeps "10:20 EST" in that order, where the bidi algorithm would otherwise show "EST 10:20".
 */
export function labelled(text: string, label: string, locale = "en"): string {
  return isRightToLeft(locale) ? `\u2066${text} ${label}\u2069` : `${text} ${label}`;
}

/** A date with its time and the zone's label ("27. Nov., 14:05 CET"); in a right-to-left language the time and label are one isolate, the date stays in the line's direction. */
function stamped(locale: string, w: WallClock, year: boolean, label: string): string {
  if (!isRightToLeft(locale)) return `${localDate(locale, w, { year, clock: true })} ${label}`;
  const parts = formatter(locale, "UTC", dateOptions({ year, clock: true })).formatToParts(asUtc(w));
  const hour = parts.findIndex((p) => p.type === "hour");
  const text = (from: number, to?: number) => parts.slice(from, to).map((p) => p.value).join("");
  return `${text(0, hour)}${labelled(text(hour), label, locale)}`;
}

/** "14:05": the time alone, in the locale's digits. */
export function formatClock(instant: Instant, timeZone: string, locale = "en"): string {
  return clockText(wallClock(instant, timeZone), locale);
}

/** "14:05 EST" */
export function formatTime(instant: Instant, timeZone: string, locale = "en"): string {
  return labelled(clockText(wallClock(instant, timeZone), locale), timeZoneLabel(instant, timeZone), locale);
}

/** "Nov 27, 14:05 EST" — short, for lists where the year is evident. */
export function formatDateTime(instant: Instant, timeZone: string, locale = "en"): string {
  const w = wallClock(instant, timeZone);
  if (!isEnglish(locale)) return stamped(locale, w, false, timeZoneLabel(instant, timeZone));
  return `${MONTHS_SHORT[w.month - 1]} ${w.day}, ${time24(w)} ${timeZoneLabel(instant, timeZone)}`;
}

/** "Nov 27, 2026 - 14:05 EST" — as Statuspage's "Posted …" lines. */
export function formatPosted(instant: Instant, timeZone: string, locale = "en"): string {
  const w = wallClock(instant, timeZone);
  if (!isEnglish(locale)) return stamped(locale, w, true, timeZoneLabel(instant, timeZone));
  return `${MONTHS_SHORT[w.month - 1]} ${w.day}, ${w.year} - ${time24(w)} ${timeZoneLabel(instant, timeZone)}`;
}

/**
 * A time window, short: "Dec 3, 02:00 – 04:00 UTC" within one day; "Dec 3, 22:00 – Dec 4, 02:00 UTC"
 * across days; each end keeps its own label when they differ (a DST change inside the window).
 * Without an end: "from Dec 3, 02:00 UTC" (`from` is the locale's word for it).
 */
export function formatRange(start: Instant, end: Instant | null, timeZone: string, locale = "en", from = "from"): string {
  if (end === null) return `${from} ${formatDateTime(start, timeZone, locale)}`;
  const [left, right] = formatRangeParts(start, end, timeZone, locale);
  return `${left} – ${right}`;
}

/** The two ends of `formatRange`, for markup that puts each in its own `<time>`. */
export function formatRangeParts(start: Instant, end: Instant, timeZone: string, locale = "en"): [string, string] {
  const a = wallClock(start, timeZone);
  const b = wallClock(end, timeZone);
  const labelA = timeZoneLabel(start, timeZone);
  const labelB = timeZoneLabel(end, timeZone);
  const sameDay = a.year === b.year && a.month === b.month && a.day === b.day;
  const sameYear = a.year === b.year;
  if (!isEnglish(locale)) {
    const left = labelA === labelB ? localDate(locale, a, { year: !sameYear, clock: true }) : stamped(locale, a, !sameYear, labelA);
    const right = sameDay ? labelled(clockText(b, locale), labelB, locale) : stamped(locale, b, !sameYear, labelB);
    return [left, right];
  }
  const dateA = `${MONTHS_SHORT[a.month - 1]} ${a.day}${sameYear ? "" : `, ${a.year}`}`;
  const dateB = `${MONTHS_SHORT[b.month - 1]} ${b.day}${sameYear ? "" : `, ${b.year}`}`;
  const left = `${dateA}, ${time24(a)}${labelA === labelB ? "" : ` ${labelA}`}`;
  const right = `${sameDay ? "" : `${dateB}, `}${time24(b)} ${labelB}`;
  return [left, right];
}

/** "Nov 27, 2026" for a day key. */
export function formatDay(key: string, locale = "en"): string {
  const [y, m, d] = parseDayKey(key);
  if (!isEnglish(locale)) return localDate(locale, { year: y, month: m, day: d }, { year: true });
  return `${MONTHS_SHORT[m - 1]} ${d}, ${y}`;
}

/** "Nov 27" for a day key. */
export function formatDayShort(key: string, locale = "en"): string {
  const [y, m, d] = parseDayKey(key);
  if (!isEnglish(locale)) return localDate(locale, { year: y, month: m, day: d }, {});
  return `${MONTHS_SHORT[m - 1]} ${d}`;
}

/** "November 2026" for a month key. */
export function formatMonth(key: string, locale = "en"): string {
  const [y, m] = parseMonthKey(key);
  if (!isEnglish(locale)) return formatter(locale, "UTC", { month: "long", year: "numeric" }).format(Date.UTC(y, m - 1, 1));
  return `${MONTHS_LONG[m - 1]} ${y}`;
}

/** True for "yyyy-mm" with a real month. */
export function isMonthKey(key: string): boolean {
  return /^\d{4}-(0[1-9]|1[0-2])$/.test(key);
}

/**
 * A duration in words, rounded to the minute: "less than a minute", "45 min", "1 h 55 min", "2 h",
 * and from a day on, to the hour: "1 d 3 h", "2 d". Other locales: Intl.DurationFormat's short
 * style ("1 Std., 55 Min."), and "< 1 min" in their words for under a minute.
 */
export function formatDuration(ms: number, locale = "en"): string {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`Not a duration: ${ms}`);
  const minutes = Math.round(ms / MINUTE);
  const parts = durationParts(minutes);
  if (!isEnglish(locale)) return minutes < 1 ? `< ${localDuration(locale, { minutes: 1 })}` : localDuration(locale, parts);
  if (minutes < 1) return "less than a minute";
  if (parts.days !== undefined) return parts.hours ? `${parts.days} d ${parts.hours} h` : `${parts.days} d`;
  if (parts.hours !== undefined) return parts.minutes ? `${parts.hours} h ${parts.minutes} min` : `${parts.hours} h`;
  return `${parts.minutes} min`;
}

interface DurationParts {
  days?: number;
  hours?: number;
  minutes?: number;
}

function durationParts(minutes: number): DurationParts {
  if (minutes < 60) return { minutes };
  if (minutes < 24 * 60) {
    const m = minutes % 60;
    return m === 0 ? { hours: Math.floor(minutes / 60) } : { hours: Math.floor(minutes / 60), minutes: m };
  }
  const hours = Math.round(minutes / 60);
  const h = hours % 24;
  return h === 0 ? { days: Math.floor(hours / 24) } : { days: Math.floor(hours / 24), hours: h };
}

type DurationFormatter = { format(duration: DurationParts): string };
const durationFormats = new Map<string, DurationFormatter>();

function localDuration(locale: string, parts: DurationParts): string {
  let f = durationFormats.get(locale);
  if (!f) {
    const DurationFormat = (Intl as unknown as { DurationFormat?: new (locale: string, options: object) => DurationFormatter }).DurationFormat;
    f = DurationFormat
      ? new DurationFormat(locale, { style: "short" })
      : {
          // Runtimes without Intl.DurationFormat: each unit by NumberFormat, side by side.
          format: (d) =>
            (["days", "hours", "minutes"] as const)
              .filter((unit) => d[unit] !== undefined)
              .map((unit) => new Intl.NumberFormat(locale, { style: "unit", unit: unit.slice(0, -1), unitDisplay: "short" }).format(d[unit]!))
              .join(" "),
        };
    durationFormats.set(locale, f);
  }
  return f.format(parts);
}

/** Milliseconds between two instants. */
export function between(start: Instant, end: Instant): number {
  return toMs(end) - toMs(start);
}

/** The ISO UTC form for `<time datetime>`: "2026-11-27T19:05:00.000Z". */
export function isoUtc(instant: Instant): string {
  return new Date(toMs(instant)).toISOString();
}

/**
 * The instant a wall-clock time (`YYYY-MM-DDTHH:MM`, as an HTML datetime-local field sends it) in
 * `timeZone` stands for, as ISO UTC; null when it is no such time. A time skipped by a DST jump
 * (02:30 on a spring-forward night) is read with the offset before the jump, so it lands just after
 * it; a time that happens twice (the autumn hour) is the first of the two.
 */
export function instantOfWallClock(local: string, timeZone: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local.trim());
  if (!m) return null;
  const [year, month, day, hour, minute] = m.slice(1).map(Number) as [number, number, number, number, number];
  const asUtc = Date.UTC(year, month - 1, day, hour, minute);
  const check = new Date(asUtc);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59) return null;
  // The offsets an hour either side of the guess cover both sides of any DST change that day.
  const before = offsetMs(asUtc - offsetMs(asUtc, timeZone) - HOUR, timeZone);
  const after = offsetMs(asUtc - offsetMs(asUtc, timeZone) + HOUR, timeZone);
  const candidates = [asUtc - before, asUtc - after].filter((t) => {
    const w = wallClock(t, timeZone);
    return w.year === year && w.month === month && w.day === day && w.hour === hour && w.minute === minute;
  });
  return new Date(candidates.length ? Math.min(...candidates) : asUtc - before).toISOString();
}

/** An instant as a datetime-local field's value (`YYYY-MM-DDTHH:MM`) in `timeZone`. */
export function wallClockInput(instant: Instant, timeZone: string): string {
  const w = wallClock(instant, timeZone);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}`;
}
