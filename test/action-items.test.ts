/**
 * Postmortem follow-through: action items across incidents (open, overdue in the page's zone,
 * done), named INC-2026-001.2, marked done through the API — which republishes a published
 * postmortem — and refused for what does not exist.
 */
import { afterEach, beforeEach, expect, test } from "vitest";
import { expectJson, expectProblem, snapshotDatabase, startTestHerald, type TestHerald } from "./harness.ts";

let h: TestHerald;
beforeEach(async () => {
  h = await startTestHerald({ PAGE_TIME_ZONE: "America/New_York" });
});
afterEach(async () => h.close());

async function resolvedWithPostmortem(name: string, items: unknown[], publish: boolean): Promise<{ id: string; number: string }> {
  const incident = await expectJson(await h.call("POST", "/api/v1/incidents", { body: { name, severity: "SEV2", body: "Looking." } }), 201);
  await expectJson(await h.call("POST", `/api/v1/incidents/${incident.id}/updates`, { body: { status: "resolved", body: "Fixed." } }), 201);
  await expectJson(await h.call("PUT", `/api/v1/incidents/${incident.id}/postmortem`, { body: { body: "What happened.", action_items: items } }), 200);
  if (publish) await expectJson(await h.call("POST", `/api/v1/incidents/${incident.id}/postmortem/publish`, { body: {} }), 200);
  return incident;
}

test("open, overdue and done items across postmortems, by due date; marked done by INC-…/position", async () => {
  h.clock.set("2026-03-10T15:00:00.000Z");
  const first = await resolvedWithPostmortem("Pool exhausted", [
    { description: "Alert on pool saturation", owner: "@alice", due_date: "2026-03-12" },
    { description: "Load test checkout", owner: "@bob", due_date: "2026-04-30" },
  ], true);
  const second = await resolvedWithPostmortem("Cache stampede", [
    { description: "Jitter the TTLs", owner: "@carol", due_date: "2026-03-11" },
    { description: "Write the runbook" },
    { description: "Already fixed", done: true },
  ], false);
  // March 12, 23:30 in New York (03:30Z on the 13th): March 11 is past, March 12 is still today.
  h.clock.set("2026-03-13T03:30:00.000Z");
  const open = await expectJson(await h.call("GET", "/api/v1/action-items"), 200);
  expect(open.map((i: { id: string; overdue: boolean }) => `${i.id}${i.overdue ? " overdue" : ""}`)).toEqual([
    `${second.number}.1 overdue`, `${first.number}.1`, `${first.number}.2`, `${second.number}.2`,
  ]);
  expect(open[0]).toMatchObject({ incident_id: second.id, incident_name: "Cache stampede", description: "Jitter the TTLs", owner: "@carol", due_date: "2026-03-11", done: false });
  expect((await expectJson(await h.call("GET", "/api/v1/action-items?status=overdue"), 200)).map((i: { id: string }) => i.id)).toEqual([`${second.number}.1`]);
  expect((await expectJson(await h.call("GET", "/api/v1/action-items?status=done"), 200)).map((i: { id: string }) => i.id)).toEqual([`${second.number}.3`]);

  // Done, by the incident's number; a published postmortem's page is republished.
  h.changes.length = 0;
  const done = await expectJson(await h.call("PATCH", `/api/v1/incidents/${first.number}/action-items/1`, { body: { done: true } }), 200);
  expect(done).toMatchObject({ id: `${first.number}.1`, done: true, overdue: false });
  expect(h.changes).toEqual([{ type: "incident", id: first.id }]);
  const published = await expectJson(await h.call("GET", `/api/v1/incidents/${first.id}/postmortem`), 200);
  expect(published.action_items[0]).toMatchObject({ description: "Alert on pool saturation", done: true });
  // Open again.
  expect((await expectJson(await h.call("PATCH", `/api/v1/incidents/${first.id}/action-items/1`, { body: { done: false } }), 200)).done).toBe(false);

  // Nothing there: 404, nothing written. A comms key may mark items; an automation key may not read them.
  const before = await snapshotDatabase(h.db);
  await expectProblem(await h.call("PATCH", `/api/v1/incidents/${first.id}/action-items/9`, { body: { done: true } }), 404);
  await expectProblem(await h.call("PATCH", "/api/v1/incidents/INC-2026-099/action-items/1", { body: { done: true } }), 404);
  await expectProblem(await h.call("PATCH", `/api/v1/incidents/${first.id}/action-items/1`, { body: { done: "yes" } }), 422);
  await expectProblem(await h.call("GET", "/api/v1/action-items?status=late"), 422);
  expect(await snapshotDatabase(h.db)).toBe(before);
  await expectJson(await h.call("PATCH", `/api/v1/incidents/${second.id}/action-items/2`, { token: h.tokens.comms, body: { done: true } }), 200);
  await expectProblem(await h.call("GET", "/api/v1/action-items", { token: await h.newKey("automation") }), 403);
});
