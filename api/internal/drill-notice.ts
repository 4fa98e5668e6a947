/**
 * The seed: "run incident simulations quarterly". When a quarter (in the page's zone) ended with no
 * drill, the team channel is told once, on the first check of the next quarter. Once per quarter
 * across restarts and processes: the notice's key is stored first (`settings`, first writer wins).
 */
import type { Database } from "../../db/database.ts";
import { enqueueInternalMessage } from "../../db/queries/internal.ts";
import { dayKey, instantOfWallClock } from "../../domain/time.ts";
import type { InternalPage } from "./message.ts";

/** The quarter a day falls in, and the first day of it and of the one before. */
export function quarterOf(day: string): { label: string; start: string; previous: { label: string; start: string } } {
  const [year, month] = [Number(day.slice(0, 4)), Number(day.slice(5, 7))];
  const q = Math.floor((month - 1) / 3) + 1;
  const start = `${year}-${String((q - 1) * 3 + 1).padStart(2, "0")}-01`;
  const [py, pq] = q === 1 ? [year - 1, 4] : [year, q - 1];
  return { label: `${year} Q${q}`, start, previous: { label: `${py} Q${pq}`, start: `${py}-${String((pq - 1) * 3 + 1).padStart(2, "0")}-01` } };
}

export interface DrillNoticeDeps {
  db: Database;
  clock: { now(): Date };
  page: InternalPage;
  channel: boolean;
  log?: (line: string) => void;
}

/** Tells the team once when the last quarter had no drill; returns the quarter's label when it did. */
export async function noticeQuarterWithoutDrill(deps: DrillNoticeDeps): Promise<string | null> {
  if (!deps.channel) return null;
  const now = deps.clock.now().toISOString();
  const { start, previous } = quarterOf(dayKey(now, deps.page.timeZone));
  const at = (day: string) => instantOfWallClock(`${day}T00:00`, deps.page.timeZone) ?? instantOfWallClock(`${day}T01:00`, deps.page.timeZone)!;
  const [from, to] = [at(previous.start), at(start)];
  const key = `drill-notice:${previous.label}`;
  const known = await deps.db.client.execute({
    sql: `SELECT (SELECT COUNT(*) FROM settings WHERE key = ?) AS told,
                 (SELECT created_at FROM page LIMIT 1) AS page_since,
                 (SELECT COUNT(*) FROM incidents WHERE drill = 1 AND started_at >= ? AND started_at < ?) AS drills`,
    args: [key, from, to],
  });
  const row = known.rows[0]!;
  // Told already; a page younger than the quarter has nothing to say about it; a drill was run.
  if (Number(row.told) > 0 || String(row.page_since) >= from || Number(row.drills) > 0) return null;
  const told = await deps.db.write(async (tx) => {
    const inserted = await tx.execute({ sql: "INSERT OR IGNORE INTO settings (key, value, created_at) VALUES (?, ?, ?)", args: [key, now, now] });
    if (inserted.rowsAffected === 0) return false;
    const text = [
      `:test_tube: *No drill in ${previous.label}*: the incident practice asks for a simulation every quarter, to keep the response sharp.`,
      `Run one: herald drill start SEV2 "Simulated database failure" (or Declare in the console with "This is a drill"). Customers see nothing of it.`,
      `${deps.page.url}/console/incidents/new`,
    ].join("\n");
    await enqueueInternalMessage(tx, { incidentId: null, kind: "reminder", payload: { text }, now });
    return true;
  });
  if (told) deps.log?.(`drills: none in ${previous.label}; the team was told`);
  return told ? previous.label : null;
}
