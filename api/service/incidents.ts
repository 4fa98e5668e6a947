import { componentStatusForMaintenance, statusesAfterResolve, type ComponentStatus } from "../../domain/components.ts";
import { newId, newToken } from "../../domain/ids.ts";
import { numberYear, seriesOf } from "../../domain/incident-number.ts";
import { checkNextUpdateAt } from "../../domain/response.ts";
import {
  checkIncidentTransition,
  checkMaintenanceTransition,
  type IncidentStatus,
  type MaintenanceStatus,
  type TransitionCheck,
} from "../../domain/lifecycle.ts";
import { impactOf, type Severity } from "../../domain/severity.ts";
import { NOTICE_FIELDS, noticeSectionsRefusal, type NoticeSections } from "../../domain/notice.ts";
import { notFound, Problem, unprocessable } from "../problem.ts";
import { insertAudit } from "../../db/queries/audit.ts";
import {
  getIncident,
  getIncidentRow,
  insertIncident,
  insertUpdate,
  linkIncidentComponent,
  markPublished,
  nextIncidentNumber,
  reviseDraftUpdate,
  linkedComponentIds,
  nextUpdateSeq,
  saveIncident,
  type IncidentRow,
} from "../../db/queries/incidents.ts";
import { getComponentsByIds } from "../../db/queries/components.ts";
import type { IncidentKind, IncidentRecord, UpdateRecord } from "../../db/records.ts";
import { applyComponentStatuses } from "./components.ts";
import { setMaintenanceSchedule } from "../../db/queries/maintenance-schedule.ts";
import { getIncidentRoles, NO_ROLES, ROLE_FIELDS, saveIncidentRoles, type IncidentRoles, type RoleField } from "../../db/queries/internal.ts";
import type { IncidentChange, WriteContext } from "./context.ts";

/** The customer notice's sections (domain/notice.ts), on a resolving update only. */
export type NoticeInput = { [F in keyof NoticeSections]?: string | undefined };

/** The seed's roles and where the team meets: internal, never published. null clears one. */
export type RoleInput = { [F in RoleField]?: string | null | undefined };

export interface NewIncident extends RoleInput, NoticeInput {
  name: string;
  severity: Severity;
  body: string;
  status?: IncidentStatus | undefined;
  components?: Record<string, ComponentStatus> | undefined;
  deliver_notifications?: boolean | undefined;
  /** When it began, if before its declaration (ISO); defaults to now. */
  started_at?: string | undefined;
  /** When the next update is promised (ISO). */
  next_update_at?: string | undefined;
  /** A practice incident: see `drill` in db/records.ts. */
  drill?: boolean | undefined;
  /** The template it was declared from (recorded in the audit log). */
  template?: string | undefined;
  /** Opened by an alert rule as a draft (api/service/alerts.ts): never public until published. Not an API field. */
  draft?: { rule: string } | undefined;
}

/** POST /incidents/:id/publish: a comms lead's approval of a draft, optionally with its words edited. */
export interface DraftPublication {
  name?: string | undefined;
  severity?: Severity | undefined;
  /** The words customers first read (replaces the draft's newest update's). */
  body?: string | undefined;
  deliver_notifications?: boolean | undefined;
}

export interface NewIncidentUpdate extends NoticeInput {
  status: IncidentStatus;
  body: string;
  components?: Record<string, ComponentStatus> | undefined;
  deliver_notifications?: boolean | undefined;
  /** Required to move a resolved incident back to an open status. */
  reopen?: boolean | undefined;
  next_update_at?: string | undefined;
}

export interface IncidentPatch extends RoleInput {
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
  scheduled_auto_in_progress?: boolean | undefined;
  scheduled_auto_completed?: boolean | undefined;
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

export async function postUpdate(
  ctx: WriteContext,
  incident: IncidentRow,
  input: {
    status: UpdateRecord["status"];
    body: string;
    deliver_notifications?: boolean | undefined;
    reopened: boolean;
    next_update_at?: string | undefined;
  } & NoticeInput,
  componentStatuses: Readonly<Record<string, ComponentStatus>>,
): Promise<{ incident: IncidentRecord; update: UpdateRecord }> {
  const nextUpdateAt = promisedNextUpdate(ctx, input.status, input.next_update_at);
  const notice = noticeSections(incident.kind, input);
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
    nextUpdateAt,
    notice,
  });
  // A drill may name components (to rehearse), but never changes their real status; a draft
  // records what its alert did (automation moved the components itself).
  const source = ctx.statusSource ?? (incident.kind === "maintenance" ? "maintenance" : "person");
  await applyComponentStatuses(ctx, incident.id, updateId, componentStatuses, { practice: incident.drill === true || incident.draft === true, source });
  await saveIncident(ctx.tx, stampStatus(incident, input.status, ctx.now, input.reopened));
  const record = (await getIncident(ctx.tx, incident.id, incident.kind))!;
  const update = record.updates.find((u) => u.id === updateId)!;
  await ctx.hooks.updatePosted?.(ctx, record, update);
  return { incident: record, update };
}

/** A promised next update as stored (ISO UTC), or a 422 when it is in the past, too far ahead, or on a resolution. */
function promisedNextUpdate(ctx: WriteContext, status: string, nextUpdateAt: string | undefined): string | null {
  if (nextUpdateAt === undefined) return null;
  const at = new Date(nextUpdateAt).toISOString();
  const why = status === "resolved" ? "A resolved incident promises no next update." : checkNextUpdateAt(at, ctx.now);
  if (why) throw unprocessable(why, [{ field: "next_update_at", message: why }]);
  return at;
}

/** The customer notice's sections an update carries, or a 422 when its status cannot carry them. */
function noticeSections(kind: IncidentKind, input: { status: string } & NoticeInput): NoticeSections | null {
  const given: NoticeSections = {};
  for (const field of NOTICE_FIELDS) if (input[field] !== undefined) given[field] = input[field];
  const why = noticeSectionsRefusal(given, kind, input.status);
  if (why) throw unprocessable(why, NOTICE_FIELDS.filter((f) => given[f] !== undefined).map((field) => ({ field, message: why })));
  return Object.keys(given).length > 0 ? given : null;
}

function startedAt(ctx: WriteContext, given: string | undefined): string {
  if (given === undefined) return ctx.now;
  const at = new Date(given).toISOString();
  if (at > ctx.now) throw unprocessable("An incident cannot start in the future.", [{ field: "started_at", message: "Must not be later than now." }]);
  return at;
}

/** The roles an input names, merged over `current`; null for the fields it clears. */
function mergeRoles(current: IncidentRoles, input: RoleInput): { roles: IncidentRoles; changed: RoleField[] } {
  const roles = { ...current };
  const changed: RoleField[] = [];
  for (const field of ROLE_FIELDS) {
    const value = input[field];
    if (value === undefined || value === current[field]) continue;
    roles[field] = value;
    changed.push(field);
  }
  return { roles, changed };
}

async function incidentChanged(ctx: WriteContext, incident: IncidentRecord, change: IncidentChange): Promise<void> {
  await ctx.hooks.incidentChanged?.(ctx, incident, change);
}

export async function createIncident(ctx: WriteContext, input: NewIncident): Promise<IncidentRecord> {
  const status = input.status ?? "investigating";
  const drill = input.drill === true;
  const row: IncidentRow = {
    id: newId(),
    kind: "incident",
    name: input.name,
    status,
    severity: input.severity,
    impact: impactOf(input.severity),
    createdAt: ctx.now,
    updatedAt: ctx.now,
    startedAt: startedAt(ctx, input.started_at),
    identifiedAt: null,
    monitoringAt: null,
    resolvedAt: null,
    scheduledFor: null,
    scheduledUntil: null,
    drill,
    previewToken: drill ? newToken() : null,
    draft: input.draft !== undefined,
  };
  const series = seriesOf(row);
  const year = numberYear(ctx.now, ctx.timeZone ?? "Etc/UTC");
  row.number = { series, year, number: await nextIncidentNumber(ctx.tx, series, year) };
  await insertIncident(ctx.tx, row);
  const { roles, changed } = mergeRoles(NO_ROLES, input);
  if (changed.length > 0) await saveIncidentRoles(ctx.tx, row.id, roles, ctx.now);
  const { incident, update } = await postUpdate(ctx, row, { ...input, status, reopened: false }, input.components ?? {});
  await insertAudit(ctx.tx, { at: ctx.now, actor: ctx.actor, action: drill ? "drill.create" : input.draft ? "incident.draft" : "incident.create", entityType: "incident", entityId: row.id, details: input });
  await incidentChanged(ctx, incident, { kind: "created", update });
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
  const kind = check.reopened ? "reopened" : input.status === "resolved" ? "resolved" : "updated";
  await incidentChanged(ctx, result.incident, { kind, update: result.update });
  return result;
}

/**
 * Publishes a draft: from now on it is an incident like any other — on the page, feeds and JSON —
 * and its newest update (with the edited words, stamped now: when customers were told) goes to
 * subscribers and webhooks as a new incident's first word would.
 */
export async function publishIncident(ctx: WriteContext, id: string, input: DraftPublication): Promise<IncidentRecord> {
  const current = await getIncidentRow(ctx.tx, id, "incident");
  if (!current) throw notFound("incident", id);
  if (!current.draft) {
    throw new Problem(409, "Not A Draft", `Incident "${id}" is already public; post an update instead (POST /api/v1/incidents/${id}/updates).`);
  }
  const severity = input.severity ?? current.severity!;
  await saveIncident(ctx.tx, { ...current, name: input.name ?? current.name, severity, impact: impactOf(severity), updatedAt: ctx.now });
  const draft = (await getIncident(ctx.tx, id, "incident"))!;
  const newest = draft.updates[0]!;
  await reviseDraftUpdate(ctx.tx, newest.id, { body: input.body ?? newest.body, at: ctx.now, deliverNotifications: input.deliver_notifications ?? newest.deliverNotifications });
  await markPublished(ctx.tx, id, ctx.now);
  const incident = (await getIncident(ctx.tx, id, "incident"))!;
  const update = incident.updates.find((u) => u.id === newest.id)!;
  await ctx.hooks.updatePosted?.(ctx, incident, update);
  await insertAudit(ctx.tx, { at: ctx.now, actor: ctx.actor, action: "incident.publish", entityType: "incident", entityId: id, details: { ...input, update_id: update.id } });
  await incidentChanged(ctx, incident, { kind: "published", update });
  return incident;
}

export async function patchIncident(ctx: WriteContext, id: string, patch: IncidentPatch): Promise<IncidentRecord> {
  const current = await getIncidentRow(ctx.tx, id, "incident");
  if (!current) throw notFound("incident", id);
  const severity = patch.severity ?? current.severity!;
  const name = patch.name ?? current.name;
  const previousRoles = await getIncidentRoles(ctx.tx, id);
  const { roles, changed } = mergeRoles(previousRoles, patch);
  const fields: string[] = [...(name !== current.name ? ["name"] : []), ...(severity !== current.severity ? ["severity"] : []), ...changed];
  await saveIncident(ctx.tx, { ...current, name, severity, impact: impactOf(severity), updatedAt: ctx.now });
  if (changed.length > 0) await saveIncidentRoles(ctx.tx, id, roles, ctx.now);
  await insertAudit(ctx.tx, {
    at: ctx.now, actor: ctx.actor, action: "incident.patch", entityType: "incident", entityId: id,
    details: { ...patch, previous: { name: current.name, severity: current.severity, ...previousRoles } },
  });
  const incident = (await getIncident(ctx.tx, id, "incident"))!;
  // Saying nothing new (the same values again) is not news for the internal channel.
  if (fields.length > 0) await incidentChanged(ctx, incident, { kind: "patched", fields });
  return incident;
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
  await setMaintenanceSchedule(ctx.tx, row.id, input.scheduled_auto_in_progress ?? true, input.scheduled_auto_completed ?? true);
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
