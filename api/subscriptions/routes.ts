/**
 * Email subscriptions, on the public site's host (no API key):
 *   POST /subscriptions                      subscribe (form → HTML page, JSON → 202), double opt-in
 *   GET  /subscriptions/confirm?token=…      a page with a "Confirm subscription" button (changes nothing)
 *   POST /subscriptions/confirm              confirms (single use; a second click: "already confirmed")
 *   GET  /subscriptions/unsubscribe?token=…  a page with a button (changes nothing)
 *   POST /subscriptions/unsubscribe?token=…  unsubscribes at once: RFC 8058 one-click or the page's form
 *   GET  /subscriptions/manage?token=…       the component choice; POST saves it
 *   POST /subscriptions {endpoint, email}    a webhook: challenged, then stored active; answers its signing secret once
 *   GET  /subscriptions/webhooks             what webhook payloads look like and how to verify them
 *   GET/POST /subscriptions/webhooks/unsubscribe?token=…   the webhook's unsubscribe link (meta.unsubscribe)
 *   DELETE /subscriptions/webhooks/:id       unsubscribe with `Authorization: Bearer <signing secret>`
 *
 * The answer to a subscription request is the same whether the address is new, pending, active
 * or unsubscribed, so the endpoint cannot be used to learn who subscribed. Requests are rate
 * limited per client IP and per address, in memory (per process; reset by a restart).
 */
import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Database, Executor } from "../../db/database.ts";
import {
  activateSubscriber,
  getConfirmationByHash,
  getSubscriber,
  getSubscriberByEmail,
  insertConfirmation,
  insertSubscriber,
  resubscribePending,
  setSubscriberComponents,
  unsubscribeSubscriber,
  useConfirmation,
  type SubscriberRecord,
} from "../../db/queries/subscribers.ts";
import type { Clock } from "../clock.ts";
import { newId } from "../../domain/ids.ts";
import { normalizeEmail } from "../../domain/email.ts";
import {
  CONFIRMATION_TTL_MS,
  confirmationTokenHash,
  newConfirmationNonce,
  confirmationToken,
  verifyConfirmationToken,
} from "../mail/confirmation.ts";
import type { MailSettings } from "../mail/message.ts";
import { unsubscribeToken, verifyUnsubscribeToken } from "../mail/token.ts";
import { problemResponse } from "../http/problem-response.ts";
import { Problem, type FieldError } from "../problem.ts";
import { listComponentViews } from "../service/components.ts";
import { checkEndpoint } from "../../domain/webhook-endpoint.ts";
import { challengeEndpoint } from "../webhooks/challenge.ts";
import { documentationUrl } from "../webhooks/payload.ts";
import {
  DELIVERY_HEADER,
  EVENT_HEADER,
  isSigningSecret,
  SIGNATURE_HEADER,
  signingSecret,
  verifyWebhookUnsubscribeToken,
  webhookUnsubscribeUrl,
} from "../webhooks/signature.ts";
import { getWebhookSubscription, unsubscribeWebhook, upsertWebhookSubscription } from "../../db/queries/webhooks.ts";
import { escapeHtml } from "../../templates/markdown.ts";
import { isId } from "../../domain/ids.ts";
import { backLink, buttonForm, componentFieldset, htmlPage, htmlResponse, p, type ComponentChoice } from "./pages.ts";

export interface RateLimit {
  max: number;
  windowMs: number;
}

export interface SubscriptionDeps {
  db: Database;
  clock: Clock;
  /** Page name/URL and HERALD_SECRET (MailDelivery.settings). */
  settings: MailSettings;
  /** Called after a confirmation mail was enqueued (wakes its sender). */
  onConfirmationQueued?: () => void;
  /** Default 5 per 10 minutes per client IP, 3 per hour per address. */
  limits?: { perIp?: RateLimit; perEmail?: RateLimit };
  /** The published stylesheet path, if any. */
  stylesheet?: () => string | null | undefined;
  /** Webhook registration (`{endpoint, email}`); absent: refused. */
  webhooks?: { allowLoopback: boolean; timeoutMs: number; fetch?: typeof fetch };
  log?: (line: string) => void;
}

/** A sliding-window counter per key, in memory. */
export class RateLimiter {
  private readonly hits = new Map<string, number[]>();
  private readonly limit: RateLimit;
  constructor(limit: RateLimit) {
    this.limit = limit;
  }

  /** Counts a hit; returns 0 when allowed, else the seconds until the next one would be. */
  hit(key: string, now = Date.now()): number {
    const since = now - this.limit.windowMs;
    const list = (this.hits.get(key) ?? []).filter((t) => t > since);
    if (list.length >= this.limit.max) {
      this.hits.set(key, list);
      return Math.max(1, Math.ceil((list[0]! + this.limit.windowMs - now) / 1000));
    }
    list.push(now);
    this.hits.delete(key);
    this.hits.set(key, list);
    // Bounded memory: forget the least recently used keys.
    while (this.hits.size > 50_000) this.hits.delete(this.hits.keys().next().value!);
    return 0;
  }
}

const MAX_COMPONENT_IDS = 500;

class Refusal extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly errors: FieldError[] | undefined;
  readonly retryAfter: number | undefined;
  constructor(status: number, title: string, detail: string, errors?: FieldError[], retryAfter?: number) {
    super(detail);
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.errors = errors;
    this.retryAfter = retryAfter;
  }
}

function clientIp(c: Context): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } }; server?: { incoming?: { socket?: { remoteAddress?: string } } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? env?.server?.incoming?.socket?.remoteAddress ?? "unknown";
}

export function subscriptionRoutes(deps: SubscriptionDeps): Hono {
  const { db, clock, settings } = deps;
  const log = deps.log ?? ((line: string) => console.error(line));
  const perIp = new RateLimiter(deps.limits?.perIp ?? { max: 5, windowMs: 10 * 60_000 });
  const perEmail = new RateLimiter(deps.limits?.perEmail ?? { max: 3, windowMs: 60 * 60_000 });
  const app = new Hono();
  const pageOptions = () => ({ pageName: settings.pageName, stylesheet: deps.stylesheet?.() ?? null });
  const page = (title: string, body: string, status = 200, headers: Record<string, string> = {}) =>
    htmlResponse(htmlPage(pageOptions(), title, body), status, headers);

  app.use(
    "*",
    bodyLimit({
      maxSize: 16 * 1024,
      onError: () => page("Request too large", p("That request was too large.") + backLink, 413),
    }),
  );

  async function components(): Promise<{ id: string; name: string }[]> {
    return (await listComponentViews(db.client)).filter((c) => !c.isGroup).map((c) => ({ id: c.id, name: c.name }));
  }

  /** null = everything; refuses ids that are not (non-group) components. */
  async function checkComponents(ids: unknown): Promise<string[] | null> {
    if (ids === undefined || ids === null) return null;
    const list = Array.isArray(ids) ? ids : [ids];
    if (list.length > MAX_COMPONENT_IDS || !list.every((id) => typeof id === "string")) {
      throw new Refusal(422, "Unprocessable Content", "component_ids must be a list of component ids.", [{ field: "component_ids", message: "must be a list of component ids" }]);
    }
    const known = new Set((await components()).map((c) => c.id));
    const unknown = (list as string[]).filter((id) => !known.has(id));
    if (unknown.length > 0) {
      throw new Refusal(422, "Unprocessable Content", "Some component ids are unknown.", unknown.slice(0, 20).map((id) => ({ field: "component_ids", message: `unknown component "${id.slice(0, 40)}"` })));
    }
    const unique = [...new Set(list as string[])];
    return unique.length === 0 ? null : unique;
  }

  // Subscribe ----------------------------------------------------------------------------------
  app.post("/", async (c) => {
    const type = (c.req.header("Content-Type") ?? "").toLowerCase();
    const isJson = type.startsWith("application/json");
    const refuse = (r: Refusal): Response => {
      const headers: Record<string, string> = r.retryAfter ? { "Retry-After": String(r.retryAfter) } : {};
      if (isJson) {
        for (const [k, v] of Object.entries(headers)) c.header(k, v);
        return problemResponse(c, new Problem(r.status, r.title, r.detail, r.errors ? { errors: r.errors } : {}));
      }
      return page(r.status === 429 ? "Too many requests" : "Subscription not possible", p(r.detail) + `<p><a href="/">Back to the status page</a></p>`, r.status, headers);
    };
    try {
      const wait = perIp.hit(clientIp(c));
      if (wait > 0) throw new Refusal(429, "Too Many Requests", `Too many subscription requests from your network; try again in ${Math.ceil(wait / 60)} minute(s).`, undefined, wait);

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
      } else if (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/form-data")) {
        const form = await c.req.parseBody({ all: true });
        email = form.email;
        ids = form.component_ids;
        endpoint = form.endpoint;
        if (ids !== undefined && !Array.isArray(ids)) ids = [ids];
      } else {
        throw new Refusal(415, "Unsupported Media Type", "Send a form (application/x-www-form-urlencoded) or JSON.");
      }
      if (endpoint !== undefined) return await registerWebhook(c, { endpoint, email, ids, isJson });
      const address = typeof email === "string" ? normalizeEmail(email) : null;
      if (address === null) {
        throw new Refusal(
          isJson ? 422 : 400,
          "Unprocessable Content",
          "Please give one valid email address (like name@example.com).",
          [{ field: "email", message: "must be one valid email address of at most 254 characters" }],
        );
      }
      const componentIds = await checkComponents(ids);
      const waitEmail = perEmail.hit(address);
      if (waitEmail > 0) throw new Refusal(429, "Too Many Requests", `Too many subscription requests for this address; try again in ${Math.ceil(waitEmail / 60)} minute(s).`, undefined, waitEmail);

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
      return page("Check your inbox", p(`${detail} Nothing is sent until you confirm. The link works for 48 hours.`) + backLink);
    } catch (error) {
      if (error instanceof Refusal) return refuse(error);
      throw error;
    }
  });

  // Webhooks -----------------------------------------------------------------------------------
  /**
   * `{endpoint, email}`: the endpoint is checked (https, public address), then must answer a
   * challenge (api/webhooks/challenge.ts); only then is it stored, active, and its signing
   * secret shown, once. Registering a known endpoint again makes it active again (same id and
   * secret): passing the challenge proves the registrant controls it.
   */
  async function registerWebhook(c: Context, input: { endpoint: unknown; email: unknown; ids: unknown; isJson: boolean }): Promise<Response> {
    const options = deps.webhooks;
    if (!options) throw new Refusal(404, "Not Found", "Webhook subscriptions are not enabled here.");
    const errors: FieldError[] = [];
    const address = typeof input.email === "string" ? normalizeEmail(input.email) : null;
    if (address === null) errors.push({ field: "email", message: "must be one valid contact email address (told when the endpoint fails)" });
    const check = checkEndpoint(input.endpoint, { allowLoopback: options.allowLoopback });
    if (!check.ok) errors.push({ field: "endpoint", message: check.message });
    if (errors.length > 0 || !check.ok || address === null) {
      throw new Refusal(422, "Unprocessable Content", errors.map((e) => e.message).join(" "), errors);
    }
    const componentIds = await checkComponents(input.ids);
    const wait = perEmail.hit(`webhook ${check.url}`);
    if (wait > 0) throw new Refusal(429, "Too Many Requests", `Too many registrations for this endpoint; try again in ${Math.ceil(wait / 60)} minute(s).`, undefined, wait);
    const failed = await challengeEndpoint(check.url, { timeoutMs: options.timeoutMs, ...(options.fetch ? { fetch: options.fetch } : {}) });
    if (failed !== null) {
      throw new Refusal(422, "Unprocessable Content", `The endpoint did not pass the verification challenge: ${failed}. Nothing was stored.`, [{ field: "endpoint", message: `failed the challenge: ${failed}` }]);
    }
    const subscription = await db.write((tx) =>
      upsertWebhookSubscription(tx, { id: newId(), endpoint: check.url, email: address, componentIds, now: clock.now().toISOString() }),
    );
    const secret = await signingSecret(settings.secret, subscription.id);
    const unsubscribe = await webhookUnsubscribeUrl(settings.secret, settings.pageUrl, subscription.id);
    if (input.isJson) {
      return c.json(
        {
          id: subscription.id,
          endpoint: subscription.endpoint,
          email: subscription.email,
          status: subscription.state,
          component_ids: subscription.componentIds,
          secret,
          signature_header: SIGNATURE_HEADER,
          unsubscribe_url: unsubscribe,
          documentation: documentationUrl(settings.pageUrl),
          detail: "Verified. Keep the secret: it signs every delivery and is not shown again.",
        },
        201,
      );
    }
    return page(
      "Webhook registered",
      p(`Updates will be POSTed to ${subscription.endpoint}. Each request is signed with this secret; keep it now, it is not shown again:`) +
        `<p><code>${escapeHtml(secret)}</code></p>` +
        `<p><a href="/subscriptions/webhooks">How to verify the signature</a> · <a href="${escapeHtml(unsubscribe.slice(settings.pageUrl.length))}">Unsubscribe</a></p>` +
        backLink,
      201,
    );
  }

  app.get("/webhooks", () =>
    page(
      "Webhook notifications",
      p("Subscribe with a JSON POST to /subscriptions: {\"endpoint\": \"https://…\", \"email\": \"contact address\"}. The endpoint must echo a challenge first; the answer carries the signing secret.") +
        p("Deliveries are POSTs of Statuspage's webhook JSON: meta, page and incident for incident and maintenance updates; meta, page, component and component_update for component status changes. Answer 2xx within 30 seconds; anything else (a redirect too) is retried with backoff, and 10 failures within an hour pause the subscription.") +
        p(`Headers: ${DELIVERY_HEADER} (the same on every retry of one delivery: use it to drop duplicates), ${EVENT_HEADER} (incident.update or component.update) and ${SIGNATURE_HEADER}: t=<unix seconds>,v1=<hex>. To verify, compute HMAC-SHA256 with your secret over "<t>.<raw body>", compare it with v1 in constant time, and refuse a t more than 5 minutes from your clock.`) +
        backLink,
    ),
  );

  const webhookLinkInvalid = () => page("This link is not valid", p("This link is not valid. Copy the whole link from the payload's meta.unsubscribe or from the mail.") + backLink, 400);

  app.get("/webhooks/unsubscribe", async (c) => {
    const token = c.req.query("token");
    const id = await verifyWebhookUnsubscribeToken(settings.secret, token);
    const subscription = id ? await getWebhookSubscription(db.client, id) : null;
    if (!subscription) return webhookLinkInvalid();
    if (subscription.state === "unsubscribed") return page("Already unsubscribed", p(`Nothing more is sent to ${subscription.endpoint}.`) + backLink);
    return page(
      "Remove webhook",
      p(`Press the button to stop sending ${settings.pageName} updates to ${subscription.endpoint}.`) +
        buttonForm(`/subscriptions/webhooks/unsubscribe?token=${encodeURIComponent(token!)}`, {}, "Unsubscribe"),
    );
  });

  app.post("/webhooks/unsubscribe", async (c) => {
    const id = await verifyWebhookUnsubscribeToken(settings.secret, c.req.query("token"));
    if (!id || !(await db.write((tx) => unsubscribeWebhook(tx, id, clock.now().toISOString())))) return webhookLinkInvalid();
    return page("Webhook removed", p("Nothing more is sent to this endpoint. You can register it again at any time.") + backLink);
  });

  // The subscriber's own way out, with the signing secret as the credential.
  app.delete("/webhooks/:id", async (c) => {
    const id = c.req.param("id");
    const match = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header("Authorization") ?? "");
    const known = isId(id) && match ? await getWebhookSubscription(db.client, id) : null;
    // Unknown id and wrong secret look the same, so ids cannot be probed.
    if (!known || !(await isSigningSecret(settings.secret, id, match![1]))) {
      return problemResponse(c, new Problem(404, "Not Found", "No webhook subscription with this id and secret. Send the secret as `Authorization: Bearer whsec_…`."));
    }
    await db.write((tx) => unsubscribeWebhook(tx, id, clock.now().toISOString()));
    return c.json({ id, endpoint: known.endpoint, status: "unsubscribed" });
  });

  // Confirm ------------------------------------------------------------------------------------
  type Check =
    | { kind: "invalid" }
    | { kind: "expired" }
    | { kind: "used"; subscriber: SubscriberRecord | null }
    | { kind: "ok"; confirmationId: number; subscriber: SubscriberRecord | null };

  async function checkConfirmation(token: unknown, ex: Executor = db.client): Promise<Check> {
    if (!verifyConfirmationToken(settings.secret, token)) return { kind: "invalid" };
    const row = await getConfirmationByHash(ex, confirmationTokenHash(token));
    if (!row) return { kind: "invalid" };
    const subscriber = await getSubscriber(ex, row.subscriberId);
    if (row.usedAt !== null) return { kind: "used", subscriber };
    if (row.expiresAt <= clock.now().toISOString()) return { kind: "expired" };
    return { kind: "ok", confirmationId: row.id, subscriber };
  }

  const invalidLink = () => page("This link is not valid", p("This confirmation link is not valid. Copy the whole link from the email, or subscribe again from the status page.") + backLink, 400);
  const expiredLink = () => page("This link has expired", p("This confirmation link has expired or is no longer valid. Subscribe again from the status page to get a new one.") + backLink, 410);
  const confirmedPage = (subscriber: SubscriberRecord, already: boolean) => {
    const token = unsubscribeToken(settings.secret, subscriber.id);
    return page(
      already ? "Already confirmed" : "Subscription confirmed",
      p(already ? "This subscription is already confirmed; nothing changed." : "You will now get incident and maintenance updates by email.") +
        `<p><a href="/subscriptions/manage?token=${encodeURIComponent(token)}">Choose components</a> · <a href="/subscriptions/unsubscribe?token=${encodeURIComponent(token)}">Unsubscribe</a></p>` +
        backLink,
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
      "Confirm your subscription",
      p(`Press the button to get ${settings.pageName} updates by email.`) + buttonForm("/subscriptions/confirm", { token: token! }, "Confirm subscription"),
    );
  });

  app.post("/confirm", async (c) => {
    let token: unknown = c.req.query("token");
    const type = (c.req.header("Content-Type") ?? "").toLowerCase();
    if (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/form-data")) {
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

  // Unsubscribe --------------------------------------------------------------------------------
  const forgedLink = () => page("This link is not valid", p("This link is not valid. Copy the whole link from the email.") + backLink, 400);

  async function subscriberFor(token: unknown): Promise<SubscriberRecord | null> {
    const id = typeof token === "string" ? verifyUnsubscribeToken(settings.secret, token) : null;
    return id ? getSubscriber(db.client, id) : null;
  }

  app.get("/unsubscribe", async (c) => {
    const token = c.req.query("token");
    const subscriber = await subscriberFor(token);
    if (!subscriber) return forgedLink();
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
    if (token === undefined) {
      const type = (c.req.header("Content-Type") ?? "").toLowerCase();
      if (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/form-data")) token = (await c.req.parseBody()).token;
    }
    const id = typeof token === "string" ? verifyUnsubscribeToken(settings.secret, token) : null;
    if (!id) return forgedLink();
    const done = await db.write((tx) => unsubscribeSubscriber(tx, id, clock.now().toISOString()));
    if (!done) return forgedLink();
    return page("You are unsubscribed", p("This address gets no more updates. You can subscribe again from the status page at any time.") + backLink);
  });

  // Manage -------------------------------------------------------------------------------------
  async function managePage(token: string, subscriber: SubscriberRecord, saved: boolean): Promise<Response> {
    const all = await components();
    const chosen = new Set(subscriber.componentIds ?? []);
    const choices: ComponentChoice[] = all.map((c) => ({ id: c.id, name: c.name, checked: chosen.has(c.id) }));
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
    const subscriber = await subscriberFor(token);
    if (!subscriber) return forgedLink();
    return managePage(token!, subscriber, false);
  });

  app.post("/manage", async (c) => {
    const token = c.req.query("token");
    const subscriber = await subscriberFor(token);
    if (!subscriber) return forgedLink();
    const type = (c.req.header("Content-Type") ?? "").toLowerCase();
    let ids: unknown = undefined;
    if (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/form-data")) {
      ids = (await c.req.parseBody({ all: true })).component_ids;
    }
    let componentIds: string[] | null;
    try {
      componentIds = await checkComponents(ids);
    } catch (error) {
      if (error instanceof Refusal) return page("Not saved", p(error.detail) + backLink, 422);
      throw error;
    }
    await db.write((tx) => setSubscriberComponents(tx, subscriber.id, componentIds));
    return managePage(token!, { ...subscriber, componentIds }, true);
  });

  return app;
}
