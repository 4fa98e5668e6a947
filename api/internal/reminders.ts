import { responseLapses, type Lapse, type ResponseInput } from "../../domain/response.ts";
import type { Database, Executor } from "../../db/database.ts";
import { getIncidentsByIds } from "../../db/queries/incidents.ts";
import { incidentIdsToCheck, noticeLapse, type NoticedLapse } from "../../db/queries/internal.ts";
import type { IncidentRecord } from "../../db/records.ts";

/** Told about each lapse once, inside the transaction that records it (e.g. enqueues a Slack reminder). */
export interface LapseNotifier {
  remind(ex: Executor, incident: IncidentRecord, lapse: Lapse, now: string): Promise<void>;
}

export interface ResponseCheckDeps {
  db: Database;
  clock: { now(): Date };
  /** The page's zone: SEV4's "next business day" is counted in it. */
  timeZone: string;
  /** Absent: lapses are recorded (and shown in the API) but nobody is reminded. */
  notifier?: LapseNotifier | null;
  log?: (line: string) => void;
}

/** What the response-time rules read of an incident (one with a severity). */
export function responseInputOf(incident: IncidentRecord): ResponseInput {
  // A draft has told customers nothing yet: its first update is still due.
  return { severity: incident.severity ?? "SEV4", startedAt: incident.startedAt, resolvedAt: incident.resolvedAt, updates: incident.draft ? [] : incident.updates };
}

/** How far back a resolved incident is still looked at (a lapse that came and went between checks). */
const LOOKBACK_MS = 24 * 60 * 60 * 1000;

/**
 * One pass of the response-time checker: for each open incident (and any changed in the last day),
 * the lapses the rules in domain/response.ts find as of now; each not yet recorded is recorded
 * and reminded of in ONE transaction. The record's primary key makes the reminder happen once per
 * lapse, across restarts and across processes. Call it from a Node interval or a Cloudflare cron.
 */
export async function checkResponseTimes(deps: ResponseCheckDeps): Promise<{ checked: number; noticed: NoticedLapse[] }> {
  const now = deps.clock.now();
  const at = now.toISOString();
  const ids = await incidentIdsToCheck(deps.db.client, new Date(now.getTime() - LOOKBACK_MS).toISOString());
  const incidents = await getIncidentsByIds(deps.db.client, ids, "include");
  const noticed: NoticedLapse[] = [];
  for (const incident of incidents) {
    if (!incident.severity) continue;
    const lapses = responseLapses(responseInputOf(incident), at, deps.timeZone);
    if (lapses.length === 0) continue;
    await deps.db.write(async (tx) => {
      for (const lapse of lapses) {
        const record: NoticedLapse = { incidentId: incident.id, kind: lapse.kind, dueAt: lapse.dueAt, noticedAt: at };
        if (!(await noticeLapse(tx, record))) continue;
        await deps.notifier?.remind(tx, incident, lapse, at);
        noticed.push(record);
      }
    });
  }
  for (const n of noticed) deps.log?.(`response time: ${n.kind} of incident ${n.incidentId} was due ${n.dueAt}; reminder ${deps.notifier ? "queued" : "not sent (no internal channel)"}`);
  return { checked: incidents.length, noticed };
}
