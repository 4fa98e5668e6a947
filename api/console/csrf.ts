/**
 * The console's CSRF token: every form carries `csrf`, an HMAC of the session's own token, so only
 * a page served to this session can make it (a forged form on another site cannot read it), and
 * nothing needs storing. Checked together with the Origin (domain/console-session.ts).
 */
import { base64url, constantTimeEqual, hmacSha256 } from "../encoding.ts";

export function csrfToken(sessionToken: string): string {
  return base64url(hmacSha256(sessionToken, "herald-console-csrf"));
}

export function csrfValid(sessionToken: string, given: unknown): boolean {
  return typeof given === "string" && given.length === 43 && constantTimeEqual(given, csrfToken(sessionToken));
}
