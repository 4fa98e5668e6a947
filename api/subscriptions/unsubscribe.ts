/**
 * GET /subscriptions/unsubscribe?token=… shows a button and changes nothing; POST unsubscribes
 * at once, from the page's form or as an RFC 8058 one-click from a mail provider.
 */
import { Hono } from "hono";
import { unsubscribeSubscriber } from "../../db/queries/subscribers.ts";
import { verifyUnsubscribeToken } from "../mail/token.ts";
import { contentType, forgedLink, isForm, subscriberFor, type SubscriptionContext } from "./context.ts";
import { backLink, buttonForm, p } from "./pages.ts";

export function unsubscribeRoutes(ctx: SubscriptionContext): Hono {
  const { db, clock, settings, page } = ctx;
  const app = new Hono();

  app.get("/unsubscribe", async (c) => {
    const token = c.req.query("token");
    const subscriber = await subscriberFor(ctx, token);
    if (!subscriber) return forgedLink(ctx);
    if (subscriber.state === "unsubscribed") return page("Already unsubscribed", p("This address gets no more updates.") + backLink);
    return page(
      "Unsubscribe",
      p(`Press the button to stop getting ${settings.pageName} updates at ${subscriber.email}.`) +
        buttonForm(`/subscriptions/unsubscribe?token=${encodeURIComponent(token!)}`, {}, "Unsubscribe") +
        `<p><a href="/subscriptions/manage?token=${encodeURIComponent(token!)}">Choose components instead</a></p>`,
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
    return page("You are unsubscribed", p("This address gets no more updates. You can subscribe again from the status page at any time.") + backLink);
  });

  return app;
}
