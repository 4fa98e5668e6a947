import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * One-click unsubscribe tokens: `<subscriber id>.<base64url HMAC-SHA256(secret, "unsubscribe:" + id)>`.
 * Unforgeable without the secret, and nothing to store: the id inside is checked by the MAC.
 */
function mac(secret: string, id: string): Buffer {
  return createHmac("sha256", secret).update(`unsubscribe:${id}`).digest();
}

export function unsubscribeToken(secret: string, subscriberId: string): string {
  if (!secret) throw new Error("unsubscribeToken needs a non-empty secret");
  return `${subscriberId}.${mac(secret, subscriberId).toString("base64url")}`;
}

/** The subscriber id the token was made for, or null when it is not a valid token (constant-time compare). */
export function verifyUnsubscribeToken(secret: string, token: string): string | null {
  if (!secret || typeof token !== "string" || token.length > 200) return null;
  const dot = token.indexOf(".");
  if (dot <= 0) return null;
  const id = token.slice(0, dot);
  if (!/^[0-9a-z]{12}$/.test(id)) return null;
  const given = Buffer.from(token.slice(dot + 1), "base64url");
  const expected = mac(secret, id);
  if (given.length !== expected.length) return null;
  // base64url decoding is lenient; also require the canonical spelling.
  if (!timingSafeEqual(given, expected) || given.toString("base64url") !== token.slice(dot + 1)) return null;
  return id;
}
