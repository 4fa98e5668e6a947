import { gzipSync } from "node:zlib";
import { readConfig } from "../api/config.ts";
import { newId } from "../domain/ids.ts";
import { impactOf, SEVERITIES } from "../domain/severity.ts";
import { startServer, type RunningServer } from "../api/server.ts";
import type { PublishedSite } from "../site/publish/store.ts";
import { createComponent } from "../api/service/components.ts";
import { createKey } from "../api/service/keys.ts";
import { openNodeDatabase } from "../db/open-node.ts";
import { recordStatusChange } from "../db/queries/components.ts";
import { insertIncident, insertUpdate, insertUpdateComponent, linkIncidentComponent } from "../db/queries/incidents.ts";
import { fmt, scratchDir, summarize } from "./lib.ts";

const DAY = 86_400_000;
const STATUSES = ["investigating", "identified", "monitoring", "resolved"] as const;

/** Seeds `count` resolved incidents spread over the past year (or more), 4 updates each, 12 components in 3 groups. */
export async function seed(databaseUrl: string, count: number): Promise<void> {
  const { db } = await openNodeDatabase(databaseUrl);
  const actor = { id: null, name: "bench", role: "admin" as const };
  const start = Date.now() - 365 * DAY;
  const components: string[] = [];
  await db.write(async (tx) => {
    for (let i = 0; i < 12; i++) {
      const view = await createComponent({ tx, actor, now: new Date(start).toISOString(), hooks: {} }, { name: `Component ${i}`, group: `Group ${i % 3}`, description: `Part ${i} of the service` });
      components.push(view.id);
    }
  });
  // About three incidents a day at most: 10,000 incidents are nine years of a busy page's history.
  const span = Math.max(365 * DAY, count * 8 * 3_600_000);
  for (let from = 0; from < count; from += 1000) {
    await db.write(async (tx) => {
      for (let i = from; i < Math.min(count, from + 1000); i++) {
        const created = Date.now() - span + Math.floor((i / count) * (span - DAY));
        const severity = SEVERITIES[i % 4]!;
        const id = newId();
        const component = components[i % components.length]!;
        const iso = (ms: number) => new Date(ms).toISOString();
        await insertIncident(tx, {
          id, kind: "incident", name: `Incident ${i}: elevated errors on component ${i % 12}`, status: "resolved", severity, impact: impactOf(severity),
          createdAt: iso(created), updatedAt: iso(created + 3 * 600_000), startedAt: iso(created), identifiedAt: iso(created + 600_000),
          monitoringAt: iso(created + 1_200_000), resolvedAt: iso(created + 1_800_000), scheduledFor: null, scheduledUntil: null,
        });
        await linkIncidentComponent(tx, id, component);
        for (let u = 0; u < 4; u++) {
          const updateId = newId();
          await insertUpdate(tx, {
            id: updateId, incidentId: id, seq: u + 1, status: STATUSES[u]!, author: "bench", deliverNotifications: true, reopened: false,
            body: `Update ${u} for incident ${i}: we are **working** on it. See [the runbook](https://example.com/runbook).`,
            createdAt: iso(created + u * 600_000), displayAt: iso(created + u * 600_000),
          });
          if (u === 0 || u === 3) {
            const [oldStatus, newStatus] = u === 0 ? (["operational", "partial_outage"] as const) : (["partial_outage", "operational"] as const);
            await insertUpdateComponent(tx, updateId, { componentId: component, name: "", oldStatus, newStatus });
            await recordStatusChange(tx, { componentId: component, oldStatus, newStatus, at: iso(created + u * 600_000), updateId });
          }
        }
      }
    });
  }
  db.close();
}

/**
 * Waits until `served()` holds: checked once now, then again each time the serving thread takes
 * in a commit from the publishing thread. Polling every few milliseconds instead competed with the
 * publish for the CPU and added up to 50 ms to the p95 on two vCPUs.
 */
async function waitUntil(site: PublishedSite, served: () => Promise<boolean>): Promise<void> {
  for (;;) {
    const applied = site.nextApply();
    if (await served()) return;
    await applied;
  }
}

const serves = (url: string, marker: string) => async () => (await (await fetch(url)).text()).includes(marker);

/** Herald on a bench site (its log kept in `log`); `env` adds to the configuration. */
async function startOn(dir: string, log: string[], env: Record<string, string> = {}): Promise<RunningServer> {
  const server = await startServer(readConfig({ PORT: "0", DATABASE_URL: `file:${dir}/herald.db`, PUBLIC_DIR: `${dir}/public`, PAGE_TIME_ZONE: "Europe/Berlin", ...env }), {
    hostname: "127.0.0.1",
    log: (line) => log.push(line),
  });
  await server.ready;
  return server;
}

/** Posts an update carrying `marker` and waits until both the new summary.json and / are served; returns when it was sent, answered and served. */
async function postUntilServed(server: RunningServer, headers: Record<string, string>, incidentId: string, marker: string): Promise<{ sent: number; answered: number; served: number }> {
  const sent = performance.now();
  const res = await fetch(`${server.url}/api/v1/incidents/${incidentId}/updates`, { method: "POST", headers, body: JSON.stringify({ status: "identified", body: `Still working (${marker}).` }) });
  await res.arrayBuffer();
  const answered = performance.now();
  if (res.status !== 201) throw new Error(`update failed: ${res.status}`);
  await Promise.all([waitUntil(server.site, serves(`${server.url}/api/v2/summary.json`, marker)), waitUntil(server.site, serves(`${server.url}/`, marker))]);
  return { sent, answered, served: performance.now() };
}

/**
 * A new build on the same site: every page changes (here the page's language, which renders every
 * page anew just as new code does), so the full publish writes them all and leaves the old ones to
 * delete. Prints that full publish, how soon an update posted right after it is served while the
 * old pages are deleted between publishes, and the deleting.
 */
async function afterNewBuild(count: number, dir: string, oldBuild: string, headers: Record<string, string>, incidentId: string): Promise<void> {
  const log: string[] = [];
  const starting = performance.now();
  const server = await startOn(dir, log, { PAGE_LOCALE: "de" });
  // Until the new build's full publish is live (checked and awaited in one step: no commit slips between).
  while (server.site.current().build === oldBuild) await server.site.nextApply();
  const fullSeconds = (performance.now() - starting) / 1000;
  const { answered, served } = await postUntilServed(server, headers, incidentId, `after-build-${count}-${Math.random().toString(36).slice(2, 8)}`);
  const liveMs = served - answered;
  await server.publisher!.idle();
  const removed = /removed (\d+) unreferenced files between publishes, ([\d.]+) s after/.exec(log.find((line) => line.includes("unreferenced files")) ?? "");
  console.log(
    `publish[${count} incidents]: after a new build (PAGE_LOCALE=de: every page new): start to committed ${fullSeconds.toFixed(2)} s; an update posted then served ${fmt(liveMs)} after its 2xx; ` +
      (removed ? `the old build's ${removed[1]} files deleted between publishes over ${removed[2]} s after the full publish` : "nothing left to delete"),
  );
  await server.close();
}

/**
 * Publish latency: how long from the API's 2xx for an update until both the new
 * /api/v2/summary.json and / are served, with N incidents of history; plus the full
 * regeneration time, the home page's transfer size, and a new build's full publish
 * (afterNewBuild).
 */
export async function benchPublish(sizes: number[] = [10, 1000, 10_000, 100_000], samples = 40): Promise<void> {
  // Each size's site stays until the run ends (bench/run.ts removes scratch directories after each
  // benchmark), not removed between sizes: a site removed right before a full publish makes its
  // file creation dearer (ext4's inode allocator looks at every recently freed inode — perf shows
  // `recently_deleted`). Removing a 100,000-file site first: 69 s and 132 s of CPU instead of
  // 55–58 s and 105–111 s; the 10,000 site removed before the 100,000 run was a tenth of that.
  for (const count of sizes) {
    const dir = scratchDir(`publish-${count}`);
    const databaseUrl = `file:${dir}/herald.db`;
    const seeded = performance.now();
    await seed(databaseUrl, count);
    const seedSeconds = (performance.now() - seeded) / 1000;
    const log: string[] = [];
    const starting = performance.now();
    const server = await startOn(dir, log);
    await server.publisher!.idle();
    // The whole first run: the full publish and whatever refresh followed it (the publisher's log says each).
    const fullSeconds = (performance.now() - starting) / 1000;
    const fullLine = log.find((line) => line.includes("(full)")) ?? "";
    const fullRendered = Number(/of (\d+) rendered/.exec(fullLine)?.[1] ?? NaN);
    const fullRun = Number(/in (\d+) ms \(full\)/.exec(fullLine)?.[1] ?? NaN) / 1000;
    const token = await server.deps!.db.write(async (tx) =>
      (await createKey({ tx, actor: { id: null, name: "bench", role: "admin" }, now: new Date().toISOString(), hooks: {} }, "bench", "admin")).token,
    );
    const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
    const created = await fetch(`${server.url}/api/v1/incidents`, { method: "POST", headers, body: JSON.stringify({ name: "Bench incident", severity: "SEV2", body: "Investigating." }) });
    const incidentId = ((await created.json()) as { id: string }).id;
    await server.publisher!.idle();

    const latencies: number[] = [];
    const endToEnd: number[] = [];
    const apiMs: number[] = [];
    const renderMs: number[] = [];
    for (let i = 0; i < samples; i++) {
      const { sent, answered, served } = await postUntilServed(server, headers, incidentId, `marker-${count}-${i}-${Math.random().toString(36).slice(2, 8)}`);
      apiMs.push(answered - sent);
      latencies.push(served - answered);
      endToEnd.push(served - sent);
      await server.publisher!.idle();
      renderMs.push(server.publisher!.lastReport?.ms ?? NaN);
    }
    // A component's status change (the other everyday write): its page, the home page and the JSON, however many incidents it had.
    const components = (await (await fetch(`${server.url}/api/v1/components`, { headers })).json()) as { id: string; group_id: string | null }[];
    const leaf = components.find((c) => c.group_id !== null)!;
    const componentMs: number[] = [];
    for (let i = 0; i < 6; i++) {
      const status = i % 2 === 0 ? "degraded_performance" : "operational";
      const sent = performance.now();
      const res = await fetch(`${server.url}/api/v1/components/${leaf.id}`, { method: "PATCH", headers, body: JSON.stringify({ status }) });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`component change failed: ${res.status}`);
      await waitUntil(server.site, async () => {
        const summary = (await (await fetch(`${server.url}/api/v2/summary.json`)).json()) as { components: { id: string; status: string }[] };
        return summary.components.find((c) => c.id === leaf.id)?.status === status;
      });
      componentMs.push(performance.now() - sent);
      await server.publisher!.idle();
    }
    const home = await fetch(`${server.url}/`, { headers: { "Accept-Encoding": "identity" } });
    const html = await home.text();
    const cssPath = /href="(\/_astro\/[^"]+\.css)"/.exec(html)?.[1];
    const css = cssPath ? await (await fetch(`${server.url}${cssPath}`, { headers: { "Accept-Encoding": "identity" } })).text() : "";
    const brHome = Number((await fetch(`${server.url}/`, { headers: { "Accept-Encoding": "br" } })).headers.get("content-length"));
    const l = summarize(latencies);
    const e = summarize(endToEnd);
    const a = summarize(apiMs);
    const r = summarize(renderMs);
    console.log(`publish[${count} incidents]: seeded in ${seedSeconds.toFixed(1)} s; full regeneration ${fullRendered} files in ${fullRun.toFixed(2)} s (start to idle ${fullSeconds.toFixed(2)} s); ${Object.keys(server.site.current().entries).length} paths published`);
    // Where the full publish's time went (the publisher's phases, ms; "helper": waiting for the second core's share).
    console.log(`publish[${count} incidents]: full regeneration phases: ${/\((snapshot [^)]*)\)/.exec(fullLine)?.[1] ?? "?"}`);
    for (const line of log.filter((l) => l.includes("helper failed"))) console.log(`publish[${count} incidents]: ${line}`);
    console.log(`publish[${count} incidents]: API 2xx → new summary.json and / served: p50 ${fmt(l.p50)}, p95 ${fmt(l.p95)}, max ${fmt(l.max)} (${samples} updates)`);
    console.log(`publish[${count} incidents]: request sent → served: p50 ${fmt(e.p50)}, p95 ${fmt(e.p95)}; API answer p50 ${fmt(a.p50)}, p95 ${fmt(a.p95)}; publish run p50 ${fmt(r.p50)}, p95 ${fmt(r.p95)}`);
    const k = summarize(componentMs);
    console.log(`publish[${count} incidents]: a component's status change, request sent → served: p50 ${fmt(k.p50)}, max ${fmt(k.max)} (${componentMs.length} changes)`);
    console.log(`publish[${count} incidents]: home page HTML ${html.length} B, gzip ${gzipSync(html, { level: 9 }).length} B, brotli ${brHome} B; CSS ${css.length} B, gzip ${gzipSync(css, { level: 9 }).length} B`);
    if (process.env.BENCH_VERBOSE) for (const line of log.slice(-5)) console.log(`  ${line}`);
    const build = server.site.current().build;
    await server.close();
    await afterNewBuild(count, dir, build, headers, incidentId);
  }
}
