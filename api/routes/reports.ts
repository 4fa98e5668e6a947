/** GET /reports/response: the seed's Learn in numbers (domain/report.ts), over days of the page's zone. */
import { z } from "zod";
import { reportIncidents } from "../../db/queries/report.ts";
import { reportBounds, responseReport } from "../../domain/report.ts";
import { addDays, dayKey } from "../../domain/time.ts";
import { validate } from "../http/body.ts";
import { unprocessable } from "../problem.ts";
import { ResourceRoutes, type RouteContext } from "./kit.ts";

/** The default window: the last 90 days, today included. */
const DEFAULT_DAYS = 90;

const ReportQuerySchema = z.strictObject({
  from: z.iso.date().optional().describe("First day (page's zone), inclusive; default 90 days before `to`."),
  to: z.iso.date().optional().describe("Last day (page's zone), inclusive; default today."),
});

export function reportRoutes({ db, clock, config }: RouteContext): ResourceRoutes {
  const routes = new ResourceRoutes();
  routes.add({ method: "get", path: "/reports/response", summary: "Response report: per severity and month, times to first update, identified and resolved against the targets; lapses, postmortems, action items, drills", query: ReportQuerySchema, success: 200, rules: [{ field: "from", rule: "Must not be after `to`, and at most 10 years before it." }] }, async (c) => {
    const query = validate(ReportQuerySchema, c.req.query(), "The query string is invalid.");
    const zone = config.page.timeZone;
    const now = clock.now().toISOString();
    const today = dayKey(now, zone);
    const to = query.to ?? today;
    const from = query.from ?? addDays(to, -(DEFAULT_DAYS - 1));
    if (from > to || from < addDays(to, -10 * 366)) {
      throw unprocessable("The report's window is invalid.", [{ field: "from", message: "Must not be after `to`, and at most 10 years before it." }]);
    }
    const { start, end } = reportBounds(from, to, zone);
    const rows = await reportIncidents(db.client, start, end, today);
    return c.json(responseReport(rows, { from, to, now, timeZone: zone }));
  });
  return routes;
}
