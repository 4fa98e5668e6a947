import { getComponentsByIds } from "../../db/queries/components.ts";
import { enqueueFor, enqueueForUpdate, insertOutboxPostmortem, insertOutboxUpdate } from "../../db/queries/outbox.ts";
import { inPageOrder } from "../../domain/component-order.ts";
import { summaryInputOf } from "../../domain/notice.ts";
import type { MailDetails } from "./message.ts";
import type { Executor } from "../../db/database.ts";
import type { IncidentRecord, PostmortemRecord, UpdateRecord } from "../../db/records.ts";
import type { WriteContext, WriteHooks } from "../service/context.ts";

/**
 * `WriteHooks.updatePosted`: runs inside the update's write transaction, so the update and
 * the mail it implies commit together or not at all. One INSERT … SELECT fans the update out
 * to every active subscriber whose component filter is empty (NULL) or intersects the
 * incident's components (its linked components ∪ the ones this update changed). Drills enqueue nothing.
 */
export async function enqueueUpdate(ctx: WriteContext, incident: IncidentRecord, update: UpdateRecord): Promise<number> {
  // A drill is practice, a draft is not yet approved: subscribers hear of neither.
  if (!update.deliverNotifications || incident.drill || incident.draft) return 0;
  const components = [...new Set([...incident.componentIds, ...update.affected.map((a) => a.componentId)])];
  const details = await mailDetails(ctx.tx, incident, update);
  await insertOutboxUpdate(ctx.tx, {
    updateId: update.id,
    incidentId: incident.id,
    incidentKind: incident.kind,
    incidentName: incident.name,
    createdAt: ctx.now,
    details,
  });
  return enqueueForUpdate(ctx.tx, update.id, components, ctx.now);
}

/** What the mails about `update` show beside its words (api/mail/message.ts MailDetails), as of now. */
export async function mailDetails(ex: Executor, incident: IncidentRecord, update: UpdateRecord): Promise<MailDetails> {
  const components = [...new Set([...incident.componentIds, ...update.affected.map((a) => a.componentId)])];
  // Their status as this update left it (it is applied before the mail hook runs), in the page's order.
  const records = await getComponentsByIds(ex, components);
  return {
    severity: incident.severity,
    impact: incident.impact,
    components: inPageOrder(records).flatMap((row) => [row.item, ...row.children]).filter((c) => !c.isGroup).map((c) => ({ name: c.name, status: c.status })),
    window: incident.kind === "maintenance" && incident.scheduledFor ? { start: incident.scheduledFor, end: incident.scheduledUntil } : null,
    ...(incident.kind === "maintenance" && incident.cancelledAt && update.status === "completed" ? { cancelled: true } : {}),
    notice: update.status === "resolved" ? { summary: summaryInputOf(incident, update.id), sections: update.notice ?? null } : null,
  };
}

/**
 * `WriteHooks.postmortemNotice`: the postmortem notice, in the publishing transaction, to every
 * active subscriber of the incident's components (no choice = everything), through the same
 * outbox and sender as updates. Its text is frozen here; the outbox's UNIQUE (postmortem_id,
 * subscriber_id) makes a second enqueue of the same postmortem a no-op for everyone already in it.
 */
export async function enqueuePostmortem(ctx: WriteContext, incident: IncidentRecord, postmortem: PostmortemRecord, markdown: string): Promise<number> {
  await insertOutboxPostmortem(ctx.tx, {
    incidentId: incident.id,
    incidentName: incident.name,
    incidentStartedAt: incident.startedAt,
    body: markdown,
    publishedAt: postmortem.publishedAt ?? ctx.now,
    createdAt: ctx.now,
  });
  const components = [...new Set([...incident.componentIds, ...incident.updates.flatMap((u) => u.affected.map((a) => a.componentId))])];
  return enqueueFor(ctx.tx, { kind: "postmortem", incidentId: incident.id }, components, ctx.now);
}

/** The hooks to hand to every write (see api/service/context.ts). */
export const mailHooks: WriteHooks = {
  async updatePosted(ctx, incident, update) {
    await enqueueUpdate(ctx, incident, update);
  },
  postmortemNotice: enqueuePostmortem,
};
