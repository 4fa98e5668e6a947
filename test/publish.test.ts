import { callServer, expectInert, testServerConfig } from "./harness.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Parser from "rss-parser";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startServer, type RunningServer } from "../api/server.ts";
import { createKey } from "../api/service/keys.ts";

type Json = Record<string, any>;
let dir: string;
let server: RunningServer;
let token: string;
let incidentId: string;
let apiComponent: string;

const HOSTILE = [
  "<script>alert(1)</script>",
  "[click](javascript:alert(2))",
  "<img src=x onerror=alert(3)>",
  "[x](JAVASCRIPT:alert(4))",
  "<a href=\"javascript:alert(5)\">y</a>",
].join("\n\n");

const env = (overrides: Record<string, string> = {}) => testServerConfig(dir, { PAGE_NAME: "Example", PAGE_TIME_ZONE: "America/New_York", ...overrides });

const api = (method: string, path: string, body?: unknown): Promise<Json> => callServer(server.url, token, method, path, body);

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { headers });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "herald-publish-"));
  server = await startServer(env(), { hostname: "127.0.0.1", log: () => {} });
  await server.ready;
  token = await server.deps!.db.write(async (tx) => (await createKey({ tx, actor: { id: null, name: "test", role: "admin" }, now: new Date().toISOString(), hooks: {} }, "Ada", "admin")).token);
  await server.publisher!.idle();
  apiComponent = (await api("POST", "/api/v1/components", { name: "API", group: "Core", description: "Public REST API" })).id;
  await api("POST", "/api/v1/components", { name: "Dashboard" });
  const incident = await api("POST", "/api/v1/incidents", {
    name: "API Gateway Down", severity: "SEV1", body: "We're **investigating** elevated errors.", components: { [apiComponent]: "major_outage" },
  });
  incidentId = incident.id;
  await api("POST", `/api/v1/incidents/${incidentId}/updates`, { status: "identified", body: HOSTILE });
  await server.publisher!.idle();
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("a write through the API is published everywhere", () => {
  test("the status page shows the incident, its updates and the degraded component", async () => {
    const res = await get("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await res.text();
    expect(html).toContain("API Gateway Down");
    expect(html).toContain("<strong>investigating</strong>");
    expect(html).toContain("Major Outage");
    expect(html).toMatch(/Major System Outage|Partial System Outage/);
    expect(html).toContain('href="https://status.example.com/history.rss"');
    expectInert(html);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });

  test("the incident page shows every update, newest first, in the page's zone", async () => {
    const html = await (await get(`/incidents/${incidentId}`)).text();
    expect(html).toContain("API Gateway Down");
    const identified = html.indexOf("Identified");
    const investigating = html.indexOf("Investigating");
    expect(identified).toBeGreaterThan(0);
    expect(investigating).toBeGreaterThan(identified);
    expect(html).toMatch(/E[SD]T/);
    expect(html).toMatch(/<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z"/);
    expectInert(html);
  });

  test("the feed has one item per update, parsed by a real feed parser, with no executable content", async () => {
    const res = await get("/history.rss");
    expect(res.headers.get("content-type")).toBe("application/rss+xml; charset=utf-8");
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    const feed = await new Parser().parseString(await res.text());
    const items = feed.items.filter((i) => i.link === `https://status.example.com/incidents/${incidentId}`);
    expect(items).toHaveLength(2);
    expect(items[0]!.title).toContain("Identified");
    for (const item of feed.items) expectInert(item.content ?? "");
  });

  test("all eight Statuspage JSON documents show it", async () => {
    const summary = (await (await get("/api/v2/summary.json")).json()) as Json;
    expect(summary.incidents.map((i: Json) => i.id)).toEqual([incidentId]);
    expect(summary.incidents[0].incident_updates.map((u: Json) => u.status)).toEqual(["identified", "investigating"]);
    expect(summary.status.indicator).not.toBe("none");
    expect(summary.page).toMatchObject({ name: "Example", url: "https://status.example.com", time_zone: "America/New_York" });
    const status = (await (await get("/api/v2/status.json")).json()) as Json;
    expect(status.status).toEqual(summary.status);
    const components = (await (await get("/api/v2/components.json")).json()) as Json;
    expect(components.components.find((c: Json) => c.id === apiComponent).status).toBe("major_outage");
    expect((await (await get("/api/v2/incidents.json")).json() as Json).incidents[0].id).toBe(incidentId);
    expect((await (await get("/api/v2/incidents/unresolved.json")).json() as Json).incidents[0].id).toBe(incidentId);
    for (const path of ["scheduled-maintenances.json", "scheduled-maintenances/upcoming.json", "scheduled-maintenances/active.json"]) {
      const res = await get(`/api/v2/${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("access-control-allow-origin")).toBe("*");
      expect((await res.json() as Json).scheduled_maintenances).toEqual([]);
    }
    // The JSON carries the update's Markdown as data, unchanged.
    expect(summary.incidents[0].incident_updates[0].body).toBe(HOSTILE);
  });
});

describe("serving", () => {
  test("ETag and Last-Modified revalidate to 304; short cache for pages, long for hashed assets", async () => {
    const res = await get("/");
    const etag = res.headers.get("etag")!;
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(res.headers.get("cache-control")).toMatch(/max-age=5\b/);
    expect((await get("/", { "If-None-Match": etag })).status).toBe(304);
    expect((await get("/", { "If-Modified-Since": res.headers.get("last-modified")! })).status).toBe(304);
    const css = /href="(\/_astro\/[^"]+\.css)"/.exec(await res.text())?.[1];
    expect(css).toBeDefined();
    const asset = await get(css!);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect(asset.headers.get("cache-control")).toContain("immutable");
  });

  test("HTML carries a CSP without inline script and the other security headers", async () => {
    const res = await get(`/incidents/${incidentId}`);
    const csp = res.headers.get("content-security-policy")!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).not.toMatch(/script-src/);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
  });

  test("compressed with brotli or gzip when asked; the same bytes either way", async () => {
    const plain = await (await fetch(`${server.url}/`, { headers: { "Accept-Encoding": "identity" } })).text();
    for (const encoding of ["br", "gzip"]) {
      const res = await fetch(`${server.url}/`, { headers: { "Accept-Encoding": encoding } });
      expect(res.headers.get("content-encoding")).toBe(encoding);
      expect(await res.text()).toBe(plain); // fetch decodes
    }
  });

  test("HEAD has the headers and no body; unknown pages are a 404 page, unknown JSON a problem", async () => {
    const head = await fetch(`${server.url}/`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    const missing = await get("/incidents/zzzzzzzzzzzz", { "If-None-Match": "*" });
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toContain("text/html");
    expect(missing.headers.get("cache-control")).toBe("no-store");
    expect(missing.headers.get("etag")).toBeNull();
    // The styled page: the page's header with its name and links, a way home, and the stylesheet.
    const notFound = await missing.text();
    expect(notFound).toContain("<h1>Page not found</h1>");
    expect(notFound).toMatch(/<p class="brand"><a href="\/">Example<\/a><\/p>/);
    expect(notFound).toContain('<a href="/history">Incident history</a>');
    expect(notFound).toMatch(/<link rel="stylesheet" href="\/_astro\/[^"]+\.css"/);
    expect(notFound).toContain('<meta name="robots" content="noindex, nofollow">');
    for (const hostile of ["/%E0%A4%A", "/incidents/%ZZ", "/..%2F..%2Fetc%2Fpasswd", "/objects/manifest.json"]) {
      const res = await get(hostile);
      expect(res.status, hostile).toBe(404);
    }
    const missingJson = await get("/api/v2/nope.json");
    expect(missingJson.status).toBe(404);
    expect(missingJson.headers.get("content-type")).toContain("application/problem+json");
  });
});

describe("the page outlives the database", () => {
  // A database that cannot be opened (its path is a directory) and a server that is down (sqld/Turso URL on a closed port).
  test.each([
    ["an unopenable database file", () => `file:${dir}`],
    ["an unreachable libSQL server", () => "http://127.0.0.1:9"],
  ])("with %s, the page, feed and JSON are still served and the API says 503", async (_name, url) => {
    const before = await (await get("/api/v2/summary.json")).text();
    await server.close();
    server = await startServer(env({ DATABASE_URL: url() }), { hostname: "127.0.0.1", log: () => {}, reconnectMs: 60_000 });
    const page = await get("/");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("API Gateway Down");
    expect(await (await get("/api/v2/summary.json")).text()).toBe(before);
    expect((await get("/history.rss")).status).toBe(200);
    expect((await get(`/incidents/${incidentId}`)).status).toBe(200);
    const write = await fetch(`${server.url}/api/v1/incidents`, { method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, body: "{}" });
    expect(write.status).toBe(503);
    expect(write.headers.get("content-type")).toContain("application/problem+json");
    expect(((await write.json()) as Json).detail).toContain("status page is still served");
  });
});
