/**
 * Webhook subscriptions on the public host: registration (`POST /subscriptions` with an
 * endpoint, dispatched here from subscribe.ts), the payload documentation page, and the two ways
 * out (the signed unsubscribe link, and DELETE with the signing secret).
 */
import { Hono, type Context } from "hono";
import { getChatConfirmation, getWebhookSubscription, insertChatConfirmation, markChatConfirmed, unsubscribeWebhook, upsertWebhookSubscription } from "../../db/queries/webhooks.ts";
import { normalizeEmail } from "../../domain/email.ts";
import { isId, newId } from "../../domain/ids.ts";
import { checkEndpoint } from "../../domain/webhook-endpoint.ts";
import { escapeHtml } from "../../templates/markdown.ts";
import { problemResponse } from "../http/problem-response.ts";
import { Problem, type FieldError } from "../problem.ts";
import { challengeEndpoint } from "../webhooks/challenge.ts";
import { chatBody, confirmationMessage } from "../webhooks/chat.ts";
import { describeStatus, postJson } from "../webhooks/post.ts";
import { CHAT_LABELS, chatFormatOf, type ChatFormat } from "../../domain/chat.ts";
import { documentationUrl } from "../webhooks/payload.ts";
import {
  DELIVERY_HEADER,
  EVENT_HEADER,
  isSigningSecret,
  SIGNATURE_HEADER,
  signingSecret,
  standardWebhooksSecret,
  chatConfirmToken,
  verifyChatConfirmToken,
  verifyWebhookUnsubscribeToken,
  webhookUnsubscribeUrl,
} from "../webhooks/signature.ts";
import { checkComponents, Refusal, type SubscriptionContext } from "./context.ts";
import { backLink, buttonForm, p } from "./pages.ts";
import { around, words, wordsOf } from "../../locales/words.ts";

/** Webhook and chat-channel pages are for the integrator, as the API and its documentation are: in English. */
const english = words("UTC").t;

/**
 * `{endpoint, email}`: the endpoint is checked (https, public address), then must answer a
 * challenge (api/webhooks/challenge.ts); only then is it stored, active, and its signing
 * secret shown, once. Registering a known endpoint again makes it active again (same id and
 * secret): passing the challenge proves the registrant controls it. Throws a Refusal, which
 * the subscribe route answers in the request's format.
 */
export async function registerWebhook(
  ctx: SubscriptionContext,
  c: Context,
  input: { endpoint: unknown; email: unknown; ids: unknown; isJson: boolean },
): Promise<Response> {
  const { db, clock, settings, page } = ctx;
  const options = ctx.deps.webhooks;
  if (!options) throw new Refusal(404, "Not Found", "Webhook subscriptions are not enabled here.");
  const errors: FieldError[] = [];
  const address = typeof input.email === "string" ? normalizeEmail(input.email) : null;
  if (address === null) errors.push({ field: "email", message: "must be one valid contact email address (told when the endpoint fails)" });
  const check = checkEndpoint(input.endpoint, { allowLoopback: options.allowLoopback });
  if (!check.ok) errors.push({ field: "endpoint", message: check.message });
  if (errors.length > 0 || !check.ok || address === null) {
    throw new Refusal(422, "Unprocessable Content", errors.map((e) => e.message).join(" "), errors);
  }
  const componentIds = await checkComponents(ctx, input.ids);
  // The per-address limit holds per endpoint too, so no one can make us challenge a URL over and over.
  const wait = ctx.perEmail.hit(`webhook ${check.url}`);
  if (wait > 0) throw new Refusal(429, "Too Many Requests", `Too many registrations for this endpoint; try again in ${Math.ceil(wait / 60)} minute(s).`, undefined, wait);
  const chat = chatFormatOf(new URL(check.url), { loopback: options.allowLoopback });
  if (chat) return registerChatChannel(ctx, c, { endpoint: check.url, email: address, componentIds, format: chat, isJson: input.isJson });
  const failed = await challengeEndpoint(check.url, { timeoutMs: options.timeoutMs, ...(options.fetch ? { fetch: options.fetch } : {}) });
  if (failed !== null) {
    throw new Refusal(422, "Unprocessable Content", `The endpoint did not pass the verification challenge: ${failed}. Nothing was stored.`, [{ field: "endpoint", message: `failed the challenge: ${failed}` }]);
  }
  const subscription = await db.write((tx) =>
    upsertWebhookSubscription(tx, { id: newId(), endpoint: check.url, email: address, componentIds, now: clock.now().toISOString() }),
  );
  const secret = await signingSecret(settings.secret, subscription.id);
  const standardSecret = await standardWebhooksSecret(settings.secret, subscription.id);
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
        // The same key for the Standard Webhooks headers (webhook-id, -timestamp, -signature), as its libraries take it.
        standard_webhooks_secret: standardSecret,
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
      p("Verifying with a Standard Webhooks library (webhook-signature header)? Give it the same secret in its encoding:") +
      `<p><code>${escapeHtml(standardSecret)}</code></p>` +
      `<p><a href="/subscriptions/webhooks">How to verify the signature</a> · <a href="${escapeHtml(unsubscribe.slice(settings.pageUrl.length))}">Unsubscribe</a></p>` +
      backLink(english),
    201,
  );
}

/** How long a chat channel's confirmation link works. */
export const CHAT_CONFIRM_DAYS = 7;

/**
 * A Slack, Discord or Teams incoming webhook cannot echo a challenge: a message with a
 * confirmation link is posted into the channel instead, and nothing is sent there until a member
 * of the channel confirms. A channel that does not take the message is refused, and nothing is stored.
 */
async function registerChatChannel(
  ctx: SubscriptionContext,
  c: Context,
  r: { endpoint: string; email: string; componentIds: string[] | null; format: ChatFormat; isJson: boolean },
): Promise<Response> {
  const { db, clock, settings, page } = ctx;
  const options = ctx.deps.webhooks!;
  const id = newId();
  const now = clock.now();
  const link = `${settings.pageUrl}/subscriptions/webhooks/confirm?token=${encodeURIComponent(await chatConfirmToken(settings.secret, id))}`;
  const body = chatBody(r.format, confirmationMessage(settings.pageName, link, CHAT_CONFIRM_DAYS, wordsOf(settings)));
  const outcome = await postJson(r.endpoint, body, {}, { timeoutMs: options.timeoutMs, fetch: options.fetch });
  if (outcome.kind !== "answered" || outcome.status < 200 || outcome.status >= 300) {
    if (outcome.kind === "answered") await outcome.response.body?.cancel().catch(() => {});
    const why = outcome.kind === "timeout" ? "no answer in time" : outcome.kind === "unreachable" ? outcome.error : describeStatus(outcome.status);
    throw new Refusal(422, "Unprocessable Content", `The ${CHAT_LABELS[r.format]} channel did not take the confirmation message (${why}). Nothing was stored.`, [{ field: "endpoint", message: `the channel refused the confirmation message: ${why}` }]);
  }
  await outcome.response.body?.cancel().catch(() => {});
  await db.write((tx) => insertChatConfirmation(tx, { id, endpoint: r.endpoint, email: r.email, format: r.format, componentIds: r.componentIds, now: now.toISOString(), expiresAt: new Date(now.getTime() + CHAT_CONFIRM_DAYS * 86_400_000).toISOString() }));
  const detail = `A message with a confirmation link was posted to the ${CHAT_LABELS[r.format]} channel; nothing is sent there until a member of the channel confirms (within ${CHAT_CONFIRM_DAYS} days).`;
  if (r.isJson) return c.json({ id, endpoint: r.endpoint, email: r.email, format: r.format, status: "pending", component_ids: r.componentIds, detail }, 202);
  return page("Check the channel", p(detail) + backLink(english), 202);
}

/** GET /webhooks (the documentation page), the unsubscribe link, and DELETE /webhooks/:id. */
export function webhookRoutes(ctx: SubscriptionContext): Hono {
  const { db, clock, settings, page } = ctx;
  const app = new Hono();

  app.get("/webhooks", () =>
    page(
      "Webhook notifications",
      p("Subscribe with a JSON POST to /subscriptions: {\"endpoint\": \"https://…\", \"email\": \"contact address\"}. The endpoint must echo a challenge first; the answer carries the signing secret.") +
        p("Deliveries are POSTs of Statuspage's webhook JSON: meta, page and incident for incident and maintenance updates; meta, page, component and component_update for component status changes. Answer 2xx within 30 seconds; anything else (a redirect too) is retried with backoff, and 10 failures within an hour pause the subscription.") +
        p("A Slack, Discord or Microsoft Teams incoming-webhook URL is recognised: instead of the challenge, a message with a confirmation link is posted into the channel, and once a member of the channel confirms, every update arrives there as the service's own message (Slack blocks, a Discord embed, a Teams card).") +
        p(`Headers: ${DELIVERY_HEADER} (the same on every retry of one delivery: use it to drop duplicates), ${EVENT_HEADER} (incident.update or component.update) and ${SIGNATURE_HEADER}: t=<unix seconds>,v1=<hex>. To verify, compute HMAC-SHA256 with your secret over "<t>.<raw body>", compare it with v1 in constant time, and refuse a t more than 5 minutes from your clock.`) +
        backLink(english),
    ),
  );

  const webhookLinkInvalid = () => page("This link is not valid", p("This link is not valid. Copy the whole link from the payload's meta.unsubscribe or from the mail.") + backLink(english), 400);

  // A chat channel's confirmation: the link shows a button (link previews in chat apps fetch it; only a person presses).
  // A member of the channel reads these pages: in the page's words, as the message they came from.
  const { t } = ctx;
  const chatLinkInvalid = () => page(t("sub.invalid_title"), p(t("chat.link_invalid")) + backLink(t), 400);
  const chatExpired = () => page(t("sub.expired_title"), p(t("chat.link_expired")) + backLink(t), 410);
  const chatAlready = (format: ChatFormat) => page(t("sub.already_confirmed_title"), p(t("chat.already", { chat: CHAT_LABELS[format], page: settings.pageName })) + backLink(t));
  const pendingChat = async (token: string | undefined) => {
    const id = await verifyChatConfirmToken(settings.secret, token);
    return id ? await getChatConfirmation(db.client, id) : null;
  };
  app.get("/webhooks/confirm", async (c) => {
    const token = c.req.query("token");
    const pending = await pendingChat(token);
    if (!pending) return chatLinkInvalid();
    if (pending.confirmedAt) return chatAlready(pending.format);
    if (pending.expiresAt <= clock.now().toISOString()) return chatExpired();
    return page(
      t("chat.confirm_page_title"),
      p(t("chat.confirm_press", { page: settings.pageName, chat: CHAT_LABELS[pending.format] })) +
        buttonForm(`/subscriptions/webhooks/confirm?token=${encodeURIComponent(token!)}`, {}, t("chat.confirm")),
    );
  });
  app.post("/webhooks/confirm", async (c) => {
    const token = c.req.query("token");
    const pending = await pendingChat(token);
    if (!pending) return chatLinkInvalid();
    const now = clock.now().toISOString();
    if (!pending.confirmedAt && pending.expiresAt <= now) return chatExpired();
    const subscription = pending.confirmedAt
      ? null
      : await db.write(async (tx) => {
          const s = await upsertWebhookSubscription(tx, { id: newId(), endpoint: pending.endpoint, email: pending.email, componentIds: pending.componentIds, now, format: pending.format });
          return (await markChatConfirmed(tx, pending.id, s.id, now)) ? s : null;
        });
    if (!subscription) return chatAlready(pending.format);
    const unsubscribe = await webhookUnsubscribeUrl(settings.secret, settings.pageUrl, subscription.id);
    const [stopBefore, stopAfter] = around(t, "chat.stop", { chat: CHAT_LABELS[pending.format] }, "link");
    return page(
      t("chat.confirmed_title"),
      p(t("chat.confirmed", { page: settings.pageName, chat: CHAT_LABELS[pending.format] })) +
        `<p>${escapeHtml(stopBefore)}<a href="${escapeHtml(unsubscribe.slice(settings.pageUrl.length))}">${escapeHtml(t("chat.stop_link"))}</a>${escapeHtml(stopAfter)}</p>` +
        backLink(t),
    );
  });

  app.get("/webhooks/unsubscribe", async (c) => {
    const token = c.req.query("token");
    const id = await verifyWebhookUnsubscribeToken(settings.secret, token);
    const subscription = id ? await getWebhookSubscription(db.client, id) : null;
    if (!subscription) return webhookLinkInvalid();
    if (subscription.state === "unsubscribed") return page("Already unsubscribed", p(`Nothing more is sent to ${subscription.endpoint}.`) + backLink(english));
    return page(
      "Remove webhook",
      p(`Press the button to stop sending ${settings.pageName} updates to ${subscription.endpoint}.`) +
        buttonForm(`/subscriptions/webhooks/unsubscribe?token=${encodeURIComponent(token!)}`, {}, "Unsubscribe"),
    );
  });

  app.post("/webhooks/unsubscribe", async (c) => {
    const id = await verifyWebhookUnsubscribeToken(settings.secret, c.req.query("token"));
    if (!id || !(await db.write((tx) => unsubscribeWebhook(tx, id, clock.now().toISOString())))) return webhookLinkInvalid();
    return page("Webhook removed", p("Nothing more is sent to this endpoint. You can register it again at any time.") + backLink(english));
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

  return app;
}
