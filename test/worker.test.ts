/**
 * Smoke suite for the Cloudflare Workers entry (api/worker.ts), run in workerd through wrangler's
 * local runtime with the real wrangler.toml: the bundled Worker, Workers Static Assets and a local
 * R2 bucket. These machines have no libSQL server, so DATABASE_URL points at a loopback HTTP server
 * that refuses everything (and counts what reaches it); database flows are covered by the Node
 * suites through the same Client interface.
 *
 * The R2 bucket is filled the way the Worker's queue consumer fills it: the real Publisher with the
 * bucket store (site/publish/store-bucket.ts), here fed from a libSQL file on Node.
 */
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { getPlatformProxy, unstable_startWorker } from "wrangler";
import { Publisher } from "../site/publish/publisher.ts";
import { BucketSite, ConcurrentPublishError, type Bucket } from "../site/publish/store-bucket.ts";
import { loadSiteRenderer } from "../site/render.ts";
import { catalogueFor } from "../locales/catalogues.ts";
import { expectJson, expectProblem, startTestHerald, type TestHerald } from "./harness.ts";

process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false"; // no request to Cloudflare for Request.cf
process.env.WRANGLER_SEND_METRICS = "false";

const ORIGIN = "http://status.test";
const ar = catalogueFor("ar").messages as Record<string, string>;
let h: TestHerald;
let worker: Awaited<ReturnType<typeof unstable_startWorker>>;
let fakeTurso: Server;
let tursoRequests = 0;
let incidentId: string;
let componentId: string;
const logs: string[] = [];

const get = (path: string, init?: { method?: string; body?: string; headers?: Record<string, string> }) => worker.fetch(ORIGIN + path, init) as unknown as Promise<Response>;

beforeAll(async () => {
  h = await startTestHerald({ PAGE_NAME: "Edge Example", PAGE_TIME_ZONE: "Europe/Berlin" });
  const component = await expectJson(await h.call("POST", "/api/v1/components", { body: { name: "API" } }), 201);
  const incident = await expectJson(
    await h.call("POST", "/api/v1/incidents", {
      body: { name: "Edge outage", severity: "SEV2", body: "We are **investigating** <script>alert(1)</script>", components: { [component.id]: "partial_outage" } },
    }),
    201,
  );
  incidentId = incident.id;
  componentId = component.id;

  // Publish into the local R2 bucket that the Worker will read (wrangler dev keeps it under <persist>/v3).
  const persist = `${h.dir}/wrangler-state`;
  const proxy = await getPlatformProxy<{ SITE: Bucket }>({ configPath: "wrangler.toml", persist: { path: `${persist}/v3` }, remoteBindings: false });
  try {
    const site = new BucketSite(proxy.env.SITE);
    const built = await loadSiteRenderer();
    // As in the Worker: no assets() — the CSS is served by Workers Static Assets.
    const renderer = { render: built.render, buildId: built.buildId };
    // In Arabic, as PAGE_LOCALE below says: the Worker reads its catalogue from the build (dist/site/languages.json).
    const page = { id: h.deps.pageId, name: "Edge Example", url: "https://status.example.com", timeZone: "Europe/Berlin", ...catalogueFor("ar") };
    const publisher = new Publisher({ db: h.db, page, site, renderer, clock: { now: () => new Date() }, log: () => {} });
    const report = await publisher.publishOnce([], { full: true });
    expect(report.changed).toBeGreaterThan(10);

    // Two publishes that raced: the later commit must not undo the earlier one.
    const a = await site.begin(new Date().toISOString());
    const b = await site.begin(new Date().toISOString());
    await a.add({ path: "/race.txt", body: "a", contentType: "text/plain; charset=utf-8" });
    await b.add({ path: "/race.txt", body: "b", contentType: "text/plain; charset=utf-8" });
    expect(await a.commit()).toEqual(["/race.txt"]);
    await expect(b.commit()).rejects.toBeInstanceOf(ConcurrentPublishError);
  } finally {
    await proxy.dispose();
  }

  fakeTurso = createServer((request, response) => {
    tursoRequests++;
    request.resume();
    response.writeHead(500).end("no database here");
  });
  await new Promise<void>((resolve) => fakeTurso.listen(0, "127.0.0.1", resolve));

  const capture = (...args: unknown[]) => void logs.push(args.map(String).join(" "));
  vi.spyOn(console, "log").mockImplementation(capture);
  vi.spyOn(console, "info").mockImplementation(capture);
  vi.spyOn(console, "error").mockImplementation(capture);
  worker = await unstable_startWorker({
    config: "wrangler.toml",
    dev: { persist, server: { hostname: "127.0.0.1", port: 0 }, inspector: false, watch: false, testScheduled: true, logLevel: "log" },
    bindings: {
      DATABASE_URL: { type: "plain_text", value: `http://127.0.0.1:${(fakeTurso.address() as AddressInfo).port}` },
      PAGE_NAME: { type: "plain_text", value: "Edge Example" },
      PAGE_LOCALE: { type: "plain_text", value: "ar" },
      // Sound mail settings, so the Worker gets as far as the (unreachable) database.
      RESEND_API_KEY: { type: "plain_text", value: "re_edge_test" },
      HERALD_SECRET: { type: "plain_text", value: "edge-test-secret-0123456789abcdefghijkl" },
    },
  } as Parameters<typeof unstable_startWorker>[0]);
  await worker.ready;
}, 120_000);

afterAll(async () => {
  await worker?.dispose();
  vi.restoreAllMocks();
  await new Promise((resolve) => fakeTurso?.close(resolve));
  await h?.close();
});

describe("the Worker serves the published site from R2 and Static Assets", () => {
  test("the status page, with caching validators, and a 304 on revalidation", async () => {
    const res = await get("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).toContain("Edge outage");
    expect(html).toContain("Edge Example");
    expect(html).not.toContain("<script>alert(1)");
    const etag = res.headers.get("etag")!;
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const again = await get("/", { headers: { "If-None-Match": etag } });
    expect(again.status).toBe(304);
  });

  test("the incident page, the feed and the Statuspage JSON", async () => {
    const page = await get(`/incidents/${incidentId}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("investigating");

    const feed = await get("/history.rss");
    expect(feed.status).toBe(200);
    expect(feed.headers.get("content-type")).toContain("application/rss+xml");
    expect(feed.headers.get("access-control-allow-origin")).toBe("*");
    expect(await feed.text()).toContain(`<title><![CDATA[Edge outage — ${ar["status.investigating"]}]]></title>`);

    const summary = await expectJson(await get("/api/v2/summary.json"), 200);
    expect(summary.page.name).toBe("Edge Example");
    expect(summary.incidents.map((i: { name: string }) => i.name)).toEqual(["Edge outage"]);
    expect(summary.status.indicator).toBe("major"); // SEV2 is a major impact
  });

  test("the badges, the calendar, the status card and a component's page and feed, from the same publish", async () => {
    const badge = await get("/badge.svg");
    expect(badge.headers.get("content-type")).toBe("image/svg+xml");
    expect(await badge.text()).toContain(`aria-label="${ar["badge.label"]}: ${ar["indicator.partial_outage"]}"`);
    expect(await expectJson(await get(`/api/components/${componentId}/badge.json`), 200)).toMatchObject({ schemaVersion: 1, label: "API", color: "orange" });
    const calendar = await get("/maintenances.ics");
    expect(calendar.headers.get("content-type")).toBe("text/calendar; charset=utf-8");
    expect(await calendar.text()).toMatch(/^BEGIN:VCALENDAR/);
    const embed = await get("/embed");
    expect(embed.headers.get("content-security-policy")).toContain("frame-ancestors *");
    expect(embed.headers.get("x-frame-options")).toBeNull();
    expect(await embed.text()).toContain("Edge outage");
    expect(await (await get(`/components/${componentId}`)).text()).toContain("Edge outage");
    expect(await (await get(`/components/${componentId}/history.rss`)).text()).toContain(`Edge outage — ${ar["status.investigating"]}`);
    expect((await get("/favicon-major.svg")).status).toBe(200);
  });

  test("the page is in the page's language (PAGE_LOCALE=ar, right to left)", async () => {
    const html = await (await get("/")).text();
    expect(html).toContain('<html lang="ar" dir="rtl">');
    expect(html).toContain(String(catalogueFor("ar").messages["nav.current"]));
  });

  test("the stylesheet comes from Workers Static Assets", async () => {
    const { stylesheet } = JSON.parse(readFileSync("dist/site/build-id.json", "utf8")) as { stylesheet: string };
    const res = await get(stylesheet);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/css");
    expect(await res.text()).toContain("{");
  });

  test("an unknown path is the styled 404 page, from the bucket, never cached", async () => {
    const res = await get("/no/such/page");
    expect(res.status).toBe(404);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const html = await res.text();
    expect(html).toContain(`<h1>${ar["not_found.title"]}</h1>`);
    expect(html).toMatch(/<p class="brand"><a href="\/">[^<]+<\/a><\/p>/);
  });

  test("no page view reached the database", () => {
    expect(tursoRequests).toBe(0);
  });
});

describe("the API on the Worker", () => {
  test("rejects a missing or malformed token without asking the database", async () => {
    const missing = await expectProblem(await get("/api/v1/incidents"), 401);
    expect(missing.detail).toContain("Authorization: Bearer");
    const wrong = await expectProblem(await get("/api/v1/incidents", { headers: { Authorization: "Bearer not-a-key" } }), 401);
    expect(wrong.detail).toContain("unknown, revoked or malformed");
    const post = await get("/api/v1/incidents", { method: "POST", body: "{}", headers: { "Content-Type": "application/json" } });
    expect(post.status).toBe(401);
    expect(tursoRequests).toBe(0);
  });

  test("a well-formed key needs the database: while it is down, 503 and the page stays up", async () => {
    const token = `hk_${"a".repeat(12)}_${"b".repeat(43)}`;
    const res = await get("/api/v1/incidents", { headers: { Authorization: `Bearer ${token}` } });
    const problem = await expectProblem(res, 503);
    expect(res.headers.get("retry-after")).toBe("5");
    expect(problem.detail).toContain("status page is still served");
    expect(tursoRequests).toBeGreaterThan(0);
    expect((await get("/")).status).toBe(200);
  });
});

test("the console is an app path on the Worker (like the API, not the static site): with the database down, a 503, never a 404", async () => {
  for (const path of ["/console", "/console/sign-in"]) {
    const res = await get(path);
    expect(res.status, path).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
  }
});

test("every communication template is bundled and valid (checked when the Worker starts)", async () => {
  await get("/");
  expect(logs.join("\n")).not.toContain("communication templates:");
});

describe("the Cron Trigger", () => {
  test("the scheduled handler runs (and says why it could do nothing without a database)", async () => {
    const res = await get("/__scheduled?cron=*+*+*+*+*");
    expect(res.status).toBe(200);
    await vi.waitFor(() => expect(logs.join("\n")).toContain("scheduled: database unavailable"), { timeout: 10_000 });
  });
});
