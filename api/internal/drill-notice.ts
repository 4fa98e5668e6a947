/**
 * The seed: "run incident simulations quarterly". When a quarter (in the page's zone) ended with no
 * drill, the team channel is told once, on the first check of the next quarter. Once per quarter
 * across restarts and processes: the notice's key is stored first (`settings`, first writer wins).
 */
import { countDrillsBetween, enqueueInternalMessage } from "../../db/queries/internal.ts";
import { pageCreatedAt } from "../../db/queries/page.ts";
import { claimSetting, hasSetting } from "../../db/queries/settings.ts";
import { dayKey, dayStart } from "../../domain/time.ts";
import type { TeamNoticeDeps } from "./postmortem-reminders.ts";

/** The quarter a day falls in, and the first day of it and of the one before. */
export function quarterOf(day: string): { label: string; start: string; previous: { label: string; start: string } } {
  const [year, month] = [Number(day.slice(0, 4)), Number(day.slice(5, 7))];
  const q = Math.floor((month - 1) / 3) + 1;
  const start = `${year}-${String((q - 1) * 3 + 1).padStart(2, "0")}-01`;
  const [py, pq] = q === 1 ? [year - 1, 4] : [year, q - 1];
  return { label: `${year} Q${q}`, start, previous: { label: `${py} Q${pq}`, start: `${py}-${String((pq - 1) * 3 + 1).padStart(2, "0")}-01` } };
}

/** Tells the team once when the last quarter had no drill; returns the quarter's label when it did. */
export async function noticeQuarterWithoutDrill(deps: TeamNoticeDeps): Promise<string | null> {
  if (!deps.channel) return null;
  const now = deps.clock.now().toISOString();
  const { start, previous } = quarterOf(dayKey(now, deps.page.timeZone));
  const at = (day: string) => new Date(dayStart(day, deps.page.timeZone)).toISOString();
  const [from, to] = [at(previous.start), at(start)];
  const key = `drill-notice:${previous.label}`;
  // Told already (the usual case: one read per check); a page younger than the quarter has nothing to say about it; a drill was run.
  if (await hasSetting(deps.db.client, key)) return null;
  const [pageSince, drills] = await Promise.all([pageCreatedAt(deps.db.client), countDrillsBetween(deps.db.client, from, to)]);
  if (pageSince === null || pageSince >= from || drills > 0) return null;
  const toldNow = await deps.db.write(async (tx) => {
    if (!(await claimSetting(tx, key, now, now))) return false;
    const text = [
      `:test_tube: *No drill in ${previous.label}*: the incident practice asks for a simulation every quarter, to keep the response sharp.`,
      `Run one: herald drill start SEV2 "Simulated database failure" (or Declare in the console with "This is a drill"). Customers see nothing of it.`,
      `${deps.page.url}/console/incidents/new`,
    ].join("\n");
    await enqueueInternalMessage(tx, { incidentId: null, kind: "reminder", payload: { text }, now });
    return true;
  });
  if (toldNow) deps.log?.(`drills: none in ${previous.label}; the team was told`);
  return toldNow ? previous.label : null;
}
