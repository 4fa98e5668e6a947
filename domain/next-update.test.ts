import { describe, expect, it } from "vitest";
import { parseNextUpdate } from "./next-update.ts";

const now = new Date("2026-01-15T14:05:00.000Z");

describe("parseNextUpdate", () => {
  it("reads durations from now", () => {
    expect(parseNextUpdate("30m", now)).toBe("2026-01-15T14:35:00.000Z");
    expect(parseNextUpdate("1h", now)).toBe("2026-01-15T15:05:00.000Z");
    expect(parseNextUpdate("1h30m", now)).toBe("2026-01-15T15:35:00.000Z");
    expect(parseNextUpdate("45min", now)).toBe("2026-01-15T14:50:00.000Z");
  });

  it("reads a UTC clock time as its next occurrence", () => {
    expect(parseNextUpdate("14:30Z", now)).toBe("2026-01-15T14:30:00.000Z");
    expect(parseNextUpdate("14:00 UTC", now)).toBe("2026-01-16T14:00:00.000Z");
  });

  it("reads a bare clock time on this machine's clock (whatever TZ the suite runs in)", () => {
    const expected = new Date(now);
    expected.setHours(23, 45, 0, 0);
    if (expected <= now) expected.setDate(expected.getDate() + 1);
    expect(parseNextUpdate("23:45", now)).toBe(expected.toISOString());
    const parsed = new Date(parseNextUpdate("09:15", now)!);
    expect([parsed.getHours(), parsed.getMinutes()]).toEqual([9, 15]);
    expect(parsed.getTime()).toBeGreaterThan(now.getTime());
    expect(parsed.getTime() - now.getTime()).toBeLessThanOrEqual(25 * 3_600_000);
  });

  it("takes ISO-8601 with a zone as is, and refuses anything else", () => {
    expect(parseNextUpdate("2026-01-15T16:00:00+01:00", now)).toBe("2026-01-15T15:00:00.000Z");
    for (const bad of ["", "soon", "0m", "25:00", "2026-01-15T16:00:00", "14.30"]) expect(parseNextUpdate(bad, now)).toBeNull();
  });
});
