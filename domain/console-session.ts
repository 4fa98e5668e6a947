/**
 * The comms console's sign-in and session rules (issue 13's groundwork): how long a sign-in link
 * and an idle session live, when a session still stands, which requests come from the console's
 * own pages, and the cookie that carries a session. Pure: the clock, the tokens and the store are
 * the caller's.
 */

/** A mailed or printed sign-in link works once, for this long. */
export const SIGN_IN_LINK_TTL_MS = 15 * 60_000;
/** A session nobody used for this long is over. */
export const SESSION_IDLE_MS = 12 * 60 * 60_000;
/** A session's last use is written at most this often (a page view should not always write). */
export const SESSION_TOUCH_MS = 60_000;

export type SessionState = "live" | "expired" | "revoked";

/**
 * Whether a session still stands at `now`: revoked (signed out, or its member removed) wins over
 * expired (idle for SESSION_IDLE_MS or more).
 */
export function sessionState(
  session: { lastSeenAt: string; revokedAt: string | null },
  member: { removedAt: string | null } | null,
  now: string,
): SessionState {
  if (session.revokedAt !== null || member === null || member.removedAt !== null) return "revoked";
  return Date.parse(now) - Date.parse(session.lastSeenAt) >= SESSION_IDLE_MS ? "expired" : "live";
}

/** True when a live session's last use should be written now. */
export function touchDue(lastSeenAt: string, now: string): boolean {
  return Date.parse(now) - Date.parse(lastSeenAt) >= SESSION_TOUCH_MS;
}

/** Whether a sign-in link can still be used at `now`. */
export function signInLinkUsable(link: { expiresAt: string; usedAt: string | null }, now: string): boolean {
  return link.usedAt === null && Date.parse(now) < Date.parse(link.expiresAt);
}

function originOf(url: string): string | null {
  try {
    const u = new URL(url);
    return u.protocol === "http:" || u.protocol === "https:" ? u.origin : null;
  } catch {
    return null;
  }
}

/**
 * A state-changing request comes from the console's own pages: its `Origin` is the page's origin;
 * a browser that sends no Origin must send a `Referer` from it. Neither (or "null") is refused.
 */
export function fromOwnOrigin(headers: { origin: string | null; referer: string | null }, pageUrl: string): boolean {
  const own = originOf(pageUrl);
  if (own === null) return false;
  if (headers.origin !== null && headers.origin !== "") return headers.origin === own;
  return headers.referer !== null && originOf(headers.referer) === own;
}

/**
 * The session cookie. On https a `__Host-` cookie (Secure, Path=/, no Domain: only this host can
 * set or read it); on plain http (a laptop's localhost) the same without the prefix and Secure,
 * which browsers would refuse there. HttpOnly and SameSite=Lax always; no Max-Age, so it ends
 * with the browser, and the server's idle rule ends it sooner.
 */
export function sessionCookieName(secure: boolean): string {
  return secure ? "__Host-herald_console" : "herald_console";
}

export function sessionCookie(value: string, secure: boolean): string {
  return `${sessionCookieName(secure)}=${value}; Path=/; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;
}

/** The header that ends the session cookie in the browser (sign-out). */
export function clearedSessionCookie(secure: boolean): string {
  return `${sessionCookieName(secure)}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${secure ? "; Secure" : ""}`;
}
