/**
 * The console's sign-in mail: a single-use link to /console/sign-in/<token>. The mail is an outbox
 * row (kind `sign_in`) sent by the one sender with every other mail. The token is derived from the
 * link's stored nonce with HERALD_SECRET — not random at send time — so a batch resent after a
 * crash is byte-identical under the same Idempotency-Key; only its SHA-256 is stored.
 */
import { SIGN_IN_LINK_TTL_MS } from "../../domain/console-session.ts";
import type { SignInItem } from "../../db/queries/outbox.ts";
import { formatTime } from "../../domain/time.ts";
import { base64url, hmacSha256 } from "../encoding.ts";
import { escapeHtml } from "../../templates/markdown.ts";
import { designedMail } from "./design.ts";
import { headerSafe, type MailSettings, type OutgoingMessage } from "./message.ts";

/** The token a mailed link carries: base64url HMAC-SHA256(secret, "console-sign-in:" + nonce), 43 characters like a printed one. */
export function signInMailToken(secret: string, nonce: string): string {
  if (!secret) throw new Error("signInMailToken needs a non-empty secret");
  return base64url(hmacSha256(secret, `console-sign-in:${nonce}`));
}

export function signInUrl(pageUrl: string, token: string): string {
  return `${pageUrl}/console/sign-in/${encodeURIComponent(token)}`;
}

export function buildSignInMessage(settings: MailSettings, item: Pick<SignInItem, "email" | "memberName" | "nonce" | "expiresAt">): OutgoingMessage {
  const pageName = headerSafe(settings.pageName);
  const link = signInUrl(settings.pageUrl, signInMailToken(settings.secret, item.nonce));
  const subject = headerSafe(`Sign in to the ${pageName} console`);
  const minutes = Math.round(SIGN_IN_LINK_TTL_MS / 60_000);
  const words = [
    `Hello ${item.memberName},`,
    `Someone (hopefully you) asked to sign in to the ${pageName} console with this address. Open the link and press Sign in.`,
    `The link works once, for ${minutes} minutes (until ${formatTime(item.expiresAt, settings.timeZone)}). If you did not ask for it, ignore this mail: nobody can sign in without the link.`,
  ];
  const { html, text } = designedMail({
    // For a member of the team: in English, as the console is, whatever PAGE_LOCALE says.
    settings: { ...settings, locale: "en", messages: undefined },
    subject,
    preheader: `Your single-use link to the ${pageName} console.`,
    title: "Sign in to the console",
    facts: [],
    components: [],
    body: { html: words.map((w) => `<p>${escapeHtml(w)}</p>`).join("\n"), text: words.join("\n\n") },
    action: { label: "Sign in", url: link },
    footer: { reason: `You are a member of the ${pageName} team.` },
  });
  return { from: headerSafe(settings.from), to: headerSafe(item.email), subject, html, text, headers: {} };
}
