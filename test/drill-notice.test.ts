/**
 * "Run incident simulations quarterly": a quarter of the page's zone that ended with no drill is
 * told to the team channel once, never for a quarter the page did not live through.
 */
import { afterEach, beforeEach, expect, test } from "vitest";
import { noticeQuarterWithoutDrill, quarterOf } from "../api/internal/drill-notice.ts";
import { expectJson, startTestHerald, type TestHerald } from "./harness.ts";

test("quarters and the one before", () => {
  expect(quarterOf("2027-01-05")).toEqual({ label: "2027 Q1", start: "2027-01-01", previous: { label: "2026 Q4", start: "2026-10-01" } });
  expect(quarterOf("2027-06-30")).toEqual({ label: "2027 Q2", start: "2027-04-01", previous: { label: "2027 Q1", start: "2027-01-01" } });
});

let h: TestHerald;
beforeEach(async () => {
  h = await startTestHerald({ PAGE_TIME_ZONE: "America/New_York" });
  await h.db.client.execute("UPDATE page SET created_at = '2026-01-01T00:00:00.000Z'");
});
afterEach(async () => h.close());

const notice = (channel = true) => noticeQuarterWithoutDrill({ db: h.db, clock: h.clock, page: { url: "https://status.example.com", timeZone: "America/New_York" }, channel });
const told = async () => (await h.db.client.execute("SELECT payload FROM internal_outbox WHERE kind = 'reminder' AND incident_id IS NULL ORDER BY id")).rows.map((r) => JSON.parse(String(r.payload)).text as string);

test("told once for a quarter without a drill; a drill in the quarter (its last evening in New York) counts", async () => {
  h.clock.set("2027-01-05T15:00:00.000Z");
  expect(await notice(false)).toBeNull(); // no channel: nothing, and it is told once one is set
  expect(await notice()).toBe("2026 Q4");
  expect(await notice()).toBeNull();
  expect((await told())[0]).toMatch(/^:test_tube: \*No drill in 2026 Q4\*: /);
  expect(await told()).toHaveLength(1);

  // March 31, 22:00 in New York (02:00Z on April 1) is still Q1 there.
  h.clock.set("2027-04-01T02:00:00.000Z");
  await expectJson(await h.call("POST", "/api/v1/incidents", { body: { name: "Practice", severity: "SEV2", body: "Drill.", drill: true } }), 201);
  h.clock.set("2027-04-02T15:00:00.000Z");
  expect(await notice()).toBeNull();
  // Q2 passes without one.
  h.clock.set("2027-07-01T15:00:00.000Z");
  expect(await notice()).toBe("2027 Q2");
  expect(await told()).toHaveLength(2);
});

test("a page younger than the quarter says nothing about it", async () => {
  await h.db.client.execute("UPDATE page SET created_at = '2026-11-15T00:00:00.000Z'");
  h.clock.set("2027-01-05T15:00:00.000Z");
  expect(await notice()).toBeNull();
});
