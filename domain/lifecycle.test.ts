import { describe, expect, test } from "vitest";
import {
  INCIDENT_STATUSES,
  MAINTENANCE_STATUSES,
  STATUS_LABELS,
  checkIncidentTransition,
  checkMaintenanceTransition,
  isIncidentOpen,
  isMaintenanceActive,
} from "./lifecycle.ts";
import type { IncidentStatus, MaintenanceStatus } from "./lifecycle.ts";

describe("checkIncidentTransition without reopen", () => {
  // Every pair, spelled out: from → the statuses it may move to.
  const expected: Record<IncidentStatus, IncidentStatus[]> = {
    investigating: ["investigating", "identified", "monitoring", "resolved"],
    identified: ["identified", "monitoring", "resolved"],
    monitoring: ["investigating", "identified", "monitoring", "resolved"],
    resolved: ["resolved"],
  };

  for (const from of INCIDENT_STATUSES) {
    for (const to of INCIDENT_STATUSES) {
      const allowed = expected[from].includes(to);
      test(`${from} → ${to} is ${allowed ? "allowed" : "refused"}`, () => {
        const result = checkIncidentTransition(from, to);
        if (allowed) {
          expect(result).toEqual({ ok: true, reopened: false });
        } else {
          expect(result.ok).toBe(false);
          if (!result.ok) expect(result.allowed).toEqual(expected[from]);
        }
      });
    }
  }

  test("an empty options object behaves like none", () => {
    expect(checkIncidentTransition("identified", "monitoring", {})).toEqual({ ok: true, reopened: false });
    expect(checkIncidentTransition("resolved", "investigating", {}).ok).toBe(false);
    expect(checkIncidentTransition("resolved", "investigating", { reopen: false }).ok).toBe(false);
  });

  test("a further resolved update on a resolved incident is a normal update", () => {
    expect(checkIncidentTransition("resolved", "resolved")).toEqual({ ok: true, reopened: false });
  });

  test("a backward move names the move and the allowed statuses", () => {
    expect(checkIncidentTransition("identified", "investigating")).toEqual({
      ok: false,
      message: 'Cannot move an incident from "identified" to "investigating"; allowed: identified, monitoring, resolved.',
      allowed: ["identified", "monitoring", "resolved"],
    });
  });

  test("leaving resolved tells the caller how to reopen", () => {
    expect(checkIncidentTransition("resolved", "monitoring")).toEqual({
      ok: false,
      message: 'Cannot move an incident from "resolved" to "monitoring"; allowed: resolved. Send "reopen": true to reopen it.',
      allowed: ["resolved"],
    });
  });
});

describe("checkIncidentTransition with reopen", () => {
  test("a resolved incident may reopen into any open status", () => {
    for (const to of ["investigating", "identified", "monitoring"] as const) {
      expect(checkIncidentTransition("resolved", to, { reopen: true })).toEqual({ ok: true, reopened: true });
    }
  });

  test("reopening while staying resolved is refused", () => {
    const result = checkIncidentTransition("resolved", "resolved", { reopen: true });
    expect(result).toEqual({
      ok: false,
      message: 'Cannot reopen an incident into "resolved"; choose one of: investigating, identified, monitoring.',
      allowed: ["resolved"],
    });
  });

  test("reopen on an open incident is refused, even for a move that would otherwise be fine", () => {
    for (const from of ["investigating", "identified", "monitoring"] as const) {
      const result = checkIncidentTransition(from, from, { reopen: true });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.message).toContain("reopen applies only to resolved incidents");
    }
    expect(checkIncidentTransition("identified", "monitoring", { reopen: true })).toEqual({
      ok: false,
      message:
        'Cannot reopen an incident that is "identified"; reopen applies only to resolved incidents. Allowed: identified, monitoring, resolved.',
      allowed: ["identified", "monitoring", "resolved"],
    });
  });
});

describe("checkMaintenanceTransition", () => {
  const expected: Record<MaintenanceStatus, MaintenanceStatus[]> = {
    scheduled: ["scheduled", "in_progress", "verifying", "completed"],
    in_progress: ["in_progress", "verifying", "completed"],
    verifying: ["in_progress", "verifying", "completed"],
    completed: ["completed"],
  };

  for (const from of MAINTENANCE_STATUSES) {
    for (const to of MAINTENANCE_STATUSES) {
      const allowed = expected[from].includes(to);
      test(`${from} → ${to} is ${allowed ? "allowed" : "refused"}`, () => {
        const result = checkMaintenanceTransition(from, to);
        if (allowed) {
          expect(result).toEqual({ ok: true, reopened: false });
        } else {
          expect(result.ok).toBe(false);
          if (!result.ok) expect(result.allowed).toEqual(expected[from]);
        }
      });
    }
  }

  test("a refusal names the move and the allowed statuses", () => {
    expect(checkMaintenanceTransition("completed", "in_progress")).toEqual({
      ok: false,
      message: 'Cannot move a maintenance from "completed" to "in_progress"; allowed: completed.',
      allowed: ["completed"],
    });
    expect(checkMaintenanceTransition("verifying", "scheduled")).toEqual({
      ok: false,
      message: 'Cannot move a maintenance from "verifying" to "scheduled"; allowed: in_progress, verifying, completed.',
      allowed: ["in_progress", "verifying", "completed"],
    });
  });
});

describe("isIncidentOpen", () => {
  test("only resolved is closed", () => {
    expect(INCIDENT_STATUSES.map((status) => [status, isIncidentOpen(status)])).toEqual([
      ["investigating", true],
      ["identified", true],
      ["monitoring", true],
      ["resolved", false],
    ]);
  });
});

describe("isMaintenanceActive", () => {
  test("in progress and verifying are active; scheduled and completed are not", () => {
    expect(MAINTENANCE_STATUSES.map((status) => [status, isMaintenanceActive(status)])).toEqual([
      ["scheduled", false],
      ["in_progress", true],
      ["verifying", true],
      ["completed", false],
    ]);
  });
});

describe("STATUS_LABELS", () => {
  test("labels every status", () => {
    expect(STATUS_LABELS).toEqual({
      investigating: "Investigating",
      identified: "Identified",
      monitoring: "Monitoring",
      resolved: "Resolved",
      scheduled: "Scheduled",
      in_progress: "In progress",
      verifying: "Verifying",
      completed: "Completed",
    });
  });
});

test("a maintenance cancelled before it began reads Cancelled; otherwise the status's own label", async () => {
  const { statusLabelOf } = await import("./lifecycle.ts");
  expect(statusLabelOf("completed", { cancelledAt: "2026-12-01T10:00:00.000Z" })).toBe("Cancelled");
  expect(statusLabelOf("completed", { cancelledAt: null })).toBe("Completed");
  expect(statusLabelOf("completed")).toBe("Completed");
  expect(statusLabelOf("scheduled", { cancelledAt: "2026-12-01T10:00:00.000Z" })).toBe("Scheduled");
});
