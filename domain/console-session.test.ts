import { describe, expect, test } from "vitest";
import { clearedSessionCookie, fromOwnOrigin, SESSION_IDLE_MS, sessionCookie, sessionState, signInLinkUsable, touchDue } from "./console-session.ts";

const at = (iso: string, ms = 0) => new Date(Date.parse(iso) + ms).toISOString();
const T = "2026-12-03T10:00:00.000Z";

describe("sessions", () => {
  const member = { removedAt: null };
  test("live until idle for 12 hours; revoked when signed out or the member is removed", () => {
    expect(sessionState({ lastSeenAt: T, revokedAt: null }, member, at(T, SESSION_IDLE_MS - 1))).toBe("live");
    expect(sessionState({ lastSeenAt: T, revokedAt: null }, member, at(T, SESSION_IDLE_MS))).toBe("expired");
    expect(sessionState({ lastSeenAt: T, revokedAt: T }, member, T)).toBe("revoked");
    expect(sessionState({ lastSeenAt: T, revokedAt: null }, { removedAt: T }, T)).toBe("revoked");
    expect(sessionState({ lastSeenAt: T, revokedAt: null }, null, T)).toBe("revoked");
  });

  test("the last use is written at most once a minute", () => {
    expect(touchDue(T, at(T, 59_999))).toBe(false);
    expect(touchDue(T, at(T, 60_000))).toBe(true);
  });
});

describe("sign-in links", () => {
  test("work once, before they expire", () => {
    const link = { expiresAt: at(T, 15 * 60_000), usedAt: null };
    expect(signInLinkUsable(link, T)).toBe(true);
    expect(signInLinkUsable(link, link.expiresAt)).toBe(false);
    expect(signInLinkUsable({ ...link, usedAt: T }, T)).toBe(false);
  });
});

describe("requests from the console's own pages", () => {
  const page = "https://status.example.com";
  test.each([
    [{ origin: "https://status.example.com", referer: null }, true],
    [{ origin: "https://evil.example.com", referer: "https://status.example.com/console" }, false],
    [{ origin: "null", referer: "https://status.example.com/console" }, false],
    [{ origin: "http://status.example.com", referer: null }, false],
    [{ origin: null, referer: "https://status.example.com/console/incidents" }, true],
    [{ origin: null, referer: "https://status.example.com.evil.example/" }, false],
    [{ origin: null, referer: null }, false],
    [{ origin: "", referer: "javascript:alert(1)" }, false],
  ] as const)("%j → %s", (headers, expected) => {
    expect(fromOwnOrigin(headers, page)).toBe(expected);
  });
});

describe("the session cookie", () => {
  test("__Host-, Secure, HttpOnly, SameSite=Lax on https; without the prefix and Secure on plain http", () => {
    expect(sessionCookie("abc", true)).toBe("__Host-herald_console=abc; Path=/; HttpOnly; SameSite=Lax; Secure");
    expect(sessionCookie("abc", false)).toBe("herald_console=abc; Path=/; HttpOnly; SameSite=Lax");
    expect(clearedSessionCookie(true)).toBe("__Host-herald_console=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0; Secure");
  });
});
