/** GET /subscriptions/manage?token=… shows the subscriber's component choice; POST saves it. */
import { escapeHtml } from "../../templates/markdown.ts";
import { Hono } from "hono";
import { setSubscriberComponents, type SubscriberRecord } from "../../db/queries/subscribers.ts";
import { checkComponents, contentType, forgedLink, isForm, Refusal, refusalText, subscribableSections, subscriberFor, type SubscriptionContext } from "./context.ts";
import { backLink, buttonForm, componentFieldset, p, type ChoiceSection } from "./pages.ts";

export function manageRoutes(ctx: SubscriptionContext): Hono {
  const { db, page, t } = ctx;
  const back = backLink(t);
  const app = new Hono();

  async function managePage(token: string, subscriber: SubscriberRecord, saved: boolean): Promise<Response> {
    const chosen = new Set(subscriber.componentIds ?? []);
    const choices: ChoiceSection[] = (await subscribableSections(ctx)).map((s) => ({
      group: s.group,
      choices: s.components.map((c) => ({ id: c.id, name: c.name, checked: chosen.has(c.id) })),
    }));
    const status = subscriber.state === "active" ? "" : p(t(subscriber.state === "pending" ? "sub.not_confirmed" : "sub.not_subscribed"));
    return page(
      t("sub.manage_title"),
      (saved ? `<p role="status">${escapeHtml(t("sub.saved"))}</p>` : "") +
        status +
        p(t("sub.manage_text", { email: subscriber.email })) +
        buttonForm(`/subscriptions/manage?token=${encodeURIComponent(token)}`, {}, t("sub.save"), componentFieldset(choices, t("sub.components"))) +
        `<p><a href="/subscriptions/unsubscribe?token=${encodeURIComponent(token)}">${escapeHtml(t("sub.unsubscribe"))}</a></p>` +
        back,
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
      if (error instanceof Refusal) return page(t("sub.not_saved"), p(refusalText(ctx, error)) + back, 422);
      throw error;
    }
    await db.write((tx) => setSubscriberComponents(tx, subscriber.id, componentIds));
    return managePage(token!, { ...subscriber, componentIds }, true);
  });

  return app;
}
