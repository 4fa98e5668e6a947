/**
 * "Report progress weekly": the open and overdue action items by owner go to the team channel once
 * a week at ACTION_DIGEST (default Monday 09:00 in the page's zone), never twice for one week,
 * across a DST change; a week with nothing open sends nothing.
 */
import { afterEach, beforeEach, expect, test } from "vitest";
import { sendActionDigest } from "../api/internal/action-digest.ts";
import { ConfigError, readConfig } from "../api/config.ts";
import { parseDigestSchedule, type DigestSchedule } from "../domain/action-digest.ts";
import { expectJson, startTestHerald, type TestHerald } from "./harness.ts";

let h: TestHerald;
const TZ = "America/New_York";
beforeEach(async () => {
  h = await startTestHerald({ PAGE_TIME_ZONE: TZ });
  await h.db.client.execute("UPDATE page SET created_at = '2026-01-01T00:00:00.000Z'");
});
afterEach(async () => h.close());

const digest = (schedule: DigestSchedule | null = h.config.actionDigest ?? null, channel = true) =>
  sendActionDigest({ db: h.db, clock: h.clock, page: { url: "https://status.example.com", timeZone: TZ }, channel, schedule });
const told = async () => (await h.db.client.execute("SELECT payload FROM internal_outbox WHERE kind = 'reminder' AND incident_id IS NULL ORDER BY id")).rows.map((r) => JSON.parse(String(r.payload)).text as string);

async function postmortemWith(name: string, items: unknown[]): Promise<string> {
  const incident = await expectJson(await h.call("POST", "/api/v1/incidents", { body: { name, severity: "SEV2", body: "Looking." } }), 201);
  await expectJson(await h.call("POST", `/api/v1/incidents/${incident.id}/updates`, { body: { status: "resolved", body: "Fixed." } }), 201);
  await expectJson(await h.call("PUT", `/api/v1/incidents/${incident.id}/postmortem`, { body: { body: "What happened.", action_items: items } }), 200);
  return incident.number;
}

test("ACTION_DIGEST: Monday 09:00 by default, a weekday and time, or off; anything else stops the start naming it", () => {
  expect(h.config.actionDigest).toEqual({ weekday: 1, hour: 9, minute: 0 });
  expect(readConfig({ ACTION_DIGEST: "Friday 16:30" }).actionDigest).toEqual({ weekday: 5, hour: 16, minute: 30 });
  expect(readConfig({ ACTION_DIGEST: "off" }).actionDigest).toBeNull();
  expect(() => readConfig({ ACTION_DIGEST: "every monday" })).toThrow(ConfigError);
  expect(() => readConfig({ ACTION_DIGEST: "every monday" })).toThrow(/^ACTION_DIGEST must be a weekday and a time/);
});

test("once a week at the hour, by owner, overdue first; again the next week; never twice", async () => {
  h.clock.set("2026-10-28T15:00:00.000Z");
  const pool = await postmortemWith("Pool exhausted", [
    { description: "Alert on pool saturation", owner: "@alice", due_date: "2026-10-30" },
    { description: "Load test <checkout>", owner: "@bob", due_date: "2026-12-15" },
    { description: "Already fixed", owner: "@bob", done: true },
  ]);
  const cache = await postmortemWith("Cache stampede", [
    { description: "Jitter the TTLs", owner: "@alice", due_date: "2026-11-20" },
    { description: "Write the runbook" },
  ]);

  // Monday Nov 2, 2026: New York is back on EST, so 09:00 is 14:00Z; 08:59 is too early.
  h.clock.set("2026-11-02T13:59:00.000Z");
  expect(await digest()).toBeNull();
  h.clock.set("2026-11-02T14:00:00.000Z");
  expect(await digest(undefined, false)).toBeNull(); // no channel: nothing queued, nothing claimed
  expect(await digest()).toBe("2026-11-02");
  expect(await digest()).toBeNull();
  h.clock.set("2026-11-03T10:00:00.000Z");
  expect(await digest()).toBeNull();
  expect(await told()).toEqual([
    [
      ":clipboard: *Action items this week*: 4 open, 1 overdue",
      "*@alice* (2)",
      `• :warning: <https://status.example.com/console/postmortems/${(await idOf(pool))}|${pool}.1> Alert on pool saturation — *overdue* since Oct 30`,
      `• <https://status.example.com/console/postmortems/${(await idOf(cache))}|${cache}.1> Jitter the TTLs — due Nov 20`,
      "*@bob* (1)",
      `• <https://status.example.com/console/postmortems/${(await idOf(pool))}|${pool}.2> Load test &lt;checkout&gt; — due Dec 15`,
      "*No owner* (1)",
      `• <https://status.example.com/console/postmortems/${(await idOf(cache))}|${cache}.2> Write the runbook`,
      "Done with one? `herald actions done ID`, or tick it in its postmortem.",
    ].join("\n"),
  ]);

  // The next Monday: told again, with what is still open.
  await expectJson(await h.call("PATCH", `/api/v1/incidents/${pool}/action-items/1`, { body: { done: true } }), 200);
  h.clock.set("2026-11-09T14:30:00.000Z");
  expect(await digest()).toBe("2026-11-09");
  expect((await told())[1]).toMatch(/^:clipboard: \*Action items this week\*: 3 open\n/);
  expect((await told())[1]).not.toContain("Alert on pool saturation");
  expect(await told()).toHaveLength(2);
});

test("a week with nothing open sends nothing; off sends nothing; a page set up after the hour waits for the next week", async () => {
  h.clock.set("2026-03-09T13:00:00.000Z"); // Monday 09:00 EDT (New York's first Monday on daylight time)
  expect(await digest()).toBeNull();
  expect(await told()).toEqual([]);
  h.clock.set("2026-03-01T15:00:00.000Z");
  await postmortemWith("Queue backlog", [{ description: "Alert on queue age", owner: "@dan" }]);
  h.clock.set("2026-03-16T13:00:00.000Z");
  expect(await digest(null)).toBeNull();
  expect(await digest(parseDigestSchedule("Monday 09:00")!)).toBe("2026-03-16");
  expect(await told()).toHaveLength(1);
  await h.db.client.execute("UPDATE page SET created_at = '2026-03-23T14:00:00.000Z'");
  h.clock.set("2026-03-23T15:00:00.000Z");
  expect(await digest()).toBeNull();
});

async function idOf(number: string): Promise<string> {
  return (await expectJson(await h.call("GET", `/api/v1/incidents/${number}`), 200)).id;
}
