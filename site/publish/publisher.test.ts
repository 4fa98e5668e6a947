import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestHerald, type TestHerald } from "../../test/harness.ts";
import type { RouteData } from "../lib/snapshot.ts";
import { Publisher, siteVersion, type PageRenderer } from "./publisher.ts";
import { catalogueFor } from "../../locales/catalogues.ts";
import { PublishedSite } from "./store.ts";
import { markRemote } from "../../db/database.ts";
import { countingRoundTrips, type RoundTripCounter } from "../../db/round-trips.ts";

type Json = Record<string, any>;
let h: TestHerald;
let dir: string;

/** Renders a route as a line naming what it was given, and records every call. */
class FakeRenderer implements PageRenderer {
  calls: string[] = [];
  failNext = 0;
  /** Makes each home render slow, as a real build under load is, so writes overlap publishes. */
  homeDelayMs = 0;
  assetsDir: string;
  buildId = "build-1";
  constructor(assetsDir: string) {
    this.assetsDir = assetsDir;
  }
  async render(path: string, locals: RouteData): Promise<string> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error("render exploded");
    }
    this.calls.push(path);
    if (path === "/" && this.homeDelayMs) await new Promise((r) => setTimeout(r, this.homeDelayMs));
    if (this.buildId !== "build-1") return `${this.buildId} ${await this.renderAs(locals)}`;
    return this.renderAs(locals);
  }
  private async renderAs(locals: RouteData): Promise<string> {
    if (locals.route === "incident") return `incident ${locals.incident.name}: ${locals.incident.updates.map((u) => u.body).join(" | ")}`;
    if (locals.route === "history") return `history ${locals.month.month}: ${locals.month.incidents.map((i) => i.name).join(", ")}`;
    return `home ${locals.snapshot.status.description}; open: ${locals.snapshot.unresolvedIncidents.map((i) => i.name).join(", ")}`;
  }
}

function setup(renderer = new FakeRenderer(join(dir, "assets")), options: { burstIntervalMs?: number; busyShare?: number; maxShareWaitMs?: number; garbageSlice?: number; site?: PublishedSite } = {}) {
  const site = options.site ?? new PublishedSite(join(dir, `public-${Math.random().toString(36).slice(2)}`));
  const logs: string[] = [];
  const publisher = new Publisher({
    db: h.db, site, renderer, clock: h.clock, log: (l) => logs.push(l), retryMs: 20, maxRetryMs: 50, ...options,
    page: { id: h.deps.pageId, name: "Example", url: "https://status.example.com", timeZone: "Europe/Berlin" },
  });
  const read = (path: string) => {
    const entry = site.lookup(path);
    return entry ? readFileSync(site.objectPath(entry), "utf8") : undefined;
  };
  return { site, publisher, renderer, logs, read };
}

/**
 * Posts an update that is published slowly (a 30 ms home page), and while that publish runs a
 * second one ("Four.") that piles up; returns 50 ms after the first is live, with the renders since.
 */
async function pileUpDuringPublish(publisher: Publisher, renderer: FakeRenderer, read: (path: string) => string | undefined, incidentId: string): Promise<void> {
  renderer.homeDelayMs = 30;
  renderer.calls = [];
  await post(`/api/v1/incidents/${incidentId}/updates`, { status: "monitoring", body: "Three." });
  publisher.notify({ type: "incident", id: incidentId });
  while (!renderer.calls.includes("/")) await new Promise((r) => setTimeout(r, 5));
  renderer.calls = [];
  await post(`/api/v1/incidents/${incidentId}/updates`, { status: "monitoring", body: "Four." });
  publisher.notify({ type: "incident", id: incidentId });
  while (!read(`/incidents/${incidentId}`)?.includes("Three.")) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, 50));
}

async function post(path: string, body: unknown): Promise<Json> {
  const res = await h.call("POST", path, { body });
  expect(res.status, await res.clone().text()).toBeLessThan(300);
  return (await res.json()) as Json;
}

/** A component and an open incident affecting it (what a component change may or may not render again). */
async function componentWithIncident(component: string, incident: string, status = "degraded_performance"): Promise<{ component: Json; incident: Json }> {
  const made = await post("/api/v1/components", { name: component });
  return { component: made, incident: await post("/api/v1/incidents", { name: incident, severity: "SEV3", body: "Looking.", components: { [made.id]: status } }) };
}

/** Changes a component through the API, tells the publisher and waits for its publish. */
async function changeComponent(publisher: Publisher, id: string, body: Json): Promise<void> {
  await h.call("PATCH", `/api/v1/components/${id}`, { body });
  publisher.notify({ type: "component", id });
  await publisher.idle();
}

beforeAll(async () => {
  h = await startTestHerald();
  dir = mkdtempSync(join(tmpdir(), "herald-publisher-"));
  h.clock.set("2026-11-20T10:00:00.000Z");
});
afterAll(async () => {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("publisher", () => {
  test("a full publish writes home, archive, incident pages, feed and the eight JSON documents", async () => {
    const api = await post("/api/v1/components", { name: "API" });
    const incident = await post("/api/v1/incidents", { name: "Outage", severity: "SEV1", body: "Looking.", components: { [api.id]: "major_outage" } });
    const { site, publisher, read } = setup();
    publisher.publishAll();
    await publisher.idle();
    expect(read("/")).toBe("home Major System Outage; open: Outage");
    expect(read(`/incidents/${incident.id}`)).toBe("incident Outage: Looking.");
    expect(read("/history")).toBe("history 2026-11: Outage");
    expect(read("/history/2026-11")).toBe("history 2026-11: Outage");
    expect(Object.keys(site.current().entries).filter((p) => p.startsWith("/api/v2/")).sort()).toEqual([
      "/api/v2/components.json", "/api/v2/incidents.json", "/api/v2/incidents/unresolved.json", "/api/v2/scheduled-maintenances.json",
      "/api/v2/scheduled-maintenances/active.json", "/api/v2/scheduled-maintenances/upcoming.json", "/api/v2/status.json", "/api/v2/summary.json",
    ]);
    expect(JSON.parse(read("/api/v2/summary.json")!).incidents[0].id).toBe(incident.id);
    expect(read("/history.rss")).toContain("Outage");
    expect(site.current().build).toBe("build-1");
  });

  test("a change renders only what it touches; a burst coalesces into few publishes showing the last write", async () => {
    const incident = await post("/api/v1/incidents", { name: "Burst", severity: "SEV3", body: "First." });
    const { publisher, renderer, read } = setup();
    publisher.publishAll();
    await publisher.idle();
    renderer.calls = [];
    publisher.notify({ type: "incident", id: incident.id });
    await publisher.idle();
    // /history is the newest month's page published under a second address, rendered once; the status card with the home page.
    expect(renderer.calls.sort()).toEqual(["/", "/embed", "/history/2026-11", `/incidents/${incident.id}`].sort());
    expect(read("/history")).toBe(read("/history/2026-11"));

    renderer.calls = [];
    renderer.homeDelayMs = 50;
    // Twenty writes land while publishes are running: each notify joins the one queued publish.
    await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        await post(`/api/v1/incidents/${incident.id}/updates`, { status: "identified", body: `Update ${i + 1}.` });
        publisher.notify({ type: "incident", id: incident.id });
      }),
    );
    await publisher.idle();
    const homeRenders = renderer.calls.filter((c) => c === "/").length;
    expect(homeRenders).toBeGreaterThanOrEqual(1);
    expect(homeRenders).toBeLessThan(20);
    // The page shows the last write: every update, in the order they were stored.
    const stored = (await (await h.call("GET", `/api/v1/incidents/${incident.id}`)).json()) as Json;
    expect(stored.incident_updates).toHaveLength(21);
    expect(read(`/incidents/${incident.id}`)).toBe(`incident Burst: ${stored.incident_updates.map((u: Json) => u.body).join(" | ")}`);
  });

  test("a change that finds the publisher idle is published at once; changes that pile up during a publish wait for the burst interval", async () => {
    const incident = await post("/api/v1/incidents", { name: "Paced", severity: "SEV3", body: "One." });
    const { publisher, renderer, read } = setup(undefined, { burstIntervalMs: 60_000 });
    publisher.publishAll();
    await publisher.idle();
    // Idle: published at once (waiting out a minute would fail this test by its timeout).
    await post(`/api/v1/incidents/${incident.id}/updates`, { status: "identified", body: "Two." });
    publisher.notify({ type: "incident", id: incident.id });
    await publisher.idle();
    expect(read(`/incidents/${incident.id}`)).toBe("incident Paced: Two. | One.");
    // A change that arrives while a publish runs waits for the interval from that publish's start.
    await pileUpDuringPublish(publisher, renderer, read, incident.id);
    expect(renderer.calls.filter((c) => c === "/")).toEqual([]);
    expect(read(`/incidents/${incident.id}`)).not.toContain("Four.");
    publisher.stop();
    await publisher.idle();
  });

  test("under a stream of writes publishing keeps to its share of a core: the next publish starts its run time divided by the share after the last one's start", async () => {
    const incident = await post("/api/v1/incidents", { name: "Shared", severity: "SEV3", body: "One." });
    // A published site with no burst interval; then a change piles up during a slow publish.
    const pileUpAt = async (pacing: { busyShare: number; maxShareWaitMs?: number }) => {
      const paced = setup(undefined, { burstIntervalMs: 0, ...pacing });
      paced.publisher.publishAll();
      await paced.publisher.idle();
      await pileUpDuringPublish(paced.publisher, paced.renderer, paced.read, incident.id);
      return paced;
    };
    // A publish of ≥ 30 ms at a share of 0.001 keeps the next ≥ 30 s away.
    const paced = await pileUpAt({ busyShare: 0.001 });
    expect(paced.renderer.calls.filter((c) => c === "/")).toEqual([]);
    expect(paced.read(`/incidents/${incident.id}`)).not.toContain("Four.");
    paced.publisher.stop();
    await paced.publisher.idle();
    // At a whole core's share the piled-up change follows at once.
    const eager = await pileUpAt({ busyShare: 1 });
    await eager.publisher.idle();
    expect(eager.read(`/incidents/${incident.id}`)).toContain("Four.");
    // However long the last publish ran, the share holds the next back at most maxShareWaitMs after
    // it ends (a full publish of a minute must not keep a change waiting four more).
    const capped = await pileUpAt({ busyShare: 0.001, maxShareWaitMs: 0 });
    await capped.publisher.idle();
    expect(capped.read(`/incidents/${incident.id}`)).toContain("Four.");
  });

  test("a failed publish leaves the previous site live, is logged, and is retried", async () => {
    const incident = await post("/api/v1/incidents", { name: "Flaky build", severity: "SEV2", body: "One." });
    const { site, publisher, renderer, read, logs } = setup();
    publisher.publishAll();
    await publisher.idle();
    const before = JSON.stringify(site.current());
    renderer.failNext = 2;
    await post(`/api/v1/incidents/${incident.id}/updates`, { status: "identified", body: "Two." });
    publisher.notify({ type: "incident", id: incident.id });
    await new Promise((r) => setTimeout(r, 5));
    expect(JSON.stringify(site.current())).toBe(before);
    await publisher.idle();
    expect(logs.filter((l) => l.startsWith("publish failed")).length).toBe(2);
    expect(read(`/incidents/${incident.id}`)).toBe("incident Flaky build: Two. | One.");
    expect(publisher.lastError).toBeNull();
  });

  test("a component rename republishes the pages of the incidents it affected", async () => {
    const { component: db, incident } = await componentWithIncident("Database", "DB slow");
    const { publisher, renderer } = setup();
    publisher.publishAll();
    await publisher.idle();
    renderer.calls = [];
    await changeComponent(publisher, db.id, { name: "Primary database" });
    expect(renderer.calls).toContain(`/incidents/${incident.id}`);
  });

  test("a component's status change renders its own page but none of its incidents' (they show its name, not its status)", async () => {
    const { component: cache, incident } = await componentWithIncident("Cache", "Cache misses");
    const { publisher, renderer, read } = setup();
    publisher.publishAll();
    await publisher.idle();
    const page = read(`/incidents/${incident.id}`);
    renderer.calls = [];
    await changeComponent(publisher, cache.id, { status: "major_outage" });
    expect(renderer.calls).toContain(`/components/${cache.id}`);
    // (The newest archive month is rendered on every publish, as /history.)
    expect(renderer.calls.filter((c) => c.startsWith("/incidents/"))).toEqual([]);
    expect(read(`/incidents/${incident.id}`)).toBe(page);
    // A status change together with a move to another place is shown there: rendered again.
    await changeComponent(publisher, cache.id, { status: "operational", position: 40 });
    expect(renderer.calls).toContain(`/incidents/${incident.id}`);
  });

  test("a host's own publishes (publishOnce: a Worker isolate among several) always render a changed component's incidents", async () => {
    const { component: cdn, incident } = await componentWithIncident("CDN", "CDN misses");
    const { publisher, renderer } = setup();
    await publisher.publishOnce([], { full: true });
    renderer.calls = [];
    await h.call("PATCH", `/api/v1/components/${cdn.id}`, { body: { status: "operational" } });
    await publisher.publishOnce([{ type: "component", id: cdn.id }]);
    expect(renderer.calls).toContain(`/incidents/${incident.id}`);
  });

  test("before its first publish a publisher cannot tell what changed about a component: its incidents are rendered again", async () => {
    const { component: queue, incident } = await componentWithIncident("Queue", "Queue stuck", "partial_outage");
    const first = setup();
    first.publisher.publishAll();
    await first.publisher.idle();
    // A new publisher (a restart) on the site the first one published: its first publish is not a full one.
    const { publisher, renderer } = setup(undefined, { site: first.site });
    await changeComponent(publisher, queue.id, { status: "operational" });
    expect(publisher.lastReport?.full).toBe(false);
    expect(renderer.calls).toContain(`/incidents/${incident.id}`);
  });

  test("over the network (Turso, on the edge) an incident's publish takes three round trips, however many components it touches", async () => {
    const group = await post("/api/v1/components", { name: "Edge", group: "Network" });
    const other = await post("/api/v1/components", { name: "DNS", group: "Network" });
    const incident = await post("/api/v1/incidents", { name: "Edge errors", severity: "SEV2", body: "Errors.", components: { [group.id]: "partial_outage", [other.id]: "degraded_performance" } });
    const counter: RoundTripCounter = { statements: 0, roundTrips: 0 };
    const renderer = new FakeRenderer(join(dir, "assets"));
    const publisher = new Publisher({
      db: { ...h.db, client: markRemote(countingRoundTrips(h.db.client, counter), true) } as typeof h.db,
      site: new PublishedSite(join(dir, `public-${Math.random().toString(36).slice(2)}`)), renderer, clock: h.clock, log: () => {},
      page: { id: h.deps.pageId, name: "Example", url: "https://status.example.com", timeZone: "Europe/Berlin" },
    });
    await publisher.publishOnce([], { full: true });
    counter.statements = counter.roundTrips = 0;
    renderer.calls = [];
    await publisher.publishOnce([{ type: "incident", id: incident.id }]);
    // Its page, both components' pages and their group's, its month: the reads travel in three round trips
    // (the read transaction's BEGIN; the snapshot with the incident; the components' incidents with the months).
    expect(renderer.calls).toEqual(expect.arrayContaining([`/incidents/${incident.id}`, `/components/${group.id}`, `/components/${other.id}`]));
    expect(counter.roundTrips).toBe(3);
  });

  test("what a new build's full publish left unreferenced is removed a slice at a time, after a change that arrived meanwhile is published", async () => {
    const events: string[] = [];
    let onFirstSlice: (() => Promise<void>) | null = null;
    /** Records commits and slices of garbage; the first slice waits for `onFirstSlice`. */
    class RecordingSite extends PublishedSite {
      override garbage() {
        const found = super.garbage();
        return {
          left: found.left,
          removeSome: async (limit: number) => {
            events.push("slice");
            const hook = onFirstSlice;
            onFirstSlice = null;
            await hook?.();
            return found.removeSome(limit);
          },
        };
      }
    }
    /** The objects the live site names: its entries' and its manifest's shards. */
    const named = () => {
      const root = JSON.parse(readFileSync(join(site.dir, "manifest.json"), "utf8")) as { shards: Record<string, string> };
      return new Set([...Object.values(site.current().entries).map((e) => e.object), ...Object.values(root.shards)]);
    };
    const site = new RecordingSite(join(dir, `public-${Math.random().toString(36).slice(2)}`), { onCommit: () => events.push("commit") });
    const { publisher, renderer, read } = setup(undefined, { site, garbageSlice: 1 });
    publisher.publishAll();
    await publisher.idle();
    const incident = await post("/api/v1/incidents", { name: "During the new build's first publish", severity: "SEV3", body: "Looking." });
    publisher.notify({ type: "incident", id: incident.id });
    await publisher.idle();
    const buildOne = readdirSync(join(site.dir, "objects"));
    // Every page of build-2 differs from build-1's: all of build-1's objects are left unreferenced.
    renderer.buildId = "build-2";
    events.length = 0;
    let namedAfterFull = new Set<string>();
    onFirstSlice = async () => {
      namedAfterFull = named();
      await post(`/api/v1/incidents/${incident.id}/updates`, { status: "identified", body: "Found it." });
      publisher.notify({ type: "incident", id: incident.id });
    };
    publisher.refresh();
    await publisher.idle();
    // The full publish, one slice, then the change — before the other slices, not after them all.
    expect(events.slice(0, 3)).toEqual(["commit", "slice", "commit"]);
    expect(events.filter((e) => e === "slice").length).toBeGreaterThan(3);
    expect(read(`/incidents/${incident.id}`)).toBe("build-2 incident During the new build's first publish: Found it. | Looking.");
    // Of build-1's files, those the full publish left unnamed are gone (the JSON and feeds read the
    // same in both builds and stay), and everything the site names is there.
    const files = new Set(readdirSync(join(site.dir, "objects")));
    const dropped = buildOne.filter((name) => !namedAfterFull.has(name.replace(/\.(gz|br)$/, "")));
    expect(dropped.length).toBeGreaterThan(3);
    expect(dropped.filter((name) => files.has(name))).toEqual([]);
    for (const object of named()) expect(files.has(object)).toBe(true);
  });

  test("a new site build means a full publish", async () => {
    const { site, publisher, renderer } = setup();
    publisher.publishAll();
    await publisher.idle();
    renderer.buildId = "build-2";
    renderer.calls = [];
    publisher.refresh();
    await publisher.idle();
    expect(renderer.calls.filter((c) => c.startsWith("/incidents/")).length).toBeGreaterThan(2);
    expect(site.current().build).toBe("build-2");
  });
});

describe("siteVersion", () => {
  test("is the build id for English, and changes with PAGE_LOCALE and with its catalogue's words", () => {
    const en = catalogueFor("en");
    expect(siteVersion("b1", {})).toBe("b1");
    expect(siteVersion("b1", en)).toBe("b1");
    const de = catalogueFor("de");
    const german = siteVersion("b1", de);
    expect(german).toMatch(/^b1\+de\.[0-9a-f]+$/);
    expect(siteVersion("b1", { ...de, messages: { ...de.messages, "nav.current": "Status jetzt" } })).not.toBe(german);
    expect(siteVersion("b2", de)).not.toBe(german);
  });
});
