/**
 * Drills: practice incidents, made with POST /incidents {"drill": true} and run with the usual
 * updates; here only their list and their response report.
 */
import { getIncident } from "../../db/queries/incidents.ts";
import { responseReportJson } from "../internal/json.ts";
import { notFound } from "../problem.ts";
import { addIncidentListRoute, internalPage } from "./incident-json.ts";
import { incidentIdParam, ResourceRoutes, type RouteContext } from "./kit.ts";

export function drillRoutes(ctx: RouteContext): ResourceRoutes {
  const { db, clock } = ctx;
  const routes = new ResourceRoutes();

  addIncidentListRoute(routes, ctx, "incident", "/drills", "List drills (practice incidents), newest first", true);

  routes.add({ method: "get", path: "/drills/:id/report", summary: "A drill's response times measured against its severity's targets", success: 200 }, async (c) => {
    const id = await incidentIdParam(c, ctx.db.client, "drill");
    const record = await getIncident(db.client, id, "incident");
    if (!record || !record.drill) throw notFound("drill", id);
    return c.json(responseReportJson(record, internalPage(ctx), clock.now().toISOString()));
  });

  return routes;
}
