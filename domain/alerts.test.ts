import { describe, expect, test } from "vitest";
import { automationMay, desiredStatus, formatMatcher, mapAlert, matcherHolds, matcherProblem, matchRule, parseMatcher, statusFromLabels, type AlertRuleSpec } from "./alerts.ts";

const rule = (name: string, over: Partial<AlertRuleSpec> = {}): AlertRuleSpec => ({
  id: name.padEnd(12, "x"), name, matchers: [], componentIds: ["comp-api"], status: null, template: null, holdDownSeconds: 120, ...over,
});

describe("matchers (Alertmanager's semantics)", () => {
  test("equality, inequality and anchored regexes; a missing label is the empty string", () => {
    const labels = { alertname: "HighErrorRate", service: "api-gateway" };
    expect(matcherHolds({ label: "alertname", op: "=", value: "HighErrorRate" }, labels)).toBe(true);
    expect(matcherHolds({ label: "alertname", op: "!=", value: "HighErrorRate" }, labels)).toBe(false);
    expect(matcherHolds({ label: "service", op: "=~", value: "api.*" }, labels)).toBe(true);
    // Anchored: "api" alone does not match "api-gateway".
    expect(matcherHolds({ label: "service", op: "=~", value: "api" }, labels)).toBe(false);
    expect(matcherHolds({ label: "service", op: "!~", value: "db.*" }, labels)).toBe(true);
    expect(matcherHolds({ label: "team", op: "=", value: "" }, labels)).toBe(true);
    expect(matcherHolds({ label: "team", op: "!=", value: "" }, labels)).toBe(false);
  });

  test("an invalid regex is a problem when saved and never matches when met", () => {
    expect(matcherProblem({ label: "x", op: "=~", value: "(" })).toMatch(/regular expression/);
    expect(matcherProblem({ label: "x", op: "=", value: "(" })).toBeNull();
    expect(matcherHolds({ label: "x", op: "=~", value: "(" }, { x: "(" })).toBe(false);
  });

  test("the first rule whose matchers all hold wins; no matchers matches everything", () => {
    const rules = [rule("db", { matchers: [{ label: "service", op: "=", value: "db" }] }), rule("catch-all")];
    expect(matchRule(rules, { service: "db" })?.name).toBe("db");
    expect(matchRule(rules, { service: "api" })?.name).toBe("catch-all");
    expect(matchRule([rules[0]!], { service: "api" })).toBeNull();
  });
});

describe("statusFromLabels", () => {
  test("severity maps to a status; component_status wins; anything else changes nothing", () => {
    expect(statusFromLabels({ severity: "critical" })).toBe("major_outage");
    expect(statusFromLabels({ severity: "major" })).toBe("partial_outage");
    expect(statusFromLabels({ severity: "error" })).toBe("partial_outage");
    expect(statusFromLabels({ severity: "Warning" })).toBe("degraded_performance");
    expect(statusFromLabels({ severity: "info" })).toBeNull();
    expect(statusFromLabels({})).toBeNull();
    expect(statusFromLabels({ severity: "warning", component_status: "major_outage" })).toBe("major_outage");
    // Not a status an alert may set: falls back to severity.
    expect(statusFromLabels({ severity: "warning", component_status: "under_maintenance" })).toBe("degraded_performance");
  });
});

describe("mapAlert", () => {
  const find = (name: string) => ({ API: "comp-api", "comp-db": "comp-db" })[name] ?? null;

  test("zero configuration: a component label (name or id) and the severity", () => {
    expect(mapAlert({ component: "API", severity: "critical" }, [], find)).toMatchObject({ rule: null, componentIds: ["comp-api"], status: "major_outage", holdDownSeconds: 120 });
    expect(mapAlert({ component: "comp-db", severity: "warning" }, [], find)).toMatchObject({ componentIds: ["comp-db"], status: "degraded_performance" });
    expect(mapAlert({ component: "Nope", severity: "critical" }, [], find)).toMatchObject({ componentIds: [], status: null });
    expect(mapAlert({ severity: "critical" }, [], find)).toMatchObject({ componentIds: [], status: null });
  });

  test("a rule decides components, status (its own or the labels') and hold-down", () => {
    const fixed = rule("api-errors", { matchers: [{ label: "alertname", op: "=", value: "HighErrorRate" }], status: "partial_outage", holdDownSeconds: 30 });
    expect(mapAlert({ alertname: "HighErrorRate", severity: "warning" }, [fixed], find)).toMatchObject({ componentIds: ["comp-api"], status: "partial_outage", holdDownSeconds: 30 });
    const fromLabels = rule("any", { status: null });
    expect(mapAlert({ severity: "critical" }, [fromLabels], find).status).toBe("major_outage");
  });
});

describe("desiredStatus", () => {
  test("the most degraded firing alert wins; none firing is operational", () => {
    expect(desiredStatus([])).toBe("operational");
    expect(desiredStatus(["degraded_performance", "major_outage", "partial_outage"])).toBe("major_outage");
  });
});

describe("automationMay", () => {
  const now = "2026-12-04T10:00:00.000Z";
  const base = { now, holdDownSeconds: 120, newestFiringSince: "2026-12-04T09:59:00.000Z" };

  test("a free component moves; the same status is no change", () => {
    expect(automationMay({ status: "operational", lastChange: null, lastAutomatedAt: null }, "partial_outage", base)).toEqual({ apply: true });
    expect(automationMay({ status: "partial_outage", lastChange: null, lastAutomatedAt: null }, "partial_outage", base)).toEqual({ apply: false, reason: "unchanged" });
  });

  test("a person's word wins until an alert fires after it", () => {
    const held = { status: "major_outage" as const, lastChange: { source: "person" as const, at: "2026-12-04T09:59:30.000Z" }, lastAutomatedAt: null };
    // The alert fired before the person spoke, then resolved: the person's status stays.
    expect(automationMay(held, "operational", { ...base, newestFiringSince: null })).toEqual({ apply: false, reason: "held by a person" });
    expect(automationMay(held, "partial_outage", base)).toEqual({ apply: false, reason: "held by a person" });
    // It fired again after the person's change: automation may act.
    expect(automationMay(held, "partial_outage", { ...base, newestFiringSince: "2026-12-04T09:59:45.000Z" })).toEqual({ apply: true });
    // "It is fine" (operational, set by a person) holds as well.
    const fine = { ...held, status: "operational" as const };
    expect(automationMay(fine, "partial_outage", base)).toEqual({ apply: false, reason: "held by a person" });
  });

  test("under maintenance is left to the maintenance", () => {
    expect(automationMay({ status: "under_maintenance", lastChange: { source: "maintenance", at: now }, lastAutomatedAt: null }, "major_outage", base)).toEqual({ apply: false, reason: "under maintenance" });
  });

  test("no flapping: within the hold-down nothing moves, and the caller learns when to try again", () => {
    const recent = { status: "partial_outage" as const, lastChange: { source: "automation" as const, at: "2026-12-04T09:59:00.000Z" }, lastAutomatedAt: "2026-12-04T09:59:00.000Z" };
    expect(automationMay(recent, "operational", base)).toEqual({ apply: false, reason: "hold-down", retryAt: "2026-12-04T10:01:00.000Z" });
    expect(automationMay(recent, "operational", { ...base, now: "2026-12-04T10:01:00.000Z" })).toEqual({ apply: true });
    expect(automationMay(recent, "operational", { ...base, holdDownSeconds: 0 })).toEqual({ apply: true });
  });
});

describe("parseMatcher", () => {
  test("reads Alertmanager's matcher syntax: operators, spaces around them, quoted values", () => {
    expect(parseMatcher("alertname=~High.*Rate")).toEqual({ label: "alertname", op: "=~", value: "High.*Rate" });
    expect(parseMatcher('env != "staging"')).toEqual({ label: "env", op: "!=", value: "staging" });
    expect(parseMatcher("job=")).toEqual({ label: "job", op: "=", value: "" });
    expect(parseMatcher("team!~db|cache")).toEqual({ label: "team", op: "!~", value: "db|cache" });
    for (const bad of ["no operator", "=value", "1abc=x", ""]) expect(parseMatcher(bad), bad).toBeNull();
    expect(formatMatcher({ label: "env", op: "!=", value: "staging" })).toBe("env!=staging");
  });
});
