/**
 * Email and webhook subscriptions, on the public site's host (no API key):
 *   POST /subscriptions                      subscribe (form → HTML page, JSON → 202), double opt-in (subscribe.ts)
 *   GET  /subscriptions/confirm?token=…      a page with a "Confirm subscription" button (changes nothing) (confirm.ts)
 *   POST /subscriptions/confirm              confirms (single use; a second click: "already confirmed")
 *   GET  /subscriptions/unsubscribe?token=…  a page with a button (changes nothing) (unsubscribe.ts)
 *   POST /subscriptions/unsubscribe?token=…  unsubscribes at once: RFC 8058 one-click or the page's form
 *   GET  /subscriptions/manage?token=…       the component choice; POST saves it (manage.ts)
 *   POST /subscriptions {endpoint, email}    a webhook: challenged, then stored active; answers its signing secret once (webhooks.ts)
 *   GET  /subscriptions/webhooks             what webhook payloads look like and how to verify them
 *   GET/POST /subscriptions/webhooks/unsubscribe?token=…   the webhook's unsubscribe link (meta.unsubscribe)
 *   DELETE /subscriptions/webhooks/:id       unsubscribe with `Authorization: Bearer <signing secret>`
 *
 * The answer to a subscription request is the same whether the address is new, pending, active
 * or unsubscribed, so the endpoint cannot be used to learn who subscribed. Requests are rate
 * limited per client IP and per address, in memory (per process; reset by a restart).
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { problemResponse } from "../http/problem-response.ts";
import { Problem } from "../problem.ts";
import { confirmRoutes } from "./confirm.ts";
import { subscriptionContext, type SubscriptionDeps } from "./context.ts";
import { manageRoutes } from "./manage.ts";
import { backLink, p } from "./pages.ts";
import { subscribeRoutes } from "./subscribe.ts";
import { unsubscribeRoutes } from "./unsubscribe.ts";
import { webhookRoutes } from "./webhooks.ts";

export type { SubscriptionDeps } from "./context.ts";

const SUBSCRIPTION_BODY_BYTES = 16 * 1024;

export function subscriptionRoutes(deps: SubscriptionDeps): Hono {
  // One context, so every route counts against the same rate limiters.
  const ctx = subscriptionContext(deps);
  const app = new Hono();

  app.use(
    "*",
    bodyLimit({
      maxSize: SUBSCRIPTION_BODY_BYTES,
      // A person's form gets a page; a program sending JSON gets a problem it can read.
      onError: (c) =>
        (c.req.header("Content-Type") ?? "").toLowerCase().startsWith("application/json")
          ? problemResponse(c, new Problem(413, "Content Too Large", `The request body is larger than ${SUBSCRIPTION_BODY_BYTES} bytes.`))
          : ctx.page(ctx.t("sub.too_large_title"), p(ctx.t("sub.too_large")) + backLink(ctx.t), 413),
    }),
  );

  app.route("/", subscribeRoutes(ctx));
  app.route("/", webhookRoutes(ctx));
  app.route("/", confirmRoutes(ctx));
  app.route("/", unsubscribeRoutes(ctx));
  app.route("/", manageRoutes(ctx));
  return app;
}
