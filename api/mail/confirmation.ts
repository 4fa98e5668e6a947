/**
 * Double opt-in confirmation mail: the link's token and the message. The mail itself is an outbox
 * row (db/queries/subscribers.ts insertConfirmation) sent by the one sender (api/mail/sender.ts)
 * with every other mail; the token is derived from the stored nonce, not random at send time, so a
 * batch resent after a crash is byte-identical under the same Idempotency-Key.
 */
import { base64url, constantTimeEqual, hmacSha256, randomBase64url, sha256HexSync } from "../encoding.ts";
import type { ConfirmationItem } from "../../db/queries/outbox.ts";
import { escapeHtml } from "../../templates/markdown.ts";
import { designedMail } from "./design.ts";
import { formatPosted } from "../../domain/time.ts";
import { wordsOf } from "../../locales/words.ts";
import { headerSafe, listHeaders, unsubscribeUrl, type MailSettings, type OutgoingMessage } from "./message.ts";

/** How long a confirmation link works. */
export const CONFIRMATION_TTL_MS = 48 * 60 * 60 * 1000;
/**
 * A repeated request for a pending address within this window (a double click, an impatient
 * second try) mails nothing new: the first mail's link still works. After it, a new mail is sent,
 * in case the first was lost.
 */
export const CONFIRMATION_RESEND_WINDOW_MS = 10 * 60 * 1000;

function confirmMac(secret: string, nonce: string): string {
  return base64url(hmacSha256(secret, `confirm:${nonce}`));
}

/** A fresh random nonce (128 bits, base64url). */
export function newConfirmationNonce(): string {
  return randomBase64url(16);
}

/** The link token for a nonce: `<nonce>.<base64url HMAC>`. */
export function confirmationToken(secret: string, nonce: string): string {
  if (!secret) throw new Error("confirmationToken needs a non-empty secret");
  return `${nonce}.${confirmMac(secret, nonce)}`;
}

/** What is stored to find a token: its SHA-256 (hex). */
export function confirmationTokenHash(token: string): string {
  return sha256HexSync(token);
}

/** True when the token was made with this secret (constant-time compare, canonical spelling). */
export function verifyConfirmationToken(secret: string, token: unknown): token is string {
  if (!secret || typeof token !== "string" || token.length > 200) return false;
  const m = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return false;
  return constantTimeEqual(m[2]!, confirmMac(secret, m[1]!));
}

export function confirmationUrl(settings: MailSettings, nonce: string): string {
  return `${settings.pageUrl}/subscriptions/confirm?token=${encodeURIComponent(confirmationToken(settings.secret, nonce))}`;
}

/** The confirmation mail, in the mail design: a button to a page with a button (no state change on GET). */
export function buildConfirmationMessage(settings: MailSettings, item: Pick<ConfirmationItem, "subscriberId" | "email" | "nonce" | "expiresAt">): OutgoingMessage {
  const pageName = headerSafe(settings.pageName);
  const link = confirmationUrl(settings, item.nonce);
  // Like every mail, it can be refused in one click: unsubscribing a pending address ends the confirmations too.
  const unsubscribe = unsubscribeUrl(settings, item.subscriberId);
  const w = wordsOf(settings);
  const t = w.t;
  const subject = headerSafe(t("confirm_mail.subject", { page: pageName }));
  // English keeps the RFC 1123 date it always had; other locales write it their way, in the page's zone.
  const expires = w.locale === "en" ? new Date(item.expiresAt).toUTCString() : formatPosted(item.expiresAt, settings.timeZone, w.locale);
  const paragraphs = [t("confirm_mail.hello"), t("confirm_mail.asked", { page: pageName }), t("confirm_mail.expires", { time: expires })];
  const { html, text } = designedMail({
    settings,
    subject,
    preheader: t("confirm_mail.preheader", { page: pageName }),
    title: t("confirm_mail.title"),
    facts: [],
    components: [],
    body: { html: paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join("\n"), text: paragraphs.join("\n\n") },
    action: { label: t("confirm_mail.title"), url: link },
    footer: { reason: t("confirm_mail.not_you"), unsubscribe: { url: unsubscribe, label: t("confirm_mail.never") } },
  });
  return { from: headerSafe(settings.from), to: headerSafe(item.email), subject, html, text, headers: listHeaders(settings, item.subscriberId) };
}
