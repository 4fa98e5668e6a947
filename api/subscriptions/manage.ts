/** GET /subscriptions/manage?token=… shows the subscriber's component choice; POST saves it. */
import { Hono } from "hono";
import { setSubscriberComponents, type SubscriberRecord } from "../../db/queries/subscribers.ts";
import { checkComponents, contentType, forgedLink, isForm, Refusal, subscribableSections, subscriberFor, type SubscriptionContext } from "./context.ts";
import { backLink, buttonForm, componentFieldset, p, type ChoiceSection } from "./pages.ts";

export function manageRoutes(ctx: SubscriptionContext): Hono {
  const { db, page } = ctx;
  const app = new Hono();

  async function managePage(token: string, subscriber: SubscriberRecord, saved: boolean): Promise<Response> {
    const chosen = new Set(subscriber.componentIds ?? []);
    const choices: ChoiceSection[] = (await subscribableSections(ctx)).map((s) => ({
      group: s.group,
      choices: s.components.map((c) => ({ id: c.id, name: c.name, checked: chosen.has(c.id) })),
    }));
    const status = subscriber.state === "active" ? "" : p(subscriber.state === "pending" ? "This subscription is not confirmed yet." : "This address is not subscribed.");
    return page(
      "Your subscription",
      (saved ? `<p role="status">Saved.</p>` : "") +
        status +
        p(`Updates go to ${subscriber.email}. Choose the components you care about; choose none to get every update.`) +
        buttonForm(`/subscriptions/manage?token=${encodeURIComponent(token)}`, {}, "Save", componentFieldset(choices, "Components")) +
        `<p><a href="/subscriptions/unsubscribe?token=${encodeURIComponent(token)}">Unsubscribe</a></p>` +
        backLink,
    );
  }

  app.get("/manage", async (c) => {
    const token = c.req.query("token");
    const subscriber = await subscriberFor(ctx, token);
    if (!subscriber) return forgedLink(ctx);
    return managePage(token!, subscriber, false);
  });

  app.post("/manage", async (c) => {
    const token = c.req.query("token");
    const subscriber = await subscriberFor(ctx, token);
    if (!subscriber) return forgedLink(ctx);
    let ids: unknown = undefined;
    if (isForm(contentType(c))) {
      ids = (await c.req.parseBody({ all: true })).component_ids;
    }
    let componentIds: string[] | null;
    try {
      componentIds = await checkComponents(ctx, ids);
    } catch (error) {
      if (error instanceof Refusal) return page("Not saved", p(error.detail) + backLink, 422);
      throw error;
    }
    await db.write((tx) => setSubscriberComponents(tx, subscriber.id, componentIds));
    return managePage(token!, { ...subscriber, componentIds }, true);
  });

  return app;
}
