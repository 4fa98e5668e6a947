/** Webhook subscriptions as an admin sees them: their health, and lifting a quarantine. */
import { insertAudit } from "../../db/queries/audit.ts";
import { getWebhookSubscription, listWebhookSubscriptions, reactivateWebhook } from "../../db/queries/webhooks.ts";
import { DEFAULT_QUARANTINE } from "../../domain/webhook-delivery.ts";
import { notFound, Problem } from "../problem.ts";
import { webhookJson } from "../webhooks/admin.ts";
import { idParam, ResourceRoutes, type RouteContext } from "./kit.ts";

export function webhookRoutes({ db, clock, write }: RouteContext): ResourceRoutes {
  const routes = new ResourceRoutes();
  // Failures are counted over the same window the quarantine rule uses.
  const webhookWindowStart = () => new Date(clock.now().getTime() - DEFAULT_QUARANTINE.windowMs).toISOString();

  routes.add({ method: "get", path: "/webhooks", summary: "Webhook subscriptions with their status and failures in the last hour", action: "subscriber:manage", success: 200, returns: "array" }, async (c) =>
    c.json((await listWebhookSubscriptions(db.client, webhookWindowStart())).map(webhookJson)),
  );

  routes.add(
    { method: "post", path: "/webhooks/:id/reactivate", summary: "Lift a webhook subscription's quarantine", action: "subscriber:manage", success: 200 },
    async (c) => {
      const id = idParam(c, "webhook subscription");
      return write(c, "", 200, () => null, async (ctx) => {
        const current = await getWebhookSubscription(ctx.tx, id);
        if (!current) throw notFound("webhook subscription", id);
        if (current.state === "unsubscribed") {
          throw new Problem(409, "Conflict", "Its owner unsubscribed this endpoint; only they can register it again.");
        }
        if (await reactivateWebhook(ctx.tx, id, ctx.now)) {
          await insertAudit(ctx.tx, { at: ctx.now, actor: ctx.actor, action: "webhook.reactivate", entityType: "webhook_subscription", entityId: id, details: { endpoint: current.endpoint } });
        }
        const row = (await listWebhookSubscriptions(ctx.tx, webhookWindowStart())).find((w) => w.id === id)!;
        return webhookJson(row);
      });
    },
  );

  return routes;
}
