/**
 * Webhook events enter the outbox here, inside the write that caused them (WriteHooks), so a
 * committed update or component change and its webhook deliveries are stored together or not at all.
 */
import { newId } from "../../domain/ids.ts";
import { pageStatus } from "../../domain/indicator.ts";
import { getComponentsByIds } from "../../db/queries/components.ts";
import { pageStatusInput } from "../../db/queries/page.ts";
import { hasActiveWebhookSubscriptions, insertWebhookEvent } from "../../db/queries/webhooks.ts";
import type { IncidentRecord, UpdateRecord } from "../../db/records.ts";
import type { ComponentStatusChange, WriteContext, WriteHooks } from "../service/context.ts";
import { componentEnvelope, incidentEnvelope, type Envelope } from "./payload.ts";

export interface WebhookPageRef {
  /** Statuspage `page.id`. */
  id: string;
  /** PAGE_URL, without a trailing slash. */
  url: string;
}

export type WebhookTrigger =
  | { kind: "incident"; incident: IncidentRecord; update: UpdateRecord }
  | { kind: "component"; change: ComponentStatusChange };

/**
 * THE decision whether something goes to webhook subscribers; every event passes through here
 * and nowhere else. Incident and maintenance updates follow their `deliver_notifications`, like
 * mail; component status changes always go out (Statuspage sends them to webhooks, §4.3).
 * A rule such as "drills are never sent" belongs here, once.
 */
export async function shouldNotifyWebhooks(_ctx: WriteContext, trigger: WebhookTrigger): Promise<boolean> {
  // A drill is never public: no envelope leaves Herald for it (and its component changes are never made).
  // A draft is not public until a comms lead publishes it (then its update is sent).
  if (trigger.kind === "incident") return trigger.update.deliverNotifications && trigger.incident.drill !== true && trigger.incident.draft !== true;
  return true;
}

/** Stores the event and one delivery per matching active subscription. Returns the number of deliveries. */
export async function enqueueWebhookEvent(ctx: WriteContext, page: WebhookPageRef, trigger: WebhookTrigger): Promise<number> {
  if (!(await shouldNotifyWebhooks(ctx, trigger))) return 0;
  // Nobody listening: store nothing (most pages have no webhook subscribers).
  if (!(await hasActiveWebhookSubscriptions(ctx.tx))) return 0;
  const webhookPage = { ...page, status: pageStatus(await pageStatusInput(ctx.tx)) };
  let envelope: Envelope;
  let componentIds: string[];
  if (trigger.kind === "incident") {
    const { incident, update } = trigger;
    envelope = incidentEnvelope(webhookPage, incident, await getComponentsByIds(ctx.tx, incident.componentIds));
    componentIds = [...new Set([...incident.componentIds, ...update.affected.map((a) => a.componentId)])];
  } else {
    const { component, oldStatus } = trigger.change;
    envelope = componentEnvelope(webhookPage, component, { id: newId(), oldStatus, newStatus: component.status, createdAt: ctx.now });
    componentIds = [component.id];
  }
  const updateId = trigger.kind === "incident" ? { updateId: trigger.update.id } : {};
  return insertWebhookEvent(ctx.tx, { id: newId(), kind: trigger.kind, payload: JSON.stringify(envelope), componentIds, now: ctx.now, ...updateId });
}

/** The hooks to hand to every write (combine with the mail hooks: api/service/context.ts combineHooks). */
export function webhookHooks(page: WebhookPageRef): WriteHooks {
  return {
    async updatePosted(ctx, incident, update) {
      await enqueueWebhookEvent(ctx, page, { kind: "incident", incident, update });
    },
    async componentStatusChanged(ctx, change) {
      await enqueueWebhookEvent(ctx, page, { kind: "component", change });
    },
  };
}
