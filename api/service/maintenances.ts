/**
 * A scheduled maintenance's window moved or called off: the calendar (/maintenances.ics) keeps its
 * UID, its SEQUENCE grows with each move, and a cancelled one says STATUS:CANCELLED; the page,
 * feeds and subscribers hear of it when the comms lead writes words for it.
 */
import { insertAudit } from "../../db/queries/audit.ts";
import { getIncident, getIncidentRow, saveIncident } from "../../db/queries/incidents.ts";
import type { IncidentRecord } from "../../db/records.ts";
import { notFound, Problem, unprocessable } from "../problem.ts";
import type { WriteContext } from "./context.ts";
import { postUpdate } from "./incidents.ts";

export interface MaintenanceChange {
  name?: string | undefined;
  scheduled_for?: string | undefined;
  scheduled_until?: string | undefined;
  /** Words for customers about the change: posted as an update (mailed unless deliver_notifications is false). */
  body?: string | undefined;
  deliver_notifications?: boolean | undefined;
}

export interface MaintenanceCancellation {
  body?: string | undefined;
  deliver_notifications?: boolean | undefined;
}

export const CANCELLED_BODY = "This scheduled maintenance has been cancelled.";

const conflict = (detail: string) => new Problem(409, "Maintenance Cannot Change", detail);

/** Renames or moves a maintenance's window (its start only before it begins; its end until it completes). */
export async function changeMaintenance(ctx: WriteContext, id: string, change: MaintenanceChange): Promise<IncidentRecord> {
  const current = await getIncidentRow(ctx.tx, id, "maintenance");
  if (!current) throw notFound("maintenance", id);
  if (current.status === "completed") throw conflict(`Maintenance "${id}" is ${current.cancelledAt ? "cancelled" : "completed"}; schedule a new one instead.`);
  const scheduledFor = change.scheduled_for === undefined ? current.scheduledFor! : new Date(change.scheduled_for).toISOString();
  const scheduledUntil = change.scheduled_until === undefined ? current.scheduledUntil! : new Date(change.scheduled_until).toISOString();
  if (scheduledFor !== current.scheduledFor && current.status !== "scheduled") {
    throw conflict(`Maintenance "${id}" has begun; its start cannot move (its end can: give scheduled_until alone).`);
  }
  if (scheduledUntil <= scheduledFor) {
    throw unprocessable("The maintenance must end after it starts.", [{ field: "scheduled_until", message: "Must be later than scheduled_for." }]);
  }
  const moved = scheduledFor !== current.scheduledFor || scheduledUntil !== current.scheduledUntil;
  const row = {
    ...current,
    name: change.name ?? current.name,
    scheduledFor,
    scheduledUntil,
    scheduleSequence: (current.scheduleSequence ?? 0) + (moved ? 1 : 0),
    updatedAt: ctx.now,
  };
  await saveIncident(ctx.tx, row);
  if (change.body !== undefined) {
    await postUpdate(ctx, row, { status: current.status, body: change.body, deliver_notifications: change.deliver_notifications, reopened: false }, {});
  }
  await insertAudit(ctx.tx, {
    at: ctx.now, actor: ctx.actor, action: "maintenance.change", entityType: "maintenance", entityId: id,
    details: { ...change, previous: { name: current.name, scheduled_for: current.scheduledFor, scheduled_until: current.scheduledUntil } },
  });
  return (await getIncident(ctx.tx, id, "maintenance"))!;
}

/** Calls off a maintenance that has not begun: it is completed as cancelled, its components untouched. */
export async function cancelMaintenance(ctx: WriteContext, id: string, input: MaintenanceCancellation): Promise<IncidentRecord> {
  const current = await getIncidentRow(ctx.tx, id, "maintenance");
  if (!current) throw notFound("maintenance", id);
  if (current.status !== "scheduled") {
    throw conflict(current.status === "completed"
      ? `Maintenance "${id}" is already ${current.cancelledAt ? "cancelled" : "completed"}.`
      : `Maintenance "${id}" has begun; complete it instead (status completed).`);
  }
  const { incident } = await postUpdate(
    ctx,
    { ...current, cancelledAt: ctx.now, scheduleSequence: (current.scheduleSequence ?? 0) + 1 },
    { status: "completed", body: input.body ?? CANCELLED_BODY, deliver_notifications: input.deliver_notifications, reopened: false },
    {},
  );
  await insertAudit(ctx.tx, { at: ctx.now, actor: ctx.actor, action: "maintenance.cancel", entityType: "maintenance", entityId: id, details: input });
  return incident;
}
