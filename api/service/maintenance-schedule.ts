import { getIncidentRow } from "../../db/queries/incidents.ts";
import { maintenancesDue } from "../../db/queries/maintenance-schedule.ts";
import type { MaintenanceStatus } from "../../domain/lifecycle.ts";
import { nextScheduledMove } from "../../domain/maintenance-schedule.ts";
import type { BackgroundWriteDeps } from "../app-deps.ts";
import { postMaintenanceUpdate } from "./incidents.ts";

/** Who the timeline and audit log name for moves the schedule made. */
const SCHEDULE_ACTOR = { id: null, name: "Herald (schedule)", role: "admin" as const };

/**
 * Moves every maintenance whose window opened or closed (Node: every 30 s; Workers: the cron).
 * Each move is its own write, re-checked inside the transaction, so two runners (two processes,
 * a cron overlapping a slow run) never post the same move twice. Returns how many moves were made.
 */
export async function advanceMaintenances(deps: BackgroundWriteDeps): Promise<number> {
  let moves = 0;
  // A window missed entirely takes two moves (start, then complete): go round until none is due.
  for (let round = 0; round < 2; round++) {
    const due = await maintenancesDue(deps.db.client, deps.clock.now().toISOString());
    if (due.length === 0) break;
    for (const candidate of due) {
      const moved = await deps.db.write(async (tx) => {
        const now = deps.clock.now();
        const row = await getIncidentRow(tx, candidate.id, "maintenance");
        if (!row) return false;
        const move = nextScheduledMove({ ...candidate, status: row.status as MaintenanceStatus }, now);
        if (!move) return false; // someone moved it meanwhile
        await postMaintenanceUpdate({ tx, actor: SCHEDULE_ACTOR, now: now.toISOString(), hooks: deps.hooks, statusSource: "schedule" }, candidate.id, { status: move.to, body: move.body });
        return true;
      });
      if (moved) {
        moves++;
        deps.onChange?.({ type: "maintenance", id: candidate.id });
      }
    }
  }
  if (moves > 0) deps.log?.(`maintenance schedule: ${moves} move(s)`);
  return moves;
}
