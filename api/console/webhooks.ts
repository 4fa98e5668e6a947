/**
 * Webhook subscriptions, for admins (subscriber:manage): which endpoints get the Statuspage-shaped
 * events, how their deliveries go, and lifting a quarantine once the receiver is fixed.
 * Subscribing itself is the receiver's own doing (the page's subscribe form, or the API).
 */
import { CHAT_LABELS } from "../../domain/chat.ts";
import { Hono } from "hono";
import { formatPosted } from "../../domain/time.ts";
import { escapeHtml } from "../../templates/markdown.ts";
import { Problem } from "../problem.ts";
import { reactivateWebhookSubscription, webhookSubscriptionsAt } from "../service/webhooks.ts";
import type { ConsoleContext } from "./context.ts";
import { actionButton, table } from "./forms.ts";
import { para } from "./pages.ts";

const STATES: Record<string, string> = { active: "Active", quarantined: "QUARANTINED (failing; nothing is sent)", unsubscribed: "Unsubscribed by its owner" };

export function webhookPages(ctx: ConsoleContext): Hono {
  const app = new Hono();
  const { db, config } = ctx.deps;
  const tz = config.page.timeZone;
  const requireAdmin = ctx.allowed("subscriber:manage", "Only admins manage webhook subscriptions.");

  app.get("/", async (c) => {
    const session = await requireAdmin(c);
    if (session instanceof Response) return session;
    const error = c.req.query("error") === "unsubscribed" ? `<p class="err" role="alert"><strong>Error:</strong> Its owner unsubscribed that endpoint; only they can register it again.</p>` : "";
    const rows = (await webhookSubscriptionsAt(db.client, ctx.now())).map((w) => [
      // A chat channel's webhook URL is its credential: shown without its last part.
      w.format === "herald" ? escapeHtml(w.endpoint) : `${escapeHtml(CHAT_LABELS[w.format])} channel<br><span class="note">${escapeHtml(w.endpoint.replace(/\/[^/]+$/, "/…"))}</span>`,
      escapeHtml(w.email),
      escapeHtml(STATES[w.state] ?? w.state) + (w.quarantinedAt ? ` <span class="note">since ${escapeHtml(formatPosted(w.quarantinedAt, tz))}</span>` : ""),
      `${w.delivered} delivered, ${w.pending} waiting, ${w.failuresInWindow} failed in the last hour${w.lastError ? `<br><span class="note">Last error: ${escapeHtml(w.lastError)}</span>` : ""}`,
      w.state === "quarantined" ? actionButton(session, `/console/webhooks/${encodeURIComponent(w.id)}/reactivate`, "Reactivate", `Reactivate ${w.endpoint}`) : "",
    ]);
    return ctx.page(
      c,
      "Webhooks",
      error + para("Endpoints that receive incident and component events (Statuspage's webhook shape), and Slack, Discord and Teams channels that receive them as messages. An endpoint that keeps failing is quarantined and its contact address told; reactivate it once it is fixed.") +
        table(["Endpoint", "Contact", "State", "Deliveries", ""], rows, "No webhook subscriptions yet. Receivers subscribe on the status page or with the API."),
      { session },
    );
  });

  app.post("/:id/reactivate", async (c) => {
    const posted = await ctx.postedForm(c, requireAdmin);
    if (posted instanceof Response) return posted;
    try {
      await ctx.writeOnce(posted.session, null, async (w) => ({ id: (await reactivateWebhookSubscription(w, c.req.param("id"))).id }), () => null);
    } catch (error) {
      if (!(error instanceof Problem)) throw error;
      if (error.status === 409) return c.redirect("/console/webhooks?error=unsubscribed", 303);
      if (error.status !== 404) throw error;
    }
    return c.redirect("/console/webhooks", 303);
  });

  return app;
}
