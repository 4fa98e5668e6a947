/** Webhook subscriptions as an admin manages them (the API's /webhooks and the console's page). */
import { insertAudit } from "../../db/queries/audit.ts";
import { getWebhookSubscription, listWebhookSubscriptions, reactivateWebhook, type WebhookListRow } from "../../db/queries/webhooks.ts";
import type { Executor } from "../../db/database.ts";
import { DEFAULT_QUARANTINE } from "../../domain/webhook-delivery.ts";
import { notFound, Problem } from "../problem.ts";
import type { WriteContext } from "./context.ts";

/** Every subscription with its failures over the window the quarantine rule counts (ending `now`). */
export function webhookSubscriptionsAt(ex: Executor, now: string): Promise<WebhookListRow[]> {
  return listWebhookSubscriptions(ex, new Date(Date.parse(now) - DEFAULT_QUARANTINE.windowMs).toISOString());
}

/**
 * Lifts a quarantine: the endpoint gets deliveries again, its failures counted afresh. An
 * unsubscribed endpoint is its owner's to register again (409); an active one stays as it is.
 */
export async function reactivateWebhookSubscription(ctx: WriteContext, id: string): Promise<WebhookListRow> {
  const current = await getWebhookSubscription(ctx.tx, id);
  if (!current) throw notFound("webhook subscription", id);
  if (current.state === "unsubscribed") {
    throw new Problem(409, "Conflict", "Its owner unsubscribed this endpoint; only they can register it again.");
  }
  if (await reactivateWebhook(ctx.tx, id, ctx.now)) {
    await insertAudit(ctx.tx, { at: ctx.now, actor: ctx.actor, action: "webhook.reactivate", entityType: "webhook_subscription", entityId: id, details: { endpoint: current.endpoint } });
  }
  return (await webhookSubscriptionsAt(ctx.tx, ctx.now)).find((w) => w.id === id)!;
}
