/**
 * The seed's "report progress weekly": a digest of open and overdue postmortem action items, by
 * owner, to the team channel on a day and hour set by ACTION_DIGEST (default Monday 09:00 in the
 * page's zone). Pure rules: the schedule, the week's slot, and how the items are grouped.
 */
import { addDays, dayKey, HOUR, instantOfWallClock, type Instant } from "./time.ts";

export interface DigestSchedule {
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
  hour: number;
  minute: number;
}

export const DEFAULT_DIGEST: DigestSchedule = { weekday: 1, hour: 9, minute: 0 };

const WEEKDAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"] as const;

/**
 * "Monday 09:00", "mon 9:00", "Friday 16:30"; "off" turns the digest off (null). Undefined when
 * the text is neither (the caller names the variable).
 */
export function parseDigestSchedule(text: string): DigestSchedule | null | undefined {
  const t = text.trim().toLowerCase();
  if (t === "off") return null;
  const m = /^([a-z]+)\s+(\d{1,2}):(\d{2})$/.exec(t);
  if (!m) return undefined;
  const weekday = WEEKDAYS.findIndex((d) => d === m[1] || (m[1]!.length >= 3 && d.startsWith(m[1]!)));
  const [hour, minute] = [Number(m[2]), Number(m[3])];
  if (weekday < 0 || hour > 23 || minute > 59) return undefined;
  return { weekday, hour, minute };
}

/** "Monday 09:00" */
export function formatDigestSchedule(s: DigestSchedule): string {
  const day = WEEKDAYS[s.weekday]!;
  return `${day.charAt(0).toUpperCase()}${day.slice(1)} ${String(s.hour).padStart(2, "0")}:${String(s.minute).padStart(2, "0")}`;
}

/** The weekday (0 = Sunday) of a day key. */
function weekdayOf(day: string): number {
  return new Date(`${day}T12:00:00Z`).getUTCDay();
}

/**
 * The digest due at `now`: its week's slot (the latest scheduled time at or before now, in the
 * page's zone) when now is within a day of it, else null. A process that was down at the hour
 * still sends that week's digest later that day; one started mid-week waits for the next slot.
 */
export function dueDigest(now: Instant, timeZone: string, schedule: DigestSchedule): { day: string; at: string } | null {
  const nowMs = new Date(now).getTime();
  const today = dayKey(now, timeZone);
  const hhmm = `${String(schedule.hour).padStart(2, "0")}:${String(schedule.minute).padStart(2, "0")}`;
  let day = addDays(today, -((weekdayOf(today) - schedule.weekday + 7) % 7));
  let at = instantOfWallClock(`${day}T${hhmm}`, timeZone)!;
  if (Date.parse(at) > nowMs) {
    day = addDays(day, -7);
    at = instantOfWallClock(`${day}T${hhmm}`, timeZone)!;
  }
  return nowMs - Date.parse(at) < 24 * HOUR ? { day, at } : null;
}

export interface DigestItem {
  owner: string | null;
  dueDate: string | null;
}

/**
 * Items by owner: owners alphabetically (case-insensitive, "@" ignored), the unassigned last; in
 * each, the overdue first, then by due date, undated last. Overdue: due before `today`.
 */
export function groupByOwner<T extends DigestItem>(items: readonly T[], today: string): { owner: string | null; items: (T & { overdue: boolean })[] }[] {
  const groups = new Map<string | null, (T & { overdue: boolean })[]>();
  for (const item of items) {
    const key = item.owner?.trim() || null;
    const list = groups.get(key) ?? [];
    list.push({ ...item, overdue: item.dueDate !== null && item.dueDate < today });
    groups.set(key, list);
  }
  const name = (owner: string) => owner.replace(/^@/, "").toLowerCase();
  const owners = [...groups.keys()].sort((a, b) => (a === null ? 1 : b === null ? -1 : name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0));
  return owners.map((owner) => ({
    owner,
    items: groups.get(owner)!.sort(
      (a, b) => Number(b.overdue) - Number(a.overdue) || (a.dueDate ?? "9999").localeCompare(b.dueDate ?? "9999"),
    ),
  }));
}
