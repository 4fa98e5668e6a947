import { checkPublish, postmortemText } from "../../domain/postmortem.ts";
import { notFound, Problem } from "../problem.ts";
import { postmortemDraft, promptsLeft } from "../../templates/postmortem-draft.ts";
import { listComponentViews } from "./components.ts";
import type { IncidentRecord } from "../../db/records.ts";
import { insertAudit } from "../../db/queries/audit.ts";
import { getIncident, getIncidentRow, relatedIncidents, saveIncident, type IncidentRow } from "../../db/queries/incidents.ts";
import { getPostmortem, markPostmortemPublished, savePostmortem, setActionItemDone } from "../../db/queries/postmortems.ts";
import type { Executor } from "../../db/database.ts";
import type { ActionItemRecord, PostmortemRecord } from "../../db/records.ts";
import type { WriteContext } from "./context.ts";

export interface PostmortemInput {
  body: string;
  /** Replaces the whole list when given. */
  action_items?: { description: string; owner?: string | null | undefined; due_date?: string | null | undefined; done?: boolean | undefined }[] | undefined;
}

export interface PublishInput {
  notify_subscribers?: boolean | undefined;
  /** Publish even though the template's prompts are still in it. */
  force?: boolean | undefined;
}

/** How the page shows postmortems (POSTMORTEM_SHOW_OWNERS): the mailed text says the same. */
export interface PublishOptions {
  showOwners: boolean;
}

/**
 * The incident a postmortem belongs to. Maintenances have none: their ids are "not found" here,
 * as on every /incidents/:id route, with a detail that says why.
 */
export async function postmortemIncident(ex: Executor, id: string): Promise<IncidentRow> {
  const row = await getIncidentRow(ex, id, "incident");
  if (row) return row;
  if (await getIncidentRow(ex, id, "maintenance")) {
    throw new Problem(404, "Not Found", `"${id}" is a scheduled maintenance; maintenances do not have postmortems.`);
  }
  throw notFound("incident", id);
}

/**
 * The seed's blameless template pre-filled from the incident (timeline, response times, the
 * components by their current names) with the action items given: the API's
 * /postmortem/template and the console's first draft.
 */
export async function draftPostmortem(ex: Executor, incident: IncidentRecord, page: { url: string; timeZone: string }, actionItems: readonly ActionItemRecord[]): Promise<string> {
  const [views, related] = await Promise.all([listComponentViews(ex), relatedIncidents(ex, incident, 5)]);
  const componentNames = new Map(views.map((v) => [v.id, v.name]));
  return postmortemDraft({ incident, componentNames, page, actionItems, related });
}

/** Reads a postmortem (draft or published); 404 when the incident has none yet. */
export async function readPostmortem(ex: Executor, incidentId: string): Promise<PostmortemRecord> {
  await postmortemIncident(ex, incidentId);
  const postmortem = await getPostmortem(ex, incidentId);
  if (!postmortem) {
    throw new Problem(404, "Not Found", `Incident "${incidentId}" has no postmortem yet; save a draft with PUT /api/v1/incidents/${incidentId}/postmortem.`);
  }
  return postmortem;
}

/** A published postmortem is part of the incident's public record: its change moves the incident's updated_at. */
async function touchIncident(ctx: WriteContext, row: IncidentRow): Promise<void> {
  await saveIncident(ctx.tx, { ...row, updatedAt: ctx.now });
}

/**
 * Saves the text (and, when given, replaces the action items). Before publication it is a draft;
 * after, it is the published text at once (republished, no new notification).
 */
export async function savePostmortemText(ctx: WriteContext, incidentId: string, input: PostmortemInput): Promise<PostmortemRecord> {
  const row = await postmortemIncident(ctx.tx, incidentId);
  const actionItems: ActionItemRecord[] | undefined = input.action_items?.map((item) => ({
    description: item.description,
    owner: item.owner ?? null,
    dueDate: item.due_date ?? null,
    done: item.done ?? false,
  }));
  await savePostmortem(ctx.tx, { incidentId, body: input.body, author: ctx.actor.name, now: ctx.now, actionItems });
  const saved = (await getPostmortem(ctx.tx, incidentId))!;
  if (saved.publishedAt) await touchIncident(ctx, row);
  await insertAudit(ctx.tx, {
    at: ctx.now, actor: ctx.actor, action: "postmortem.save", entityType: "incident", entityId: incidentId,
    details: { published: saved.publishedAt !== null, characters: input.body.length, action_items: input.action_items?.length ?? null },
  });
  return saved;
}

/**
 * Publishes the postmortem of a resolved incident (409 otherwise, or when there is no draft).
 * Publishing again keeps the first publication time. With notify_subscribers, the notice is
 * enqueued in this transaction through the write hooks (the mail outbox), once per postmortem.
 */
export async function publishPostmortem(
  ctx: WriteContext,
  incidentId: string,
  input: PublishInput,
  options: PublishOptions = { showOwners: false },
): Promise<{ postmortem: PostmortemRecord; enqueued: number }> {
  const row = await postmortemIncident(ctx.tx, incidentId);
  const draft = await getPostmortem(ctx.tx, incidentId);
  if (!draft) {
    throw new Problem(409, "No Postmortem Draft", `Incident "${incidentId}" has no postmortem to publish; save a draft first (PUT /api/v1/incidents/${incidentId}/postmortem).`);
  }
  const check = checkPublish("incident", row.status, row.drill === true, row.draft === true);
  if (!check.ok) {
    throw new Problem(409, "Postmortem Not Publishable", check.message, { extra: { incident_status: row.status } });
  }
  const left = input.force ? [] : promptsLeft(postmortemText(draft, row, { showOwners: true }));
  if (left.length > 0) {
    throw new Problem(
      422,
      "Template Prompts Left",
      `The postmortem still holds ${left.length === 1 ? "one of the template's prompts" : `${left.length} of the template's prompts`} (${left.slice(0, 3).join(", ")}${left.length > 3 ? ", …" : ""}): replace them, or publish anyway with "force": true.`,
      { errors: left.map((p) => ({ field: "body", message: `Still holds the template's prompt ${p}.` })), extra: { prompts_left: left } },
    );
  }
  await markPostmortemPublished(ctx.tx, incidentId, ctx.now, false);
  await touchIncident(ctx, row);
  let enqueued = 0;
  const notify = ctx.hooks.postmortemNotice;
  if (input.notify_subscribers && !draft.notifiedAt && notify) {
    const incident = (await getIncident(ctx.tx, incidentId, "incident"))!;
    const published = incident.postmortem!;
    enqueued = await notify(ctx, incident, published, postmortemText(published, incident, options));
    await markPostmortemPublished(ctx.tx, incidentId, ctx.now, true);
  }
  await insertAudit(ctx.tx, {
    at: ctx.now, actor: ctx.actor, action: "postmortem.publish", entityType: "incident", entityId: incidentId,
    details: { notify_subscribers: input.notify_subscribers ?? false, enqueued, first_publication: draft.publishedAt === null },
  });
  return { postmortem: (await getPostmortem(ctx.tx, incidentId))!, enqueued };
}

/**
 * Marks one tracked action item done (or open again), by its incident and its place in the list.
 * A published postmortem shows its items: the incident's page is republished with the change.
 */
export async function markActionItem(ctx: WriteContext, incidentId: string, position: number, done: boolean): Promise<{ incidentId: string; position: number; done: boolean }> {
  const row = await postmortemIncident(ctx.tx, incidentId);
  const postmortem = await getPostmortem(ctx.tx, incidentId);
  if (!postmortem || !(await setActionItemDone(ctx.tx, incidentId, position, done))) {
    throw new Problem(404, "Not Found", `Incident "${incidentId}" has no action item ${position}${postmortem ? ` (it has ${postmortem.actionItems.length})` : " (it has no postmortem yet)"}.`);
  }
  if (postmortem.publishedAt) await touchIncident(ctx, row);
  await insertAudit(ctx.tx, { at: ctx.now, actor: ctx.actor, action: done ? "action_item.done" : "action_item.reopen", entityType: "incident", entityId: incidentId, details: { position } });
  return { incidentId, position, done };
}
