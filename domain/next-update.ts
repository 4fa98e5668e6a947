/**
 * `--next-update` for the CLI: when the comms lead promises the next update.
 *   30m, 1h, 1h30m, 2h      from now
 *   14:30                    the next 14:30 on this machine's clock (today, or tomorrow once past)
 *   14:30Z, 14:30 UTC        the next 14:30 UTC
 *   2026-11-27T14:30:00Z     exactly then (ISO-8601 with a zone)
 * Returns ISO UTC, or null when the text is none of these.
 */
export function parseNextUpdate(raw: string, now: Date): string | null {
  const text = raw.trim();
  const duration = /^(?:(\d{1,3})h)?\s*(?:(\d{1,4})m(?:in)?)?$/i.exec(text);
  if (duration && (duration[1] || duration[2])) {
    const minutes = Number(duration[1] ?? 0) * 60 + Number(duration[2] ?? 0);
    return minutes > 0 ? new Date(now.getTime() + minutes * 60_000).toISOString() : null;
  }
  const clock = /^([01]?\d|2[0-3]):([0-5]\d)\s*(z|utc)?$/i.exec(text);
  if (clock) {
    const [hour, minute, utc] = [Number(clock[1]), Number(clock[2]), Boolean(clock[3])];
    const at = new Date(now);
    if (utc) at.setUTCHours(hour, minute, 0, 0);
    else at.setHours(hour, minute, 0, 0);
    // Already past today: the same time tomorrow (by the calendar, so a DST change keeps the wall time).
    if (at.getTime() <= now.getTime()) {
      if (utc) at.setUTCDate(at.getUTCDate() + 1);
      else {
        at.setDate(at.getDate() + 1);
        at.setHours(hour, minute, 0, 0);
      }
    }
    return at.toISOString();
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(text) && !Number.isNaN(Date.parse(text))) {
    return new Date(text).toISOString();
  }
  return null;
}
