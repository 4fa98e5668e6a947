/**
 * GET /subscriptions/confirm?token=… shows a "Confirm subscription" button and changes nothing
 * (mail scanners follow links); POST confirms, once: a second click says "already confirmed".
 */
import { escapeHtml } from "../../templates/markdown.ts";
import { Hono } from "hono";
import type { Executor } from "../../db/database.ts";
import { activateSubscriber, getConfirmationByHash, getSubscriber, useConfirmation, type SubscriberRecord } from "../../db/queries/subscribers.ts";
import { confirmationTokenHash, verifyConfirmationToken } from "../mail/confirmation.ts";
import { unsubscribeToken } from "../mail/token.ts";
import { contentType, isForm, type SubscriptionContext } from "./context.ts";
import { backLink, buttonForm, p } from "./pages.ts";

type Check =
  | { kind: "invalid" }
  | { kind: "expired" }
  | { kind: "used"; subscriber: SubscriberRecord | null }
  | { kind: "ok"; confirmationId: number; subscriber: SubscriberRecord | null };

export function confirmRoutes(ctx: SubscriptionContext): Hono {
  const { db, clock, settings, page, t } = ctx;
  const back = backLink(t);
  const app = new Hono();

  async function checkConfirmation(token: unknown, ex: Executor = db.client): Promise<Check> {
    if (!verifyConfirmationToken(settings.secret, token)) return { kind: "invalid" };
    const row = await getConfirmationByHash(ex, confirmationTokenHash(token));
    if (!row) return { kind: "invalid" };
    const subscriber = await getSubscriber(ex, row.subscriberId);
    if (row.usedAt !== null) return { kind: "used", subscriber };
    if (row.expiresAt <= clock.now().toISOString()) return { kind: "expired" };
    return { kind: "ok", confirmationId: row.id, subscriber };
  }

  const invalidLink = () => page(t("sub.invalid_title"), p(t("sub.invalid_confirm")) + back, 400);
  const expiredLink = () => page(t("sub.expired_title"), p(t("sub.expired_confirm")) + back, 410);
  const confirmedPage = (subscriber: SubscriberRecord, already: boolean) => {
    const token = unsubscribeToken(settings.secret, subscriber.id);
    return page(
      t(already ? "sub.already_confirmed_title" : "sub.confirmed_title"),
      p(t(already ? "sub.already_confirmed" : "sub.confirmed")) +
        `<p><a href="/subscriptions/manage?token=${encodeURIComponent(token)}">${escapeHtml(t("sub.choose_components"))}</a> · <a href="/subscriptions/unsubscribe?token=${encodeURIComponent(token)}">${escapeHtml(t("sub.unsubscribe"))}</a></p>` +
        back,
    );
  };

  app.get("/confirm", async (c) => {
    const token = c.req.query("token");
    const check = await checkConfirmation(token);
    if (check.kind === "invalid") return invalidLink();
    if (check.kind === "expired") return expiredLink();
    if (check.kind === "used") return check.subscriber?.state === "active" ? confirmedPage(check.subscriber, true) : expiredLink();
    if (check.subscriber?.state === "active") return confirmedPage(check.subscriber, true);
    if (check.subscriber?.state !== "pending") return expiredLink();
    return page(
      t("sub.confirm_title"),
      p(t("sub.confirm_press", { page: settings.pageName })) + buttonForm("/subscriptions/confirm", { token: token! }, t("sub.confirm_button")),
    );
  });

  app.post("/confirm", async (c) => {
    let token: unknown = c.req.query("token");
    if (isForm(contentType(c))) {
      const form = await c.req.parseBody();
      if (typeof form.token === "string") token = form.token;
    }
    const outcome = await db.write(async (tx) => {
      const check = await checkConfirmation(token, tx);
      if (check.kind !== "ok") return check;
      const subscriber = check.subscriber;
      if (!subscriber || (subscriber.state !== "pending" && subscriber.state !== "active")) return { kind: "expired" } as Check;
      const now = clock.now().toISOString();
      await useConfirmation(tx, check.confirmationId, now);
      const activated = await activateSubscriber(tx, subscriber.id, now);
      return { kind: activated ? "confirmed" : "already", subscriber: (await getSubscriber(tx, subscriber.id))! } as const;
    });
    if (outcome.kind === "invalid") return invalidLink();
    if (outcome.kind === "expired") return expiredLink();
    if (outcome.kind === "used") return outcome.subscriber?.state === "active" ? confirmedPage(outcome.subscriber, true) : expiredLink();
    if (outcome.kind === "ok") return expiredLink(); // not reached
    return confirmedPage(outcome.subscriber, outcome.kind === "already");
  });

  return app;
}
