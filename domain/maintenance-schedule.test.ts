import { describe, expect, test } from "vitest";
import { AUTO_COMPLETE_BODY, AUTO_START_BODY, nextScheduledMove, type ScheduledMaintenance } from "./maintenance-schedule.ts";

const window: ScheduledMaintenance = {
  status: "scheduled",
  scheduledFor: "2026-11-28T02:00:00.000Z",
  scheduledUntil: "2026-11-28T04:00:00.000Z",
  autoStart: true,
  autoComplete: true,
};
const at = (iso: string) => new Date(iso);

describe("nextScheduledMove", () => {
  test("nothing before the window opens", () => {
    expect(nextScheduledMove(window, at("2026-11-28T01:59:59.999Z"))).toBeNull();
  });

  test("starts exactly when the window opens", () => {
    expect(nextScheduledMove(window, at("2026-11-28T02:00:00.000Z"))).toEqual({ to: "in_progress", body: AUTO_START_BODY });
  });

  test("completes in progress or verifying work when the window closes, not before", () => {
    for (const status of ["in_progress", "verifying"] as const) {
      expect(nextScheduledMove({ ...window, status }, at("2026-11-28T03:59:59Z"))).toBeNull();
      expect(nextScheduledMove({ ...window, status }, at("2026-11-28T04:00:00Z"))).toEqual({ to: "completed", body: AUTO_COMPLETE_BODY });
    }
  });

  test("a window missed entirely is started first, then completed", () => {
    const late = at("2026-11-28T09:00:00Z");
    expect(nextScheduledMove(window, late)?.to).toBe("in_progress");
    expect(nextScheduledMove({ ...window, status: "in_progress" }, late)?.to).toBe("completed");
    expect(nextScheduledMove({ ...window, status: "completed" }, late)).toBeNull();
  });

  test("each flag turned off leaves its step to a person", () => {
    expect(nextScheduledMove({ ...window, autoStart: false }, at("2026-11-28T03:00:00Z"))).toBeNull();
    expect(nextScheduledMove({ ...window, status: "in_progress", autoComplete: false }, at("2026-11-28T05:00:00Z"))).toBeNull();
  });
});
