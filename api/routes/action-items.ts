/**
 * Postmortem follow-through (the seed: "track action items … report progress"): the action items
 * of every postmortem in one list, and marking one done. An item is named by its incident (id or
 * number) and its place in that postmortem's list: `INC-2026-001.2`.
 */
import { z } from "zod";
import { getActionItem, listActionItems, type TrackedActionItem } from "../../db/queries/postmortems.ts";
import { formatIncidentNumber } from "../../domain/incident-number.ts";
import { dayKey } from "../../domain/time.ts";
import { validate } from "../http/body.ts";
import { notFound } from "../problem.ts";
import { markActionItem } from "../service/postmortems.ts";
import { incidentIdParam, ResourceRoutes, type RouteContext } from "./kit.ts";

const ActionItemQuerySchema = z.strictObject({
  status: z.enum(["open", "overdue", "done", "all"]).optional().describe("open (default): not done; overdue: not done and due before today (page's zone)."),
});

export const ActionItemPatchSchema = z.strictObject({
  done: z.boolean().describe("true: done; false: open again."),
});

export function actionItemJson(item: TrackedActionItem, today: string): Record<string, unknown> {
  const number = item.incidentNumber ? formatIncidentNumber(item.incidentNumber) : null;
  return {
    id: `${number ?? item.incidentId}.${item.position}`,
    incident_id: item.incidentId,
    incident_number: number,
    incident_name: item.incidentName,
    position: item.position,
    description: item.description,
    owner: item.owner,
    due_date: item.dueDate,
    done: item.done,
    overdue: !item.done && item.dueDate !== null && item.dueDate < today,
  };
}

export function actionItemRoutes({ db, clock, config, write }: RouteContext): ResourceRoutes {
  const routes = new ResourceRoutes();
  const today = () => dayKey(clock.now().toISOString(), config.page.timeZone);

  routes.add({ method: "get", path: "/action-items", summary: "Postmortem action items across incidents, by due date", query: ActionItemQuerySchema, success: 200, returns: "array" }, async (c) => {
    const query = validate(ActionItemQuerySchema, c.req.query(), "The query string is invalid.");
    const day = today();
    return c.json((await listActionItems(db.client, query.status ?? "open", day)).map((item) => actionItemJson(item, day)));
  });

  routes.add(
    { method: "patch", path: "/incidents/:id/action-items/:position", summary: "Mark a postmortem action item done (or open again)", action: "postmortem:write", body: ActionItemPatchSchema, success: 200 },
    async (c, body, raw) => {
      const id = await incidentIdParam(c, db.client, "incident");
      const position = Number(c.req.param("position"));
      if (!Number.isInteger(position) || position < 1 || position > 10_000) throw notFound("action item", c.req.param("position") ?? "");
      return write(c, raw, 200, (r) => ({ type: "incident", id: (r as { incident_id: string }).incident_id }), async (ctx) => {
        await markActionItem(ctx, id, position, body.done);
        return actionItemJson((await getActionItem(ctx.tx, id, position))!, today());
      });
    },
  );

  return routes;
}
