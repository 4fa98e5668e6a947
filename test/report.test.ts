/**
 * The response report end to end, through the real Hono app on a real libSQL file, with a clock the
 * test moves: incidents declared, updated late or on time, resolved, their postmortems published on
 * time or late (two business days, across a weekend and New York's DST change), action items open
 * and overdue, lapses the checker recorded, a drill counted apart, months in the page's zone.
 */
import { afterEach, beforeEach, expect, test } from "vitest";
import { checkResponseTimes } from "../api/internal/index.ts";
import { expectJson, expectProblem, snapshotDatabase, startTestHerald, type TestHerald } from "./harness.ts";

let h: TestHerald;
beforeEach(async () => {
  h = await startTestHerald({ PAGE_TIME_ZONE: "America/New_York" });
});
afterEach(async () => h.close());

const at = (iso: string) => h.clock.set(iso);
const declare = async (severity: string, name: string, extra: Record<string, unknown> = {}) =>
  expectJson(await h.call("POST", "/api/v1/incidents", { body: { name, severity, body: "Looking.", ...extra } }), 201);
const update = async (id: string, status: string) => expectJson(await h.call("POST", `/api/v1/incidents/${id}/updates`, { body: { status, body: `Now ${status}.` } }), 201);
const postmortem = async (id: string, items: unknown[] = []) => {
  await expectJson(await h.call("PUT", `/api/v1/incidents/${id}/postmortem`, { body: { body: "What happened, why, what we change.", action_items: items } }), 200);
  await expectJson(await h.call("POST", `/api/v1/incidents/${id}/postmortem/publish`, { body: {} }), 200);
};

test("per severity and month, against the targets, with postmortems, action items, lapses and drills", async () => {
  // Friday, March 6, 2026, New York: a SEV1 declared 10:00 (started 09:50), identified 10:20, resolved 11:50.
  at("2026-03-06T15:00:00.000Z");
  const sev1 = await declare("SEV1", "Checkout down", { started_at: "2026-03-06T14:50:00.000Z" });
  at("2026-03-06T15:20:00.000Z");
  await update(sev1.id, "identified");
  at("2026-03-06T16:50:00.000Z");
  await update(sev1.id, "resolved");
  // Its postmortem is due by the end of Tuesday, March 10 (New York; DST began on Sunday): published Tuesday evening, on time.
  at("2026-03-11T03:30:00.000Z"); // 23:30 on Tuesday in New York
  await postmortem(sev1.id, [
    { description: "Alert on pool saturation", owner: "@alice", due_date: "2026-03-20" },
    { description: "Load test the checkout", owner: "@bob", due_date: "2026-06-30" },
    { description: "Fix the retry storm", owner: "@carol", due_date: "2026-03-13", done: true },
  ]);

  // A SEV2 whose first public update came 45 minutes after its start (target 30 min): the checker records the lapse.
  at("2026-03-20T14:00:00.000Z");
  const sev2 = await declare("SEV2", "Slow search", { started_at: "2026-03-20T13:15:00.000Z" });
  await checkResponseTimes({ db: h.db, clock: h.clock, timeZone: "America/New_York" });
  at("2026-03-20T15:00:00.000Z");
  await update(sev2.id, "resolved");
  // Its postmortem comes a week later: late.
  at("2026-03-27T15:00:00.000Z");
  await postmortem(sev2.id);

  // April (New York): a SEV3, no postmortem needed; and a drill, counted apart.
  at("2026-04-01T03:30:00.000Z"); // still March 31 in New York
  const sev3 = await declare("SEV3", "Late March blip");
  at("2026-04-02T14:00:00.000Z");
  await declare("SEV3", "April blip");
  await declare("SEV1", "Practice", { drill: true });
  at("2026-04-02T14:30:00.000Z");
  await update(sev3.id, "resolved");

  at("2026-04-10T12:00:00.000Z");
  const report = await expectJson(await h.call("GET", "/api/v1/reports/response?from=2026-03-01&to=2026-04-30"), 200);
  expect(report).toMatchObject({ time_zone: "America/New_York", from: "2026-03-01", to: "2026-04-30" });
  expect(report.by_severity.SEV1).toEqual({
    incidents: 1,
    first_update: { count: 1, median_seconds: 600, p90_seconds: 600, target: "Immediate (< 15 minutes)", met: 1, missed: 0 },
    identified: { count: 1, median_seconds: 1800, p90_seconds: 1800 },
    resolved: { count: 1, median_seconds: 7200, p90_seconds: 7200 },
    lapses: 0,
    postmortems: { required: 1, on_time: 1, late: 0, missing: 0, not_yet_due: 0 },
    // One done; of the two open, one was due March 20: overdue on April 10.
    action_items: { open: 2, overdue: 1 },
  });
  expect(report.by_severity.SEV2).toMatchObject({
    incidents: 1,
    first_update: { median_seconds: 2700, met: 0, missed: 1 },
    lapses: 1,
    postmortems: { required: 1, on_time: 0, late: 1, missing: 0 },
  });
  expect(report.by_severity.SEV3).toMatchObject({ incidents: 2, postmortems: { required: 0 } });
  expect(report.by_severity.SEV4.incidents).toBe(0);
  // Months in New York: the blip declared at 03:30Z on April 1 is March's.
  expect(report.by_month.map((m: { month: string; by_severity: Record<string, { incidents: number }> }) => [m.month, Object.fromEntries(Object.entries(m.by_severity).map(([s, g]) => [s, g.incidents]))])).toEqual([
    ["2026-03", { SEV1: 1, SEV2: 1, SEV3: 1 }],
    ["2026-04", { SEV3: 1 }],
  ]);
  expect(report.drills).toMatchObject({ count: 1, by_severity: { SEV1: { incidents: 1 } } });

  // A window is days of the page's zone, both ends included.
  const march = await expectJson(await h.call("GET", "/api/v1/reports/response?from=2026-03-01&to=2026-03-31"), 200);
  expect(march.by_month.map((m: { month: string }) => m.month)).toEqual(["2026-03"]);
  expect(march.drills.count).toBe(0);
  // The default: the last 90 days up to today.
  const recent = await expectJson(await h.call("GET", "/api/v1/reports/response"), 200);
  expect([recent.from, recent.to]).toEqual(["2026-01-11", "2026-04-10"]);
});

test("a bad window is a 422 naming the field; nothing is written; an automation key may not read it", async () => {
  at("2026-04-10T12:00:00.000Z");
  // After the key's first use (its last_used_at is bookkeeping), nothing may change.
  await expectJson(await h.call("GET", "/api/v1/reports/response"), 200);
  const before = await snapshotDatabase(h.db);
  const backwards = await expectProblem(await h.call("GET", "/api/v1/reports/response?from=2026-05-01&to=2026-04-01"), 422);
  expect(backwards.errors).toEqual([{ field: "from", message: "Must not be after `to`, and at most 10 years before it." }]);
  await expectProblem(await h.call("GET", "/api/v1/reports/response?from=yesterday"), 422);
  await expectProblem(await h.call("GET", "/api/v1/reports/response?limit=3"), 422);
  expect(await snapshotDatabase(h.db)).toBe(before);
  await expectProblem(await h.call("GET", "/api/v1/reports/response", { token: await h.newKey("automation") }), 403);
});
