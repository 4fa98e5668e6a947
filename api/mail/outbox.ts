import { enqueueForUpdate, insertOutboxUpdate } from "../../db/queries/outbox.ts";
import type { IncidentRecord, UpdateRecord } from "../../db/records.ts";
import type { WriteContext, WriteHooks } from "../service/context.ts";

/**
 * `WriteHooks.updatePosted`: runs inside the update's write transaction, so the update and
 * the mail it implies commit together or not at all. One INSERT … SELECT fans the update out
 * to every active subscriber whose component filter is empty (NULL) or intersects the
 * incident's components (its linked components ∪ the ones this update changed). Drills enqueue nothing.
 */
export async function enqueueUpdate(ctx: WriteContext, incident: IncidentRecord, update: UpdateRecord): Promise<number> {
  // A drill is practice: subscribers never hear of it.
  if (!update.deliverNotifications || incident.drill) return 0;
  const components = [...new Set([...incident.componentIds, ...update.affected.map((a) => a.componentId)])];
  await insertOutboxUpdate(ctx.tx, {
    updateId: update.id,
    incidentId: incident.id,
    incidentKind: incident.kind,
    incidentName: incident.name,
    createdAt: ctx.now,
  });
  return enqueueForUpdate(ctx.tx, update.id, components, ctx.now);
}

/** The hooks to hand to every write (see api/service/context.ts). */
export const mailHooks: WriteHooks = {
  async updatePosted(ctx, incident, update) {
    await enqueueUpdate(ctx, incident, update);
  },
};
