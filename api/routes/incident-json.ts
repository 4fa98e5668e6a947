/**
 * Incidents in the management API's shape (Statuspage's plus severity, authors and the internal
 * fields), shared by the incident, drill and maintenance routes, with the list and get routes
 * all three build on it.
 */
import { z } from "zod";
import type { Executor } from "../../db/database.ts";
import { getRolesByIncident, noticedLapses } from "../../db/queries/internal.ts";
import { getIncident, listIncidents } from "../../db/queries/incidents.ts";
import { DEFAULT_SCHEDULE_FLAGS, getMaintenanceSchedules } from "../../db/queries/maintenance-schedule.ts";
import type { IncidentKind, IncidentRecord } from "../../db/records.ts";
import type { ChangeEvent } from "../app-deps.ts";
import { validate } from "../http/body.ts";
import { withInternalFields } from "../internal/json.ts";
import type { InternalPage } from "../internal/message.ts";
import { notFound } from "../problem.ts";
import { incidentJson } from "../serialize.ts";
import { listComponentViews, type ComponentView } from "../service/components.ts";
import type { WriteContext } from "../service/context.ts";
import { incidentIdParam, type ResourceRoutes, type RouteContext } from "./kit.ts";

/** Where internal links (a drill's preview page) point, and the zone response targets are counted in. */
export function internalPage(ctx: RouteContext): InternalPage {
  return { url: ctx.config.page.url, timeZone: ctx.config.page.timeZone };
}

/** Incidents as JSON. Writes pass their transaction, so the response shows exactly what was committed. */
async function incidentsJson(ctx: RouteContext, ex: Executor, records: readonly IncidentRecord[]): Promise<Record<string, unknown>[]> {
  const byId = new Map<string, ComponentView>((await listComponentViews(ex)).map((v) => [v.id, v]));
  const ids = records.map((r) => r.id);
  const maintenanceIds = records.filter((r) => r.kind === "maintenance").map((r) => r.id);
  const [roles, noticed, schedules] = await Promise.all([getRolesByIncident(ex, ids), noticedLapses(ex, ids), getMaintenanceSchedules(ex, maintenanceIds)]);
  const now = ctx.clock.now().toISOString();
  return records.map((r) => {
    // Internal fields (roles, drill, promises, lapses) are added here only, never to the public documents.
    const json = withInternalFields(incidentJson(r, byId, ctx.page, { withSeverity: true, withAuthor: true }), r, roles.get(r.id), noticed, internalPage(ctx), now);
    if (r.kind === "maintenance") {
      const schedule = schedules.get(r.id) ?? DEFAULT_SCHEDULE_FLAGS;
      json.scheduled_auto_in_progress = schedule.autoStart;
      json.scheduled_auto_completed = schedule.autoComplete;
      // The calendar's view of it (/maintenances.ics): cancelled before it began, and how often its window moved.
      json.cancelled_at = r.cancelledAt ?? null;
      json.schedule_sequence = r.scheduleSequence ?? 0;
    }
    return json;
  });
}

/** One incident as a write's response, read inside the write's transaction. */
export async function incidentJsonIn(ctx: RouteContext, write: WriteContext, record: IncidentRecord): Promise<Record<string, unknown>> {
  return (await incidentsJson(ctx, write.tx, [record]))[0]!;
}

/** The change event of a write that answers with an incident or maintenance. */
export const incidentChange = (kind: IncidentKind) => (result: unknown): ChangeEvent => ({ type: kind, id: (result as { id: string }).id });

const IncidentListQuerySchema = z.strictObject({
  status: z.enum(["open", "resolved"]).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
  page: z.coerce.number().int().min(1).max(100_000).optional(),
});

/** GET /incidents, /drills and /maintenances: newest first, `status=open|resolved`, `limit`, `page`. */
export function addIncidentListRoute(routes: ResourceRoutes, ctx: RouteContext, kind: IncidentKind, path: string, summary: string, drillsOnly = false): void {
  routes.add({ method: "get", path, summary, query: IncidentListQuerySchema, success: 200, returns: "array" }, async (c) => {
    const query = validate(IncidentListQuerySchema, c.req.query(), "The query string is invalid.");
    const limit = query.limit ?? 50;
    const state = query.status === "open" ? "open" : query.status === "resolved" ? "closed" : undefined;
    const records = await listIncidents(ctx.db.client, { kind, state, limit, offset: ((query.page ?? 1) - 1) * limit, drills: drillsOnly ? "only" : "include" });
    return c.json(await incidentsJson(ctx, ctx.db.client, records));
  });
}

/** GET /incidents/:id and GET /maintenances/:id. */
export function addIncidentGetRoute(routes: ResourceRoutes, ctx: RouteContext, kind: IncidentKind, path: string, summary: string): void {
  routes.add({ method: "get", path, summary, success: 200 }, async (c) => {
    const id = await incidentIdParam(c, ctx.db.client, kind);
    const record = await getIncident(ctx.db.client, id, kind);
    if (!record) throw notFound(kind, id);
    return c.json((await incidentsJson(ctx, ctx.db.client, [record]))[0]);
  });
}
