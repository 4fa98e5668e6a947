/**
 * One component's page and feed, for a customer who depends on one part: published with the site,
 * its bar and the incidents and maintenances of its last 90 days, and a feed of those alone.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Parser from "rss-parser";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startServer, type RunningServer } from "../api/server.ts";
import { createKey } from "../api/service/keys.ts";
import { callServer, testServerConfig } from "./harness.ts";
import { parseHtml } from "./html.ts";

let dir: string;
let server: RunningServer;
let token: string;
let apiId: string;
let dbId: string;
let coreId: string;
let incidentId: string;
let maintenanceId: string;
const api = (method: string, path: string, body?: unknown) => callServer(server.url, token, method, `/api/v1${path}`, body);
const get = async (path: string) => {
  await server.publisher!.idle();
  return fetch(`${server.url}${path}`);
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "herald-component-pages-"));
  server = await startServer(testServerConfig(dir, { PAGE_NAME: "Example" }), { hostname: "127.0.0.1", log: () => {}, env: { MAIL_DIR: join(dir, "mail") } });
  await server.ready;
  token = await server.deps!.db.write(async (tx) => (await createKey({ tx, actor: { id: null, name: "t", role: "admin" }, now: new Date().toISOString(), hooks: {} }, "t", "admin")).token);
  apiId = (await api("POST", "/components", { name: "API", group: "Core", description: "The public REST API" })).id;
  dbId = (await api("POST", "/components", { name: "Database", group: "Core" })).id;
  coreId = (await api("GET", "/components")).find((c: { name: string }) => c.name === "Core").id;
  incidentId = (await api("POST", "/incidents", { name: "API errors", severity: "SEV2", body: "Some requests fail.", components: { [apiId]: "partial_outage" } })).id;
  maintenanceId = (await api("POST", "/maintenances", {
    name: "Database upgrade", body: "Read-only for a while.", scheduled_for: new Date(Date.now() + 86_400_000).toISOString(), scheduled_until: new Date(Date.now() + 90_000_000).toISOString(), component_ids: [dbId],
  })).id;
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

test("a component's page: its status, its bar, its incidents by day, its feed and badge; linked from the incidents that affected it", async () => {
  const res = await get(`/components/${apiId}`);
  expect(res.status).toBe(200);
  const page = parseHtml(await res.text());
  expect(page.all("h1").map((h) => h.text)).toEqual(["API"]);
  expect(page.text).toContain("Core");
  expect(page.text).toContain("The public REST API");
  expect(page.text).toContain("Partial Outage");
  expect(page.all("svg").find((s) => s.attrs.class === "bar")?.attrs["aria-label"]).toMatch(/^API: .* over the last 90 days/);
  expect(page.links()).toContainEqual({ href: `/incidents/${incidentId}`, text: "API errors" });
  expect(page.links().map((l) => l.href)).not.toContain(`/incidents/${maintenanceId}`);
  expect(page.links()).toContainEqual({ href: `/components/${apiId}/history.rss`, text: "Follow API (RSS)" });
  expect(page.all("link").find((l) => l.attrs.type === "application/rss+xml")?.attrs.href).toBe(`https://status.example.com/components/${apiId}/history.rss`);
  // The incident's page names the component with a link to it.
  expect(parseHtml(await (await get(`/incidents/${incidentId}`)).text()).links()).toContainEqual({ href: `/components/${apiId}`, text: "API" });
});

test("its feed has its own incidents and maintenances only; a group's page and feed cover its components", async () => {
  const apiFeed = await new Parser().parseString(await (await get(`/components/${apiId}/history.rss`)).text());
  expect(apiFeed.title).toBe("Example Status - API - Incident History");
  expect(apiFeed.items.map((i) => i.title)).toEqual(["API errors — Investigating"]);
  const dbFeed = await new Parser().parseString(await (await get(`/components/${dbId}/history.rss`)).text());
  expect(dbFeed.items.map((i) => i.title)).toEqual(["Database upgrade — Maintenance scheduled"]);
  const core = parseHtml(await (await get(`/components/${coreId}`)).text());
  expect(core.links()).toEqual(expect.arrayContaining([{ href: `/components/${apiId}`, text: "API" }, { href: `/components/${dbId}`, text: "Database" }]));
  const coreFeed = await new Parser().parseString(await (await get(`/components/${coreId}/history.rss`)).text());
  expect(coreFeed.items.map((i) => i.title).sort()).toEqual(["API errors — Investigating", "Database upgrade — Maintenance scheduled"]);
});

test("an update to an incident republishes its components' pages and feeds", async () => {
  await api("POST", `/incidents/${incidentId}/updates`, { status: "resolved", body: "All requests succeed again." });
  const feed = await new Parser().parseString(await (await get(`/components/${apiId}/history.rss`)).text());
  expect(feed.items.map((i) => i.title)).toEqual(["API errors — Resolved", "API errors — Investigating"]);
  const page = parseHtml(await (await get(`/components/${apiId}`)).text());
  expect(page.text).toContain("Operational");
  // An unknown component has no page.
  expect((await get("/components/zzzzzzzzzzzz")).status).toBe(404);
});
