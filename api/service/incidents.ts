import { componentStatusForMaintenance, statusesAfterResolve, type ComponentStatus } from "../domain/components.ts";
import { newId } from "../domain/ids.ts";
import {
  checkIncidentTransition,
  checkMaintenanceTransition,
  type IncidentStatus,
  type MaintenanceStatus,
  type TransitionCheck,
} from "../domain/lifecycle.ts";
import { impactOf, type Severity } from "../domain/severity.ts";
import { notFound, Problem, unprocessable } from "../problem.ts";
import { insertAudit } from "../../db/queries/audit.ts";
import {
  getIncident,
  getIncidentRow,
  insertIncident,
  insertUpdate,
  linkIncidentComponent,
  linkedComponentIds,
  nextUpdateSeq,
  saveIncident,
  type IncidentRow,
} from "../../db/queries/incidents.ts";
import { getComponentsByIds } from "../../db/queries/components.ts";
import type { IncidentKind, IncidentRecord, UpdateRecord } from "../../db/records.ts";
import { applyComponentStatuses } from "./components.ts";
import type { WriteContext } from "./context.ts";

export interface NewIncident {
  name: string;
  severity: Severity;
  body: string;
  status?: IncidentStatus | undefined;
  components?: Record<string, ComponentStatus> | undefined;
  deliver_notifications?: boolean | undefined;
  /** The template it was declared from (recorded in the audit log). */
  template?: string | undefined;
}

export interface NewIncidentUpdate {
  status: IncidentStatus;
  body: string;
  components?: Record<string, ComponentStatus> | undefined;
  deliver_notifications?: boolean | undefined;
  /** Required to move a resolved incident back to an open status. */
  reopen?: boolean | undefined;
}

export interface IncidentPatch {
  name?: string | undefined;
  severity?: Severity | undefined;
}

export interface NewMaintenance {
  name: string;
  body: string;
  scheduled_for: string;
  scheduled_until: string;
  component_ids: string[];
  deliver_notifications?: boolean | undefined;
}

export interface NewMaintenanceUpdate {
  status: MaintenanceStatus;
  body: string;
  components?: Record<string, ComponentStatus> | undefined;
  deliver_notifications?: boolean | undefined;
}

/** Sets the lifecycle timestamps a status implies (Statuspage's identified/monitoring/resolved_at). */
function stampStatus(row: IncidentRow, status: IncidentRow["status"], now: string, reopened: boolean): IncidentRow {
  const next = { ...row, status, updatedAt: now };
  if (reopened) next.resolvedAt = null;
  if (status === "identified" && !next.identifiedAt) next.identifiedAt = now;
  if (status === "monitoring" || status === "verifying") next.monitoringAt ??= now;
  if ((status === "resolved" || status === "completed") && !next.resolvedAt) next.resolvedAt = now;
  return next;
}

function refuseTransition(kind: IncidentKind, check: Extract<TransitionCheck, { ok: false }>): Problem {
  return new Problem(409, "Illegal Status Transition", check.message, {
    errors: [{ field: "status", message: check.message }],
    extra: { allowed: check.allowed, kind },
  });
}

async function postUpdate(
  ctx: WriteContext,
  incident: IncidentRow,
  input: { status: UpdateRecord["status"]; body: string; deliver_notifications?: boolean | undefined; reopened: boolean },
  componentStatuses: Readonly<Record<string, ComponentStatus>>,
): Promise<{ incident: IncidentRecord; update: UpdateRecord }> {
  const updateId = newId();
  await insertUpdate(ctx.tx, {
    id: updateId,
    incidentId: incident.id,
    seq: await nextUpdateSeq(ctx.tx, incident.id),
    status: input.status,
    body: input.body,
    author: ctx.actor.name,
    deliverNotifications: input.deliver_notifications ?? true,
    reopened: input.reopened,
    createdAt: ctx.now,
    displayAt: ctx.now,
  });
  await applyComponentStatuses(ctx, incident.id, updateId, componentStatuses);
  await saveIncident(ctx.tx, stampStatus(incident, input.status, ctx.now, input.reopened));
  const record = (await getIncident(ctx.tx, incident.id, incident.kind))!;
  const update = record.updates.find((u) => u.id === updateId)!;
  await ctx.hooks.updatePosted?.(ctx, record, update);
  return { incident: record, update };
}

export async function createIncident(ctx: WriteContext, input: NewIncident): Promise<IncidentRecord> {
  const status = input.status ?? "investigating";
  const row: IncidentRow = {
    id: newId(),
    kind: "incident",
    name: input.name,
    status,
    severity: input.severity,
    impact: impactOf(input.severity),
    createdAt: ctx.now,
    updatedAt: ctx.now,
    startedAt: ctx.now,
    identifiedAt: null,
    monitoringAt: null,
    resolvedAt: null,
    scheduledFor: null,
    scheduledUntil: null,
  };
  await insertIncident(ctx.tx, row);
  const { incident } = await postUpdate(ctx, row, { ...input, status, reopened: false }, input.components ?? {});
  await insertAudit(ctx.tx, { at: ctx.now, actor: ctx.actor, action: "incident.create", entityType: "incident", entityId: row.id, details: input });
  return incident;
}

export async function postIncidentUpdate(ctx: WriteContext, id: string, input: NewIncidentUpdate): Promise<{ incident: IncidentRecord; update: UpdateRecord }> {
  const current = await getIncidentRow(ctx.tx, id, "incident");
  if (!current) throw notFound("incident", id);
  const check = checkIncidentTransition(current.status as IncidentStatus, input.status, { reopen: input.reopen ?? false });
  if (!check.ok) throw refuseTransition("incident", check);
  let statuses: Record<string, ComponentStatus> = input.components ?? {};
  if (input.status === "resolved" && current.status !== "resolved") {
    statuses = statusesAfterResolve(await linkedComponentIds(ctx.tx, id), statuses);
  }
  const result = await postUpdate(ctx, current, { ...input, reopened: check.reopened }, statuses);
  await insertAudit(ctx.tx, {
    at: ctx.now, actor: ctx.actor, action: check.reopened ? "incident.reopen" : "incident.update",
    entityType: "incident", entityId: id, details: { ...input, update_id: result.update.id },
  });
  return result;
}

export async function patchIncident(ctx: WriteContext, id: string, patch: IncidentPatch): Promise<IncidentRecord> {
  const current = await getIncidentRow(ctx.tx, id, "incident");
  if (!current) throw notFound("incident", id);
  const severity = patch.severity ?? current.severity!;
  await saveIncident(ctx.tx, { ...current, name: patch.name ?? current.name, severity, impact: impactOf(severity), updatedAt: ctx.now });
  await insertAudit(ctx.tx, { at: ctx.now, actor: ctx.actor, action: "incident.patch", entityType: "incident", entityId: id, details: { ...patch, previous: { name: current.name, severity: current.severity } } });
  return (await getIncident(ctx.tx, id, "incident"))!;
}

export async function createMaintenance(ctx: WriteContext, input: NewMaintenance): Promise<IncidentRecord> {
  const scheduledFor = new Date(input.scheduled_for).toISOString();
  const scheduledUntil = new Date(input.scheduled_until).toISOString();
  if (scheduledUntil <= scheduledFor) {
    throw unprocessable("The maintenance must end after it starts.", [{ field: "scheduled_until", message: "Must be later than scheduled_for." }]);
  }
  const ids = [...new Set(input.component_ids)];
  const found = await getComponentsByIds(ctx.tx, ids);
  const missing = ids.filter((id) => !found.some((c) => c.id === id && !c.isGroup));
  if (missing.length > 0) {
    throw unprocessable("Unknown components.", missing.map((id) => ({ field: "component_ids", message: `No component with id "${id}".` })));
  }
  const row: IncidentRow = {
    id: newId(),
    kind: "maintenance",
    name: input.name,
    status: "scheduled",
    severity: null,
    impact: "maintenance",
    createdAt: ctx.now,
    updatedAt: ctx.now,
    startedAt: ctx.now,
    identifiedAt: null,
    monitoringAt: null,
    resolvedAt: null,
    scheduledFor,
    scheduledUntil,
  };
  await insertIncident(ctx.tx, row);
  for (const id of ids) await linkIncidentComponent(ctx.tx, row.id, id);
  const { incident } = await postUpdate(ctx, row, { status: "scheduled", body: input.body, deliver_notifications: input.deliver_notifications, reopened: false }, {});
  await insertAudit(ctx.tx, { at: ctx.now, actor: ctx.actor, action: "maintenance.create", entityType: "maintenance", entityId: row.id, details: input });
  return incident;
}

export async function postMaintenanceUpdate(ctx: WriteContext, id: string, input: NewMaintenanceUpdate): Promise<{ incident: IncidentRecord; update: UpdateRecord }> {
  const current = await getIncidentRow(ctx.tx, id, "maintenance");
  if (!current) throw notFound("maintenance", id);
  const check = checkMaintenanceTransition(current.status as MaintenanceStatus, input.status);
  if (!check.ok) throw refuseTransition("maintenance", check);
  // Starting work puts the maintained components under maintenance and completing it gives them back,
  // unless the update names their status itself.
  const implied = current.status === input.status ? null : componentStatusForMaintenance(input.status);
  const statuses: Record<string, ComponentStatus> = {};
  if (implied) {
    for (const componentId of await linkedComponentIds(ctx.tx, id)) statuses[componentId] = implied;
  }
  Object.assign(statuses, input.components ?? {});
  const result = await postUpdate(ctx, current, { ...input, reopened: false }, statuses);
  await insertAudit(ctx.tx, { at: ctx.now, actor: ctx.actor, action: "maintenance.update", entityType: "maintenance", entityId: id, details: { ...input, update_id: result.update.id } });
  return result;
}
