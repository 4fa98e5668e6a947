/** Components and groups: GET/POST /components, PATCH /components/:id. */
import { z } from "zod";
import { LIMITS, componentId, componentStatus, multiLine, singleLine } from "../schemas.ts";
import { componentJson } from "../serialize.ts";
import { componentStatusHistory } from "../../db/queries/components.ts";
import { createComponent, getComponentView, listComponentViews, updateComponent } from "../service/components.ts";
import { idParam, ResourceRoutes, type RouteContext } from "./kit.ts";

const position = z.int().min(1).max(1_000_000);

export const NewComponentSchema = z.strictObject({
  name: singleLine("name", LIMITS.name),
  description: multiLine("description", LIMITS.description).nullable().optional(),
  group: singleLine("group", LIMITS.name).optional().describe("Name of the group to put the component in; created if missing."),
  group_id: componentId.nullable().optional().describe("Id of an existing group."),
  position: position.optional(),
  status: componentStatus.optional(),
  showcase: z.boolean().optional().describe("Show the 90-day uptime bar."),
  only_show_if_degraded: z.boolean().optional(),
  start_date: z.iso.date().nullable().optional(),
});

const groupRules = [
  { field: "group_id", rule: "Must be the id of an existing component group." },
  { field: "group", rule: "Give either group or group_id, not both." },
] as const;

export const ComponentPatchSchema = z.strictObject({
  name: singleLine("name", LIMITS.name).optional(),
  description: multiLine("description", LIMITS.description).nullable().optional(),
  group_id: componentId.nullable().optional(),
  position: position.optional(),
  status: componentStatus.optional(),
  showcase: z.boolean().optional(),
  only_show_if_degraded: z.boolean().optional(),
  start_date: z.iso.date().nullable().optional(),
}).meta({ minProperties: 1 });

export function componentRoutes({ db, page, write }: RouteContext): ResourceRoutes {
  const routes = new ResourceRoutes();

  routes.add({ method: "get", path: "/components", summary: "List components and groups", success: 200, returns: "array" }, async (c) => {
    const views = await listComponentViews(db.client);
    return c.json(views.map((v) => componentJson(v, page)));
  });

  routes.add({ method: "get", path: "/components/:id/history", summary: "A component's status history, newest first, with who set each status", success: 200, returns: "array" }, async (c) => {
    const id = idParam(c, "component");
    await getComponentView(db.client, id);
    const history = await componentStatusHistory(db.client, id, 200);
    return c.json(
      history.map((h) => ({ old_status: h.oldStatus, new_status: h.newStatus, changed_at: h.changedAt, source: h.source, source_name: h.sourceName, incident_update_id: h.updateId })),
    );
  });

  routes.add(
    { method: "post", path: "/components", summary: "Create a component", action: "component:write", body: NewComponentSchema, success: 201, rules: groupRules },
    async (c, body, raw) =>
      write(c, raw, 201, (r) => ({ type: "component", id: (r as { id: string }).id }), async (ctx) => {
        return componentJson(await createComponent(ctx, body), page);
      }),
  );

  routes.add(
    { method: "patch", path: "/components/:id", summary: "Change a component", action: "component:write", body: ComponentPatchSchema, success: 200, rules: [...groupRules, { field: "status", rule: "A group's status is its most degraded child's; it cannot be set." }, { field: "group_id", rule: "Groups do not nest: a group cannot join a group, nor a component a group that is itself in one." }] },
    async (c, body, raw) => {
      const id = idParam(c, "component");
      return write(c, raw, 200, () => ({ type: "component", id }), async (ctx) => {
        return componentJson(await updateComponent(ctx, id, body), page);
      });
    },
  );

  return routes;
}
