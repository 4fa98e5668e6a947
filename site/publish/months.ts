import { addMonths, dayStart, monthKey } from "../../domain/time.ts";

/**
 * Archive months in the page's time zone: `/history/2026-11` lists what began in November
 * as the page's readers count it, not as UTC does.
 */
export { monthKey };

/** [from, to) in UTC ISO for a month key in the zone. */
export function monthBounds(key: string, timeZone: string): { from: string; to: string } {
  return {
    from: new Date(dayStart(`${key}-01`, timeZone)).toISOString(),
    to: new Date(dayStart(`${addMonths(key, 1)}-01`, timeZone)).toISOString(),
  };
}

/** Distinct month keys of a list of instants, newest first. */
export function monthsOf(instants: Iterable<string>, timeZone: string): string[] {
  const keys = new Set<string>();
  for (const iso of instants) keys.add(monthKey(iso, timeZone));
  return [...keys].sort().reverse();
}
