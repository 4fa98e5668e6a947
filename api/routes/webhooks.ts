/** Webhook subscriptions as an admin sees them: their health, and lifting a quarantine. */
import { reactivateWebhookSubscription, webhookSubscriptionsAt } from "../service/webhooks.ts";
import { webhookJson } from "../webhooks/admin.ts";
import { idParam, ResourceRoutes, type RouteContext } from "./kit.ts";

export function webhookRoutes({ db, clock, write }: RouteContext): ResourceRoutes {
  const routes = new ResourceRoutes();

  routes.add({ method: "get", path: "/webhooks", summary: "Webhook subscriptions with their status and failures in the last hour", action: "subscriber:manage", success: 200, returns: "array" }, async (c) =>
    c.json((await webhookSubscriptionsAt(db.client, clock.now().toISOString())).map(webhookJson)),
  );

  routes.add(
    { method: "post", path: "/webhooks/:id/reactivate", summary: "Lift a webhook subscription's quarantine", action: "subscriber:manage", success: 200 },
    async (c) => {
      const id = idParam(c, "webhook subscription");
      return write(c, "", 200, () => null, async (ctx) => webhookJson(await reactivateWebhookSubscription(ctx, id)));
    },
  );

  return routes;
}
