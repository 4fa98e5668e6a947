import { describe, expect, test } from "vitest";
import { ROLES, can, isRole } from "./roles.ts";
import type { Action, Role } from "./roles.ts";

const ALL_ACTIONS: Action[] = [
  "api:read",
  "incident:write",
  "postmortem:write",
  "maintenance:write",
  "template:write",
  "component:write",
  "key:manage",
  "subscriber:manage",
  "outbox:read",
  "alert:report",
  "alert:rules",
];

describe("can", () => {
  test("admin may do everything", () => {
    for (const action of ALL_ACTIONS) expect(can("admin", action)).toBe(true);
  });

  test("comms may write incidents, their postmortems, maintenances and templates, and nothing else", () => {
    expect(ALL_ACTIONS.filter((action) => can("comms", action))).toEqual(["api:read", "incident:write", "postmortem:write", "maintenance:write", "template:write"]);
    expect(can("comms", "alert:report")).toBe(false);
    expect(can("comms", "alert:rules")).toBe(false);
    expect(can("comms", "component:write")).toBe(false);
    expect(can("comms", "key:manage")).toBe(false);
    // Webhook subscribers are subscribers: listing and reactivating them is an admin's job.
    expect(can("comms", "subscriber:manage")).toBe(false);
    expect(can("comms", "outbox:read")).toBe(false);
  });

  test("automation may report alerts and nothing else, not even read", () => {
    expect(ALL_ACTIONS.filter((action) => can("automation", action))).toEqual(["alert:report"]);
  });

  test("an unknown role or action that got past the types is denied", () => {
    expect(can("viewer" as Role, "incident:write")).toBe(false);
    expect(can("toString" as Role, "incident:write")).toBe(false);
    expect(can("admin", "page:delete" as Action)).toBe(false);
  });
});

describe("isRole", () => {
  test("accepts the three roles", () => {
    expect(ROLES).toEqual(["admin", "comms", "automation"]);
    expect(isRole("automation")).toBe(true);
    expect(isRole("admin")).toBe(true);
    expect(isRole("comms")).toBe(true);
  });

  test("refuses anything else", () => {
    expect(isRole("Admin")).toBe(false);
    expect(isRole("owner")).toBe(false);
    expect(isRole("")).toBe(false);
    expect(isRole(null)).toBe(false);
    expect(isRole(undefined)).toBe(false);
    expect(isRole(1)).toBe(false);
  });
});
