/**
 * `herald import statuspage` end to end: the real CLI against a local fake of Statuspage's
 * management API (paging, its rate limit with 420/429 and Retry-After), into a real libSQL file,
 * then read back through the API and the published page; a dry run writes nothing; a second run
 * changes nothing.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startServer, type RunningServer } from "../api/server.ts";
import { createKey } from "../api/service/keys.ts";
import { openNodeDatabase } from "../db/open-node.ts";
import { FakeStatuspage, statuspageFixture } from "./fake-statuspage.ts";
import { callServer, runHerald, snapshotDatabase, testServerConfig, waitFor } from "./harness.ts";
import { parseHtml } from "./html.ts";

let dir: string;
let databaseUrl: string;
let fake: FakeStatuspage;
const data = statuspageFixture({ incidents: 5, updatesEach: 4, subscribers: 250 });

const importCli = (...extra: string[]) =>
  runHerald(["import", "statuspage", "--page", "page00000001", "--api-key", "sp-key", "--base-url", fake.url, ...extra], {
    PATH: process.env.PATH ?? "", DATABASE_URL: databaseUrl, PAGE_TIME_ZONE: "America/New_York",
  });

async function snapshot(): Promise<string> {
  const { db } = await openNodeDatabase(databaseUrl);
  try {
    return await snapshotDatabase(db);
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "herald-import-"));
  databaseUrl = `file:${join(dir, "herald.db")}`;
  // Three requests a second: the import meets the limit and must wait it out.
  fake = new FakeStatuspage(data, { apiKey: "sp-key", rateLimit: { requests: 3, windowMs: 1000 } });
  await fake.start();
});
afterAll(async () => {
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

test("a wrong key or page says so in one line and writes nothing", async () => {
  const wrongKey = await runHerald(["import", "statuspage", "--page", "page00000001", "--api-key", "nope", "--base-url", fake.url], { PATH: process.env.PATH ?? "", DATABASE_URL: databaseUrl });
  expect(wrongKey).toMatchObject({ code: 1, stdout: "" });
  expect(wrongKey.stderr).toContain("herald: Statuspage refused the API key (HTTP 401)");
  const wrongPage = await runHerald(["import", "statuspage", "--page", "nosuchpage00", "--api-key", "sp-key", "--base-url", fake.url], { PATH: process.env.PATH ?? "", DATABASE_URL: databaseUrl });
  expect(wrongPage.stderr).toContain('herald: Statuspage knows no page "nosuchpage00" (HTTP 404)');
}, 30_000);

test("a dry run reads everything, says what it would add, and writes nothing", async () => {
  const before = await snapshot();
  const dry = await importCli("--dry-run");
  expect(dry.code).toBe(0);
  expect(dry.stdout).toMatch(/^Dry run: nothing was written\. Imported from Statuspage page "Acme \(Statuspage\)"/);
  expect(dry.stdout).toContain("components     4 read, would add 4");
  expect(dry.stdout).toContain("incidents      5 read, would add 5 (21 updates, 1 postmortems)");
  expect(dry.stdout).toContain("maintenances   1 read, would add 1");
  expect(dry.stdout).toContain("subscribers    250 read, would add 250 (active, told nothing)");
  expect(await snapshot()).toBe(before);
}, 60_000);

test("the import: ids and times kept, severities from impacts, history, postmortem, subscribers active and told nothing; the page shows it", async () => {
  const run = await importCli();
  expect(run.code).toBe(0);
  expect(run.stdout).toContain("incidents      5 read, added 5 (21 updates, 1 postmortems)");
  expect(run.stdout).toContain("subscribers    250 read, added 250 (active, told nothing)");
  // The fake's rate limit was met and honoured (Retry-After), never exceeded into a failure.
  expect(fake.limited).toBeGreaterThan(0);
  expect(run.stdout).toMatch(/\d+ requests to Statuspage, \d+ waits for its rate limit/);
  expect(run.stderr).toMatch(/statuspage: HTTP 42[09] on \/v1\/pages\/page00000001\/\w+; waiting 1 s/);

  let server: RunningServer | null = null;
  try {
    server = await startServer(testServerConfig(dir, { DATABASE_URL: databaseUrl, PAGE_NAME: "Acme", PAGE_TIME_ZONE: "America/New_York" }), { hostname: "127.0.0.1", log: () => {}, env: { MAIL_DIR: join(dir, "mail") } });
    await server.ready;
    await server.publisher!.idle();
    const token = await server.deps!.db.write(async (tx) => (await createKey({ tx, actor: { id: null, name: "t", role: "admin" }, now: new Date().toISOString(), hooks: {} }, "t", "admin")).token);
    const api = (path: string) => callServer(server!.url, token, "GET", `/api/v1${path}`);

    const components = await api("/components");
    const byName = new Map(components.map((c: { name: string }) => [c.name, c]));
    expect(byName.get("Core")).toMatchObject({ id: "grp000000001", group: true });
    expect(byName.get("API")).toMatchObject({ id: "cmp000000001", group_id: "grp000000001", description: "The REST API", status: "operational" });
    expect(byName.get("Database")).toMatchObject({ id: "cmp000000002", status: "degraded_performance" });
    // "CDN-not-ours" does not fit Herald's ids: it got one of ours.
    expect((byName.get("CDN") as { id: string }).id).toMatch(/^[0-9a-z]{12}$/);

    const first = await api("/incidents/inc000000000");
    const source = data.incidents.find((i) => i.id === "inc000000000")!;
    // Resolved, with its postmortem published: "postmortem", as Statuspage says it.
    expect(first).toMatchObject({ name: "Incident 1: API errors", status: "postmortem", severity: "SEV1", impact: "critical", created_at: source.created_at, resolved_at: source.resolved_at });
    expect(first.number).toMatch(/^INC-\d{4}-\d{3}$/);
    expect(first.incident_updates.map((u: { id: string; status: string }) => [u.id, u.status])).toEqual(source.incident_updates.map((u: { id: string; status: string }) => [u.id, u.status]));
    expect(first.incident_updates[0].created_at).toBe(source.incident_updates[0].created_at);
    expect((await api("/incidents/inc000000002")).severity).toBe("SEV3");
    expect((await api("/incidents/inc000000000/postmortem"))).toMatchObject({ status: "published", body: "## What happened\n\nThe connection pool ran out." });
    expect(await api("/maintenances/mnt000000001")).toMatchObject({ name: "Database upgrade", status: "scheduled", scheduled_auto_in_progress: true });

    // Subscribers: active at once, their component choices kept, nobody mailed.
    const subscribers = (await server.deps!.db.client.execute("SELECT email, state, component_ids FROM subscribers ORDER BY email")).rows;
    expect(subscribers).toHaveLength(250);
    expect(subscribers.every((s) => s.state === "active")).toBe(true);
    expect(subscribers.find((s) => s.email === "Person0@example.com")?.component_ids).toBe('["cmp000000001"]');
    expect(subscribers.find((s) => s.email === "Person1@example.com")?.component_ids).toBeNull();
    expect(Number((await server.deps!.db.client.execute("SELECT COUNT(*) AS n FROM outbox")).rows[0]!.n)).toBe(0);

    // The published page (the import asked for a full publish; a starting Herald does it at once).
    await waitFor("the imported incident's page", async () => (await fetch(`${server!.url}/incidents/inc000000000`)).status === 200);
    await server.publisher!.idle();
    const incidentPage = parseHtml(await (await fetch(`${server.url}/incidents/inc000000000`)).text());
    expect(incidentPage.all("h1").map((h) => h.text)).toEqual(["Incident 1: API errors"]);
    expect(incidentPage.text).toContain("The connection pool ran out.");
    const apiPage = parseHtml(await (await fetch(`${server.url}/components/cmp000000001`)).text());
    expect(apiPage.all("svg").find((s) => s.attrs.class === "bar")!.attrs["aria-label"]).toMatch(/^API: \d+\.\d\d % uptime over the last 90 days, [1-9]\d* days? with outages/);
  } finally {
    await server?.close();
  }
}, 90_000);

test("run again: nothing is added and nothing changes", async () => {
  const before = await snapshot();
  const again = await importCli();
  expect(again.code).toBe(0);
  expect(again.stdout).toContain("incidents      5 read, added 0");
  expect(again.stdout).toContain("subscribers    250 read, added 0");
  expect(again.stdout).not.toContain("republishes");
  expect(await snapshot()).toBe(before);
}, 60_000);
