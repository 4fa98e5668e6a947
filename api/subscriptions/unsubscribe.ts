/**
 * GET /subscriptions/unsubscribe?token=… shows a button and changes nothing; POST unsubscribes
 * at once, from the page's form or as an RFC 8058 one-click from a mail provider.
 */
import { escapeHtml } from "../../templates/markdown.ts";
import { Hono } from "hono";
import { unsubscribeSubscriber } from "../../db/queries/subscribers.ts";
import { verifyUnsubscribeToken } from "../mail/token.ts";
import { contentType, forgedLink, isForm, subscriberFor, type SubscriptionContext } from "./context.ts";
import { backLink, buttonForm, p } from "./pages.ts";

export function unsubscribeRoutes(ctx: SubscriptionContext): Hono {
  const { db, clock, settings, page, t } = ctx;
  const back = backLink(t);
  const app = new Hono();

  app.get("/unsubscribe", async (c) => {
    const token = c.req.query("token");
    const subscriber = await subscriberFor(ctx, token);
    if (!subscriber) return forgedLink(ctx);
    if (subscriber.state === "unsubscribed") return page(t("sub.already_unsubscribed_title"), p(t("sub.no_more")) + back);
    return page(
      t("sub.unsubscribe"),
      p(t("sub.unsubscribe_press", { page: settings.pageName, email: subscriber.email })) +
        buttonForm(`/subscriptions/unsubscribe?token=${encodeURIComponent(token!)}`, {}, t("sub.unsubscribe")) +
        `<p><a href="/subscriptions/manage?token=${encodeURIComponent(token!)}">${escapeHtml(t("sub.choose_instead"))}</a></p>`,
    );
  });

  // One-click (RFC 8058): mail providers POST `List-Unsubscribe=One-Click` with no Origin or
  // cookies; the signed token is the authorization, so there is no CSRF check here.
  app.post("/unsubscribe", async (c) => {
    let token: unknown = c.req.query("token");
    if (token === undefined && isForm(contentType(c))) token = (await c.req.parseBody()).token;
    const id = typeof token === "string" ? verifyUnsubscribeToken(settings.secret, token) : null;
    if (!id) return forgedLink(ctx);
    const done = await db.write((tx) => unsubscribeSubscriber(tx, id, clock.now().toISOString()));
    if (!done) return forgedLink(ctx);
    return page(t("sub.unsubscribed_title"), p(t("sub.unsubscribed")) + back);
  });

  return app;
}
