/**
 * The seed's review process: a SEV1/SEV2 postmortem is due by the end of the second business day
 * after resolution (page zone: New York, across the DST change of March 8, 2026); once overdue and
 * unpublished, the team channel is reminded once per business day — never twice a day, never on a
 * weekend, never for a drill, a SEV3 or a published postmortem.
 */
import { afterEach, beforeEach, expect, test } from "vitest";
import { remindOverduePostmortems } from "../api/internal/postmortem-reminders.ts";
import { expectJson, startTestHerald, type TestHerald } from "./harness.ts";

let h: TestHerald;
beforeEach(async () => {
  h = await startTestHerald({ PAGE_TIME_ZONE: "America/New_York" });
});
afterEach(async () => h.close());

const remind = () => remindOverduePostmortems({ db: h.db, clock: h.clock, page: { url: "https://status.example.com", timeZone: "America/New_York" }, channel: true });
const messages = async () =>
  (await h.db.client.execute("SELECT incident_id, payload FROM internal_outbox WHERE kind = 'reminder' ORDER BY id")).rows.map((r) => ({ incident: String(r.incident_id), text: JSON.parse(String(r.payload)).text as string }));

async function resolved(severity: string, name: string, extra: Record<string, unknown> = {}): Promise<{ id: string; number: string }> {
  const incident = await expectJson(await h.call("POST", "/api/v1/incidents", { body: { name, severity, body: "Looking.", ...extra } }), 201);
  await expectJson(await h.call("POST", `/api/v1/incidents/${incident.id}/updates`, { body: { status: "resolved", body: "Fixed." } }), 201);
  return incident;
}

test("reminded once per business day once overdue, until published", async () => {
  // Resolved Friday, March 6, 2026, 15:00 in New York: due by the end of Tuesday, March 10.
  h.clock.set("2026-03-06T20:00:00.000Z");
  const sev1 = await resolved("SEV1", "Checkout down");
  await resolved("SEV3", "Minor blip");
  await resolved("SEV2", "Practice", { drill: true });
  const early = await resolved("SEV2", "Written in time");
  await expectJson(await h.call("PUT", `/api/v1/incidents/${early.id}/postmortem`, { body: { body: "Done." } }), 200);
  await expectJson(await h.call("POST", `/api/v1/incidents/${early.id}/postmortem/publish`, { body: { force: true } }), 200);

  for (const notYet of ["2026-03-09T14:00:00.000Z", "2026-03-11T03:59:00.000Z"]) {
    h.clock.set(notYet); // Monday; then 23:59 on Tuesday in New York (EDT since Sunday)
    expect(await remind(), notYet).toEqual([]);
  }
  h.clock.set("2026-03-11T04:00:00.000Z"); // midnight starting Wednesday in New York
  expect(await remind()).toEqual([sev1.id]);
  h.clock.set("2026-03-11T20:00:00.000Z"); // later that Wednesday: not again
  expect(await remind()).toEqual([]);
  h.clock.set("2026-03-12T13:00:00.000Z"); // Thursday
  expect(await remind()).toEqual([sev1.id]);
  h.clock.set("2026-03-14T15:00:00.000Z"); // Saturday
  expect(await remind()).toEqual([]);
  const texts = await messages();
  expect(texts.map((m) => m.incident)).toEqual([sev1.id, sev1.id]);
  expect(texts[0]!.text).toBe(
    `:memo: *Postmortem overdue*: SEV1 ${sev1.number} "Checkout down" was resolved Mar 6, 15:00 EST; its postmortem was due by Mar 11, 00:00 EDT (two business days).\n` +
      `Start it: herald postmortem init ${sev1.number}\nhttps://status.example.com/console/postmortems/${sev1.id}`,
  );

  // A draft changes the advice; publishing it stops the reminders.
  await expectJson(await h.call("PUT", `/api/v1/incidents/${sev1.id}/postmortem`, { body: { body: "Draft." } }), 200);
  h.clock.set("2026-03-16T13:00:00.000Z"); // Monday
  expect(await remind()).toEqual([sev1.id]);
  expect((await messages()).at(-1)!.text).toContain("A draft is saved: finish and publish it.");
  await expectJson(await h.call("POST", `/api/v1/incidents/${sev1.id}/postmortem/publish`, { body: { force: true } }), 200);
  h.clock.set("2026-03-17T13:00:00.000Z");
  expect(await remind()).toEqual([]);
});

test("without an internal channel nothing is queued or recorded", async () => {
  h.clock.set("2026-03-06T20:00:00.000Z");
  await resolved("SEV1", "Quiet");
  h.clock.set("2026-03-12T13:00:00.000Z");
  expect(await remindOverduePostmortems({ db: h.db, clock: h.clock, page: { url: "https://x.example", timeZone: "America/New_York" }, channel: false })).toEqual([]);
  expect(Number((await h.db.client.execute("SELECT COUNT(*) AS n FROM postmortem_reminders")).rows[0]!.n)).toBe(0);
});
