/** Scheduled maintenances: list, read, schedule, and post updates. */
import { z } from "zod";
import { MAINTENANCE_STATUSES } from "../../domain/lifecycle.ts";
import { LIMITS, RULES, componentId, componentStatuses, isoDateTime, multiLine, singleLine } from "../schemas.ts";
import { createMaintenance, postMaintenanceUpdate } from "../service/incidents.ts";
import { cancelMaintenance, changeMaintenance } from "../service/maintenances.ts";
import { addIncidentGetRoute, addIncidentListRoute, incidentChange, incidentJsonIn } from "./incident-json.ts";
import { idParam, ResourceRoutes, type RouteContext } from "./kit.ts";

export const NewMaintenanceSchema = z.strictObject({
  name: singleLine("name", LIMITS.name),
  body: multiLine("body", LIMITS.body),
  scheduled_for: isoDateTime,
  scheduled_until: isoDateTime,
  component_ids: z.array(componentId).max(LIMITS.componentsPerUpdate),
  deliver_notifications: z.boolean().optional(),
  /** Go in progress when the window opens (default true; Statuspage's name). */
  scheduled_auto_in_progress: z.boolean().optional(),
  /** Complete when the window closes (default true). */
  scheduled_auto_completed: z.boolean().optional(),
});

export const NewMaintenanceUpdateSchema = z.strictObject({
  status: z.enum(MAINTENANCE_STATUSES),
  body: multiLine("body", LIMITS.body),
  components: componentStatuses.optional(),
  deliver_notifications: z.boolean().optional(),
});

export const MaintenanceChangeSchema = z
  .strictObject({
    name: singleLine("name", LIMITS.name).optional(),
    scheduled_for: isoDateTime.optional().describe("A new start (only before it begins): the calendar's SEQUENCE grows."),
    scheduled_until: isoDateTime.optional().describe("A new end (until it completes)."),
    body: multiLine("body", LIMITS.body).optional().describe("Words for customers about the change, posted as an update."),
    deliver_notifications: z.boolean().optional(),
  })
  .refine((v) => v.name !== undefined || v.scheduled_for !== undefined || v.scheduled_until !== undefined, "Give name, scheduled_for or scheduled_until.")
  .meta({ anyOf: [{ required: ["name"] }, { required: ["scheduled_for"] }, { required: ["scheduled_until"] }] });

export const MaintenanceCancelSchema = z.strictObject({
  body: multiLine("body", LIMITS.body).optional().describe('Default: "This scheduled maintenance has been cancelled."'),
  deliver_notifications: z.boolean().optional(),
});

export function maintenanceRoutes(ctx: RouteContext): ResourceRoutes {
  const { write } = ctx;
  const routes = new ResourceRoutes();

  addIncidentListRoute(routes, ctx, "maintenance", "/maintenances", "List scheduled maintenances");
  addIncidentGetRoute(routes, ctx, "maintenance", "/maintenances/:id", "One scheduled maintenance");

  routes.add(
    { method: "post", path: "/maintenances", summary: "Schedule a maintenance", action: "maintenance:write", body: NewMaintenanceSchema, success: 201, rules: [
      { field: "scheduled_until", rule: "Must be later than scheduled_for." },
      { field: "component_ids", rule: "Each must be the id of an existing component." },
    ] },
    async (c, body, raw) =>
      write(c, raw, 201, incidentChange("maintenance"), async (w) => incidentJsonIn(ctx, w, await createMaintenance(w, body))),
  );

  routes.add(
    { method: "post", path: "/maintenances/:id/updates", summary: "Post an update to a maintenance", action: "maintenance:write", body: NewMaintenanceUpdateSchema, success: 201, rules: [RULES.components] },
    async (c, body, raw) => {
      const id = idParam(c, "maintenance");
      return write(c, raw, 201, incidentChange("maintenance"), async (w) => incidentJsonIn(ctx, w, (await postMaintenanceUpdate(w, id, body)).incident));
    },
  );

  routes.add(
    { method: "patch", path: "/maintenances/:id", summary: "Rename a maintenance or move its window (reschedule)", action: "maintenance:write", body: MaintenanceChangeSchema, success: 200, rules: [
      { field: "scheduled_until", rule: "Must be later than scheduled_for (the new one, or the stored one)." },
    ] },
    async (c, body, raw) => {
      const id = idParam(c, "maintenance");
      return write(c, raw, 200, incidentChange("maintenance"), async (w) => incidentJsonIn(ctx, w, await changeMaintenance(w, id, body)));
    },
  );

  routes.add(
    { method: "post", path: "/maintenances/:id/cancel", summary: "Cancel a maintenance that has not begun", action: "maintenance:write", body: MaintenanceCancelSchema, success: 200 },
    async (c, body, raw) => {
      const id = idParam(c, "maintenance");
      return write(c, raw, 200, incidentChange("maintenance"), async (w) => incidentJsonIn(ctx, w, await cancelMaintenance(w, id, body)));
    },
  );

  return routes;
}
