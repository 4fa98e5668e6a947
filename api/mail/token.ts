import { base64url, constantTimeEqual, hmacSha256 } from "../encoding.ts";

/**
 * One-click unsubscribe tokens: `<subscriber id>.<base64url HMAC-SHA256(secret, "unsubscribe:" + id)>`.
 * Unforgeable without the secret, and nothing to store: the id inside is checked by the MAC.
 */
function mac(secret: string, id: string): string {
  return base64url(hmacSha256(secret, `unsubscribe:${id}`));
}

export function unsubscribeToken(secret: string, subscriberId: string): string {
  if (!secret) throw new Error("unsubscribeToken needs a non-empty secret");
  return `${subscriberId}.${mac(secret, subscriberId)}`;
}

/** The subscriber id the token was made for, or null when it is not a valid token (constant-time compare). */
export function verifyUnsubscribeToken(secret: string, token: string): string | null {
  if (!secret || typeof token !== "string" || token.length > 200) return null;
  const dot = token.indexOf(".");
  if (dot <= 0) return null;
  const id = token.slice(0, dot);
  if (!/^[0-9a-z]{12}$/.test(id)) return null;
  // Only the canonical spelling is accepted: comparing the text also compares the bytes.
  return constantTimeEqual(token.slice(dot + 1), mac(secret, id)) ? id : null;
}
