/**
 * The maintenance calendar (/maintenances.ics), read by Mozilla's ical.js as a calendar app would:
 * a UID that never changes, SEQUENCE that grows when the window moves, STATUS:CANCELLED when it is
 * called off — through the API, the CLI, the page and the mail.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ICAL from "ical.js";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startServer, type RunningServer } from "../api/server.ts";
import { createKey } from "../api/service/keys.ts";
import { callServer, expectProblem, runHerald, TestClock, testServerConfig, mailDrained } from "./harness.ts";
import { parseHtml } from "./html.ts";
import { addSubscriber } from "./mail-helpers.ts";
import { readMailDir } from "./mime.ts";

let dir: string;
let server: RunningServer;
let token: string;
let dbId: string;
const clock = new TestClock();
const api = (method: string, path: string, body?: unknown) => callServer(server.url, token, method, `/api/v1${path}`, body);
const send = (method: string, path: string, body: unknown) =>
  fetch(`${server.url}/api/v1${path}`, { method, headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, body: JSON.stringify(body) });
const herald = (args: string[]) => runHerald(args, { PATH: process.env.PATH ?? "", HERALD_URL: server.url, HERALD_TOKEN: token });

interface Event {
  uid: string;
  sequence: number;
  summary: string;
  start: string;
  end: string;
  status: string | null;
  description: string;
  url: string | null;
}

async function calendar(): Promise<{ events: Event[]; headers: Headers; name: string }> {
  await server.publisher!.idle();
  const res = await fetch(`${server.url}/maintenances.ics`);
  expect(res.status).toBe(200);
  const root = new ICAL.Component(ICAL.parse(await res.text()));
  const events = root.getAllSubcomponents("vevent").map((c) => {
    const e = new ICAL.Event(c);
    return {
      uid: e.uid,
      sequence: e.sequence,
      summary: e.summary,
      start: e.startDate.toJSDate().toISOString(),
      end: e.endDate.toJSDate().toISOString(),
      status: (c.getFirstPropertyValue("status") as string | null) ?? null,
      description: e.description,
      url: (c.getFirstPropertyValue("url") as string | null) ?? null,
    };
  });
  return { events, headers: res.headers, name: String(root.getFirstPropertyValue("x-wr-calname")) };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "herald-calendar-"));
  clock.set("2026-12-01T10:00:00.000Z");
  server = await startServer(testServerConfig(dir, { PAGE_NAME: "Example", PAGE_TIME_ZONE: "Europe/Berlin" }), {
    hostname: "127.0.0.1", log: () => {}, clock, env: { MAIL_DIR: join(dir, "mail"), HERALD_SECRET: "calendar-secret-0123456789abcdefghijkl" },
  });
  await server.ready;
  token = await server.deps!.db.write(async (tx) => (await createKey({ tx, actor: { id: null, name: "t", role: "admin" }, now: clock.now().toISOString(), hooks: {} }, "t", "admin")).token);
  dbId = (await api("POST", "/components", { name: "Database" })).id;
  await addSubscriber(server.deps!.db, "ops@example.com");
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("/maintenances.ics", () => {
  let upgrade: string;
  let migration: string;

  test("a scheduled maintenance is an event in UTC with its components, words and page; linked from its page and the footer", async () => {
    upgrade = (await api("POST", "/maintenances", {
      name: "Database upgrade", body: "Brief **read-only** periods.", scheduled_for: "2026-12-10T02:00:00+01:00", scheduled_until: "2026-12-10T04:00:00+01:00", component_ids: [dbId],
    })).id;
    const { events, headers, name } = await calendar();
    expect(headers.get("content-type")).toBe("text/calendar; charset=utf-8");
    expect(headers.get("access-control-allow-origin")).toBe("*");
    expect(name).toBe("Example maintenance");
    expect(events).toEqual([{
      uid: `${upgrade}@status.example.com`, sequence: 0, summary: "Database upgrade",
      start: "2026-12-10T01:00:00.000Z", end: "2026-12-10T03:00:00.000Z", status: "CONFIRMED",
      description: `Affected: Database\n\nBrief read-only periods.\n\nhttps://status.example.com/incidents/${upgrade}`,
      url: `https://status.example.com/incidents/${upgrade}`,
    }]);
    const page = parseHtml(await (await fetch(`${server.url}/incidents/${upgrade}`)).text());
    expect(page.links()).toContainEqual({ href: "/maintenances.ics", text: "Maintenance calendar (iCal)" });
    expect(parseHtml(await (await fetch(`${server.url}/`)).text()).links()).toContainEqual({ href: "/maintenances.ics", text: "Maintenance calendar" });
  });

  test("rescheduled: the same UID, a higher SEQUENCE, the new window; the CLI does the same", async () => {
    const moved = await api("PATCH", `/maintenances/${upgrade}`, { scheduled_for: "2026-12-12T02:00:00+01:00", scheduled_until: "2026-12-12T05:00:00+01:00", body: "Moved to Saturday night." });
    expect(moved).toMatchObject({ schedule_sequence: 1, scheduled_for: "2026-12-12T01:00:00.000Z", cancelled_at: null });
    let [event] = (await calendar()).events;
    expect(event).toMatchObject({ uid: `${upgrade}@status.example.com`, sequence: 1, start: "2026-12-12T01:00:00.000Z", end: "2026-12-12T04:00:00.000Z", status: "CONFIRMED" });
    expect(event!.description).toContain("Moved to Saturday night.");
    // A rename alone is no move.
    await api("PATCH", `/maintenances/${upgrade}`, { name: "Database upgrade (v17)" });
    [event] = (await calendar()).events;
    expect(event).toMatchObject({ sequence: 1, summary: "Database upgrade (v17)" });

    const cli = await herald(["maintenance", "reschedule", upgrade, "--end", "2026-12-12T06:00:00+01:00"]);
    expect(cli).toMatchObject({ code: 0, stderr: "" });
    expect(cli.stdout).toMatch(new RegExp(`^Rescheduled maintenance ${upgrade} "Database upgrade \\(v17\\)"`));
    [event] = (await calendar()).events;
    expect(event).toMatchObject({ sequence: 2, end: "2026-12-12T05:00:00.000Z" });
  });

  test("a window that ends before it starts, or a start moved once it has begun, is refused and changes nothing", async () => {
    const problem = await expectProblem(await send("PATCH", `/maintenances/${upgrade}`, { scheduled_until: "2026-12-11T00:00:00Z" }), 422);
    expect(problem.errors).toEqual([{ field: "scheduled_until", message: "Must be later than scheduled_for." }]);
    await expectProblem(await send("PATCH", `/maintenances/${upgrade}`, {}), 422);
    expect((await calendar()).events[0]).toMatchObject({ sequence: 2, end: "2026-12-12T05:00:00.000Z" });
  });

  test("cancelled: STATUS:CANCELLED under the same UID, 'Cancelled' on the page, [CANCELLED] to subscribers; no second cancel", async () => {
    migration = (await api("POST", "/maintenances", {
      name: "Network migration", body: "Short connection drops.", scheduled_for: "2026-12-20T09:00:00Z", scheduled_until: "2026-12-20T10:00:00Z", component_ids: [dbId],
    })).id;
    const cli = await herald(["maintenance", "cancel", migration, "--body", "Not needed: the vendor fixed it."]);
    expect(cli).toMatchObject({ code: 0, stdout: `Cancelled maintenance ${migration} "Network migration"\nhttps://status.example.com/incidents/${migration}\n` });
    const json = await api("GET", `/maintenances/${migration}`);
    expect(json).toMatchObject({ status: "completed", cancelled_at: clock.now().toISOString(), schedule_sequence: 1 });
    const event = (await calendar()).events.find((e) => e.uid === `${migration}@status.example.com`)!;
    expect(event).toMatchObject({ status: "CANCELLED", sequence: 1, summary: "Cancelled: Network migration" });

    const page = parseHtml(await (await fetch(`${server.url}/incidents/${migration}`)).text());
    expect(page.text).toContain("Cancelled");
    expect(page.text).not.toContain("Completed");
    await mailDrained(server.deps!.db);
    const mails = await readMailDir(join(dir, "mail"));
    expect(mails.map((m) => m.subject)).toContain("[CANCELLED] Network migration - Dec 20, 2026");
    const problem = await expectProblem(await send("POST", `/maintenances/${migration}/cancel`, {}), 409);
    expect(problem.detail).toMatch(/already cancelled/);
    await expectProblem(await send("PATCH", `/maintenances/${migration}`, { name: "x" }), 409);
  });

  test("one that has begun cannot be cancelled (complete it), nor its start moved; its end can be", async () => {
    await api("POST", `/maintenances/${upgrade}/updates`, { status: "in_progress", body: "Started." });
    const refused = await expectProblem(await send("POST", `/maintenances/${upgrade}/cancel`, {}), 409);
    expect(refused.detail).toMatch(/has begun; complete it instead/);
    await expectProblem(await send("PATCH", `/maintenances/${upgrade}`, { scheduled_for: "2026-12-12T03:00:00+01:00" }), 409);
    expect(await api("PATCH", `/maintenances/${upgrade}`, { scheduled_until: "2026-12-12T07:00:00+01:00" })).toMatchObject({ schedule_sequence: 3 });
  });
});
