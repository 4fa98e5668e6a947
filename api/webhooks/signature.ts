/**
 * Webhook signatures and secrets, with Web Crypto only (Node and Workers alike).
 *
 * Every delivery carries `X-Herald-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` computed
 * over `<t>.<raw body>` with the subscription's signing secret as the key (its UTF-8 bytes).
 * Receivers recompute it, compare in constant time and refuse a `t` too far from their clock.
 *
 * A subscription's signing secret is derived, not stored: `whsec_` + base64url(HMAC-SHA256(
 * HERALD_SECRET, "webhook-signing:" + id)). The database alone therefore cannot sign for anyone,
 * and the secret can be shown to the subscriber at registration without being kept anywhere.
 * The unsubscribe link's token is derived the same way under its own label.
 *
 * Every delivery is also signed the Standard Webhooks way (https://www.standardwebhooks.com/):
 * `webhook-id`, `webhook-timestamp` and `webhook-signature: v1,<base64 HMAC-SHA256>` over
 * `<id>.<timestamp>.<raw body>`, keyed with the same 32 secret bytes — so receivers can verify
 * with the maintained libraries, given the secret in their encoding (standard base64:
 * `standardWebhooksSecret`).
 */
import { constantTimeEqual } from "../service/keys.ts";

export const SIGNATURE_HEADER = "X-Herald-Signature";
export const DELIVERY_HEADER = "X-Herald-Delivery";
export const EVENT_HEADER = "X-Herald-Event";
/** How far from the receiver's clock a signature's time may be (the README's verification snippet uses it too). */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

const encoder = new TextEncoder();

async function hmac(key: string, message: string): Promise<Uint8Array> {
  const cryptoKey = await crypto.subtle.importKey("raw", encoder.encode(key), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, encoder.encode(message)));
}

const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function requireSecret(secret: string): void {
  if (!secret) throw new Error("webhook signing needs a non-empty HERALD_SECRET");
}

/** The signing secret of a subscription (shown to its owner once, at registration). */
export async function signingSecret(heraldSecret: string, subscriptionId: string): Promise<string> {
  requireSecret(heraldSecret);
  return `whsec_${base64url(await hmac(heraldSecret, `webhook-signing:${subscriptionId}`))}`;
}

async function secretBytes(heraldSecret: string, subscriptionId: string): Promise<Uint8Array> {
  requireSecret(heraldSecret);
  return hmac(heraldSecret, `webhook-signing:${subscriptionId}`);
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** The same secret as the Standard Webhooks libraries take it: `whsec_` + standard base64 of its 32 bytes. */
export async function standardWebhooksSecret(heraldSecret: string, subscriptionId: string): Promise<string> {
  return `whsec_${base64(await secretBytes(heraldSecret, subscriptionId))}`;
}

/** The three Standard Webhooks headers of one delivery (the id stays the same across retries). */
export async function standardWebhooksHeaders(heraldSecret: string, subscriptionId: string, messageId: string, body: string, unixSeconds: number): Promise<Record<string, string>> {
  const key = await crypto.subtle.importKey("raw", (await secretBytes(heraldSecret, subscriptionId)) as Uint8Array<ArrayBuffer>, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const signature = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(`${messageId}.${unixSeconds}.${body}`)));
  return { "webhook-id": messageId, "webhook-timestamp": String(unixSeconds), "webhook-signature": `v1,${base64(signature)}` };
}

/** True when `presented` is this subscription's signing secret (constant-time compare). */
export async function isSigningSecret(heraldSecret: string, subscriptionId: string, presented: unknown): Promise<boolean> {
  if (typeof presented !== "string" || presented.length > 200) return false;
  return constantTimeEqual(presented, await signingSecret(heraldSecret, subscriptionId));
}

/** The `X-Herald-Signature` value for a body sent at `unixSeconds`. */
export async function signatureHeader(secret: string, body: string, unixSeconds: number): Promise<string> {
  requireSecret(secret);
  return `t=${unixSeconds},v1=${hex(await hmac(secret, `${unixSeconds}.${body}`))}`;
}

/**
 * What a receiver does: true when one of the header's v1 signatures matches the body under
 * `secret` and its time is within `toleranceSeconds` of `nowSeconds`.
 */
export async function verifySignature(
  secret: string,
  body: string,
  header: string | null | undefined,
  nowSeconds: number,
  toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS,
): Promise<boolean> {
  if (!secret || typeof header !== "string" || header.length > 1000) return false;
  const fields = header.split(",").map((part) => part.trim().split("=", 2) as [string, string | undefined]);
  const t = fields.find(([k]) => k === "t")?.[1];
  if (!t || !/^\d{1,12}$/.test(t) || Math.abs(nowSeconds - Number(t)) > toleranceSeconds) return false;
  const expected = hex(await hmac(secret, `${t}.${body}`));
  return fields.some(([k, v]) => k === "v1" && v !== undefined && constantTimeEqual(v, expected));
}

/** A link's token for a record id under a label: `<id>.<base64url HMAC>` (derived, never stored). */
async function idToken(heraldSecret: string, label: string, id: string): Promise<string> {
  requireSecret(heraldSecret);
  return `${id}.${base64url(await hmac(heraldSecret, `${label}:${id}`))}`;
}

/** The id an `idToken` under `label` was made for, or null (constant-time compare). */
async function verifyIdToken(heraldSecret: string, label: string, token: unknown): Promise<string | null> {
  if (!heraldSecret || typeof token !== "string" || token.length > 200) return null;
  const match = /^([0-9a-z]{12})\.[A-Za-z0-9_-]{43}$/.exec(token);
  if (!match) return null;
  return constantTimeEqual(token, await idToken(heraldSecret, label, match[1]!)) ? match[1]! : null;
}

/** The token in a subscription's unsubscribe link. */
export const webhookUnsubscribeToken = (heraldSecret: string, subscriptionId: string) => idToken(heraldSecret, "webhook-unsubscribe", subscriptionId);
/** The subscription id an unsubscribe token was made for, or null. */
export const verifyWebhookUnsubscribeToken = (heraldSecret: string, token: unknown) => verifyIdToken(heraldSecret, "webhook-unsubscribe", token);

/** The subscription's unsubscribe link (in every payload's `meta.unsubscribe` and in its mails). */
export async function webhookUnsubscribeUrl(heraldSecret: string, pageUrl: string, subscriptionId: string): Promise<string> {
  return `${pageUrl}/subscriptions/webhooks/unsubscribe?token=${encodeURIComponent(await webhookUnsubscribeToken(heraldSecret, subscriptionId))}`;
}

/** The token in a chat channel's confirmation link. */
export const chatConfirmToken = (heraldSecret: string, confirmationId: string) => idToken(heraldSecret, "chat-confirm", confirmationId);
/** The confirmation id a chat confirmation token was made for, or null. */
export const verifyChatConfirmToken = (heraldSecret: string, token: unknown) => verifyIdToken(heraldSecret, "chat-confirm", token);
