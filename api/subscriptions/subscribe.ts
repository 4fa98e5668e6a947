/**
 * POST /subscriptions: an email address (double opt-in) or, with `endpoint`, a webhook
 * (api/subscriptions/webhooks.ts). The answer is the same whether the address is new, pending,
 * active or unsubscribed, so the endpoint cannot be used to learn who subscribed.
 */
import { Hono, type Context } from "hono";
import {
  getSubscriberByEmail,
  insertConfirmation,
  insertSubscriber,
  resubscribePending,
  latestOpenConfirmationAt,
  setSubscriberComponents,
} from "../../db/queries/subscribers.ts";
import { normalizeEmail } from "../../domain/email.ts";
import { newId } from "../../domain/ids.ts";
import { problemResponse } from "../http/problem-response.ts";
import { CONFIRMATION_RESEND_WINDOW_MS, CONFIRMATION_TTL_MS, confirmationToken, confirmationTokenHash, newConfirmationNonce } from "../mail/confirmation.ts";
import { Problem } from "../problem.ts";
import { socketClientIp } from "../http/rate-limit.ts";
import { checkComponents, contentType, isForm, Refusal, refusalText, type SubscriptionContext } from "./context.ts";
import { backLink, p } from "./pages.ts";
import { registerWebhook } from "./webhooks.ts";

/** The client's address as the runtime knows it; requests whose address is unknown share one bucket. */
function clientIp(c: Context, deps: SubscriptionContext["deps"]): string {
  return (deps.clientIp ?? socketClientIp)(c.req.raw, c.env) || "unknown";
}

export function subscribeRoutes(ctx: SubscriptionContext): Hono {
  const { db, clock, settings, deps, log, page, perIp, perEmail, t } = ctx;
  const app = new Hono();

  app.post("/", async (c) => {
    const type = contentType(c);
    const isJson = type.startsWith("application/json");
    const refuse = (r: Refusal): Response => {
      const headers: Record<string, string> = r.retryAfter ? { "Retry-After": String(r.retryAfter) } : {};
      if (isJson) {
        for (const [k, v] of Object.entries(headers)) c.header(k, v);
        return problemResponse(c, new Problem(r.status, r.title, r.detail, r.errors ? { errors: r.errors } : {}));
      }
      return page(t(r.status === 429 ? "sub.too_many_title" : "sub.not_possible_title"), p(refusalText(ctx, r)) + backLink(t), r.status, headers);
    };
    try {
      const wait = perIp.hit(clientIp(c, deps));
      if (wait > 0) throw new Refusal(429, "Too Many Requests", `Too many subscription requests from your network; try again in ${Math.ceil(wait / 60)} minute(s).`, undefined, wait, { key: "sub.too_many_network", params: { count: Math.ceil(wait / 60) } });

      let email: unknown;
      let ids: unknown;
      let endpoint: unknown;
      if (isJson) {
        let body: unknown;
        try {
          body = JSON.parse(await c.req.text());
        } catch {
          throw new Refusal(400, "Bad Request", "The body is not valid JSON.");
        }
        if (typeof body !== "object" || body === null || Array.isArray(body)) throw new Refusal(400, "Bad Request", "The body must be a JSON object.");
        email = (body as Record<string, unknown>).email;
        ids = (body as Record<string, unknown>).component_ids;
        endpoint = (body as Record<string, unknown>).endpoint;
      } else if (isForm(type)) {
        const form = await c.req.parseBody({ all: true });
        email = form.email;
        ids = form.component_ids;
        endpoint = form.endpoint;
        if (ids !== undefined && !Array.isArray(ids)) ids = [ids];
      } else {
        throw new Refusal(415, "Unsupported Media Type", "Send a form (application/x-www-form-urlencoded) or JSON.");
      }
      if (endpoint !== undefined) return await registerWebhook(ctx, c, { endpoint, email, ids, isJson });
      const address = typeof email === "string" ? normalizeEmail(email) : null;
      if (address === null) {
        throw new Refusal(
          isJson ? 422 : 400,
          "Unprocessable Content",
          "Please give one valid email address (like name@example.com).",
          [{ field: "email", message: "must be one valid email address of at most 254 characters" }],
          undefined,
          { key: "sub.invalid_email" },
        );
      }
      const componentIds = await checkComponents(ctx, ids);
      const waitEmail = perEmail.hit(address);
      if (waitEmail > 0) throw new Refusal(429, "Too Many Requests", `Too many subscription requests for this address; try again in ${Math.ceil(waitEmail / 60)} minute(s).`, undefined, waitEmail, { key: "sub.too_many_address", params: { count: Math.ceil(waitEmail / 60) } });

      const queued = await db.write(async (tx) => {
        const now = clock.now();
        const existing = await getSubscriberByEmail(tx, address);
        let id: string;
        if (!existing) {
          id = newId();
          await insertSubscriber(tx, { id, email: address, state: "pending", componentIds, createdAt: now.toISOString(), confirmedAt: null, unsubscribedAt: null });
        } else if (existing.state === "pending") {
          id = existing.id;
          await setSubscriberComponents(tx, id, componentIds);
          // A double click: the confirmation mailed moments ago still works; do not mail again.
          const sentAt = await latestOpenConfirmationAt(tx, id, new Date().toISOString());
          if (sentAt !== null && Date.now() - Date.parse(sentAt) < CONFIRMATION_RESEND_WINDOW_MS) return false;
        } else if (existing.state === "unsubscribed") {
          id = existing.id;
          await resubscribePending(tx, id, componentIds);
        } else {
          // Active (nothing new to confirm) or quarantined (we do not mail it): nothing is sent.
          return false;
        }
        const nonce = newConfirmationNonce();
        await insertConfirmation(tx, {
          subscriberId: id,
          nonce,
          tokenHash: confirmationTokenHash(confirmationToken(settings.secret, nonce)),
          expiresAt: new Date(now.getTime() + CONFIRMATION_TTL_MS).toISOString(),
          now: new Date().toISOString(),
        });
        return true;
      });
      if (queued) {
        try {
          deps.onConfirmationQueued?.();
        } catch (error) {
          log(`subscriptions: waking the confirmation sender failed: ${String(error)}`);
        }
      }
      const detail = "If this address can receive updates, we have sent it an email with a link to confirm the subscription.";
      if (isJson) return c.json({ status: "accepted", detail }, 202);
      return page(t("sub.check_inbox_title"), p(t("sub.check_inbox")) + backLink(t));
    } catch (error) {
      if (error instanceof Refusal) return refuse(error);
      throw error;
    }
  });

  return app;
}
