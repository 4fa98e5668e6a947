import type { StatusSource } from "../../domain/alerts.ts";
import { groupStatus, type ComponentStatus } from "../../domain/components.ts";
import { newId } from "../../domain/ids.ts";
import { notFound, unprocessable, type FieldError } from "../problem.ts";
import { insertAudit } from "../../db/queries/audit.ts";
import {
  findGroupByName,
  getComponent,
  getComponentsByIds,
  insertComponent,
  listComponents,
  nextPosition,
  recordStatusChange,
  saveComponent,
} from "../../db/queries/components.ts";
import { insertUpdateComponent, linkIncidentComponent } from "../../db/queries/incidents.ts";
import type { Executor } from "../../db/database.ts";
import type { AffectedComponentRecord, ComponentRecord } from "../../db/records.ts";
import type { WriteContext } from "./context.ts";

export interface NewComponent {
  name: string;
  description?: string | null | undefined;
  group?: string | undefined;
  group_id?: string | null | undefined;
  position?: number | undefined;
  status?: ComponentStatus | undefined;
  showcase?: boolean | undefined;
  only_show_if_degraded?: boolean | undefined;
  start_date?: string | null | undefined;
}

export type ComponentPatch = Partial<Omit<NewComponent, "group">>;

/** A component as the API shows it: a group's status is its most degraded child's. */
export interface ComponentView extends ComponentRecord {
  childIds: string[];
}

export function viewComponents(records: readonly ComponentRecord[]): ComponentView[] {
  const children = new Map<string, ComponentRecord[]>();
  for (const c of records) {
    if (c.groupId) children.set(c.groupId, [...(children.get(c.groupId) ?? []), c]);
  }
  return records.map((c) => {
    const kids = c.isGroup ? (children.get(c.id) ?? []) : [];
    return {
      ...c,
      status: c.isGroup ? groupStatus(kids.map((k) => k.status)) : c.status,
      childIds: kids.map((k) => k.id),
    };
  });
}

export async function listComponentViews(ex: Executor): Promise<ComponentView[]> {
  return viewComponents(await listComponents(ex));
}

export async function getComponentView(ex: Executor, id: string): Promise<ComponentView> {
  const view = (await listComponentViews(ex)).find((c) => c.id === id);
  if (!view) throw notFound("component", id);
  return view;
}

async function resolveGroup(ctx: WriteContext, input: { group?: string | undefined; group_id?: string | null | undefined }): Promise<string | null> {
  if (input.group_id) {
    const group = await getComponent(ctx.tx, input.group_id);
    if (!group || !group.isGroup) {
      throw unprocessable("Unknown group.", [{ field: "group_id", message: `No component group with id "${input.group_id}".` }]);
    }
    return group.id;
  }
  if (input.group === undefined) return null;
  const existing = await findGroupByName(ctx.tx, input.group);
  if (existing) return existing.id;
  // Naming a group that does not exist yet creates it: the comms lead thinks in names.
  const group: ComponentRecord = {
    id: newId(),
    name: input.group,
    description: null,
    isGroup: true,
    groupId: null,
    position: await nextPosition(ctx.tx, null),
    status: "operational",
    showcase: true,
    onlyShowIfDegraded: false,
    startDate: null,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  await insertComponent(ctx.tx, group);
  await insertAudit(ctx.tx, { at: ctx.now, actor: ctx.actor, action: "component_group.create", entityType: "component", entityId: group.id, details: { name: group.name } });
  return group.id;
}

export async function createComponent(ctx: WriteContext, input: NewComponent): Promise<ComponentView> {
  if (input.group !== undefined && input.group_id) {
    throw unprocessable("Give either group or group_id, not both.", [{ field: "group", message: "Conflicts with group_id." }]);
  }
  const groupId = await resolveGroup(ctx, input);
  const component: ComponentRecord = {
    id: newId(),
    name: input.name,
    description: input.description ?? null,
    isGroup: false,
    groupId,
    position: input.position ?? (await nextPosition(ctx.tx, groupId)),
    status: input.status ?? "operational",
    showcase: input.showcase ?? true,
    onlyShowIfDegraded: input.only_show_if_degraded ?? false,
    startDate: input.start_date ?? null,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  await insertComponent(ctx.tx, component);
  // The first status is history too: uptime starts counting when the component appears.
  await recordStatusChange(ctx.tx, { componentId: component.id, oldStatus: null, newStatus: component.status, at: ctx.now, updateId: null, sourceName: ctx.actor.name });
  await insertAudit(ctx.tx, { at: ctx.now, actor: ctx.actor, action: "component.create", entityType: "component", entityId: component.id, details: input });
  return getComponentView(ctx.tx, component.id);
}

export async function updateComponent(ctx: WriteContext, id: string, patch: ComponentPatch): Promise<ComponentView> {
  const current = await getComponent(ctx.tx, id);
  if (!current) throw notFound("component", id);
  const errors: FieldError[] = [];
  if (current.isGroup && patch.status !== undefined) {
    errors.push({ field: "status", message: "A group's status is its most degraded child's; set the status of its components." });
  }
  if (current.isGroup && patch.group_id) {
    errors.push({ field: "group_id", message: "Groups cannot be nested (two levels at most)." });
  }
  if (errors.length > 0) throw unprocessable("This change cannot apply to a component group.", errors);
  const groupId = patch.group_id === undefined ? current.groupId : await resolveGroup(ctx, { group_id: patch.group_id });
  const next: ComponentRecord = {
    ...current,
    name: patch.name ?? current.name,
    description: patch.description === undefined ? current.description : patch.description,
    groupId,
    position: patch.position ?? current.position,
    status: patch.status ?? current.status,
    showcase: patch.showcase ?? current.showcase,
    onlyShowIfDegraded: patch.only_show_if_degraded ?? current.onlyShowIfDegraded,
    startDate: patch.start_date === undefined ? current.startDate : patch.start_date,
    updatedAt: ctx.now,
  };
  await saveComponent(ctx.tx, next);
  if (next.status !== current.status) await statusChanged(ctx, next, current.status, null, null);
  await insertAudit(ctx.tx, { at: ctx.now, actor: ctx.actor, action: "component.update", entityType: "component", entityId: id, details: patch });
  return getComponentView(ctx.tx, id);
}

/**
 * Records a status change in the history (uptime; who set it) and tells the hooks (webhooks),
 * inside the write. The source defaults to a person: the actor.
 */
async function statusChanged(
  ctx: WriteContext, component: ComponentRecord, oldStatus: ComponentStatus, incidentId: string | null, updateId: string | null,
  source: { source: StatusSource; name: string } = { source: "person", name: ctx.actor.name },
): Promise<void> {
  await recordStatusChange(ctx.tx, { componentId: component.id, oldStatus, newStatus: component.status, at: ctx.now, updateId, source: source.source, sourceName: source.name });
  await ctx.hooks.componentStatusChanged?.(ctx, { component, oldStatus, incidentId, updateId });
}

/** Automation (an alert) moves a component: recorded with the rule's name, never as a person's word. */
export async function setStatusByAutomation(ctx: WriteContext, component: ComponentRecord, status: ComponentStatus, ruleName: string): Promise<ComponentRecord> {
  const changed = { ...component, status, updatedAt: ctx.now };
  await saveComponent(ctx.tx, changed);
  await statusChanged(ctx, changed, component.status, null, null, { source: "automation", name: ruleName });
  await insertAudit(ctx.tx, { at: ctx.now, actor: ctx.actor, action: "component.automation", entityType: "component", entityId: component.id, details: { status, old_status: component.status, rule: ruleName } });
  return changed;
}

/**
 * The components with these ids, refusing (422, one error per id as `components.<id>`) ids that
 * are unknown or name a group: statuses are set on leaf components only.
 */
export async function requireLeafComponents(ex: Executor, ids: readonly string[], detail: string): Promise<Map<string, ComponentRecord>> {
  const found = new Map((await getComponentsByIds(ex, ids)).map((c) => [c.id, c]));
  const errors: FieldError[] = [];
  for (const id of ids) {
    const component = found.get(id);
    if (!component) errors.push({ field: `components.${id}`, message: `No component with id "${id}".` });
    else if (component.isGroup) errors.push({ field: `components.${id}`, message: `"${component.name}" is a group; name its components instead.` });
  }
  if (errors.length > 0) throw unprocessable(detail, errors);
  return found;
}

/**
 * Applies the component statuses an incident or maintenance update names, records each change
 * in the status history and on the update, and links the components to the incident.
 */
export async function applyComponentStatuses(
  ctx: WriteContext,
  incidentId: string,
  updateId: string,
  statuses: Readonly<Record<string, ComponentStatus>>,
  /**
   * practice: a drill's update — recorded on the update, the real status is left alone.
   * source: who the history names (default a person; a maintenance's updates, the schedule).
   */
  options: { practice?: boolean; source?: StatusSource } = {},
): Promise<AffectedComponentRecord[]> {
  const ids = Object.keys(statuses);
  const found = await requireLeafComponents(ctx.tx, ids, "Some components cannot be updated.");

  const affected: AffectedComponentRecord[] = [];
  for (const id of ids) {
    const component = found.get(id)!;
    const newStatus = statuses[id]!;
    affected.push({ componentId: id, name: component.name, oldStatus: component.status, newStatus });
    await insertUpdateComponent(ctx.tx, updateId, affected[affected.length - 1]!);
    await linkIncidentComponent(ctx.tx, incidentId, id);
    if (newStatus !== component.status && !options.practice) {
      const changed = { ...component, status: newStatus, updatedAt: ctx.now };
      await saveComponent(ctx.tx, changed);
      await statusChanged(ctx, changed, component.status, incidentId, updateId, { source: options.source ?? "person", name: ctx.actor.name });
    }
  }
  return affected;
}
