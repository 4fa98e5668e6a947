import { describe, expect, it } from "vitest";
import { incident, update } from "./test-fixtures.ts";
import { nextUpdateView } from "./view.ts";

function promising(status: "investigating" | "resolved", displayAt: string, nextUpdateAt: string | null) {
  const i = incident({ id: "in0000000001", name: "API", severity: "SEV1", status }, []);
  i.updates = [update({ id: "up0000000001", incidentId: i.id, seq: 1, status, displayAt, nextUpdateAt })];
  return i;
}

describe("nextUpdateView", () => {
  it("says when the next update is due, in the page's zone with its label", () => {
    const view = nextUpdateView(promising("investigating", "2026-01-15T19:05:00.000Z", "2026-01-15T19:30:00.000Z"), "America/New_York");
    expect(view).toEqual({
      text: "Next update: 14:30 EST or sooner",
      before: "Next update:",
      time: { iso: "2026-01-15T19:30:00.000Z", text: "14:30 EST" },
      after: "or sooner",
    });
  });

  it("adds the date when the promise is for another day in the page's zone", () => {
    expect(nextUpdateView(promising("investigating", "2026-01-15T19:05:00.000Z", "2026-01-16T14:00:00.000Z"), "Etc/UTC")?.text).toBe(
      "Next update: Jan 16, 14:00 UTC or sooner",
    );
  });

  it("shows nothing without a promise or once resolved", () => {
    expect(nextUpdateView(promising("investigating", "2026-01-15T19:05:00.000Z", null), "Etc/UTC")).toBeNull();
    expect(nextUpdateView(promising("resolved", "2026-01-15T19:05:00.000Z", "2026-01-15T19:30:00.000Z"), "Etc/UTC")).toBeNull();
  });
});
