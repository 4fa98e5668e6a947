/**
 * The Workers publish path, measured here: the real Publisher rendering with the Astro build into
 * wrangler's local R2 (miniflare), reading from a libSQL file. Turso is remote on the edge, so the
 * bench also counts the SQL statements one publish sends and the round trips they need (the
 * client sends the statements issued in one turn of the event loop as one HTTP pipeline): the
 * edge latency is roughly queue delivery (max_batch_timeout = 0) + render/R2 time below + round
 * trips × latency to Turso.
 */
import { getPlatformProxy } from "wrangler";
import { markRemote } from "../db/database.ts";
import { countingRoundTrips, type RoundTripCounter } from "../db/round-trips.ts";
import { openNodeDatabase } from "../db/open-node.ts";
import { listAllIncidentIds } from "../db/queries/incidents.ts";
import { postIncidentUpdate } from "../api/service/incidents.ts";
import { Publisher } from "../site/publish/publisher.ts";
import { BucketSite, type Bucket } from "../site/publish/store-bucket.ts";
import { loadSiteRenderer } from "../site/render.ts";
import { fmt, scratchDir, summarize } from "./lib.ts";
import { seed } from "./publish.ts";

export async function benchEdge(incidents = Number(process.env.EDGE_INCIDENTS || 1000), samples = Number(process.env.EDGE_SAMPLES || 20)): Promise<void> {
  process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
  process.env.WRANGLER_SEND_METRICS = "false";
  const dir = scratchDir("edge");
  const url = `file:${dir}/herald.db`;
  await seed(url, incidents);
  const { db, pageId } = await openNodeDatabase(url);
  const proxy = await getPlatformProxy<{ SITE: Bucket }>({ configPath: "wrangler.toml", persist: { path: `${dir}/state` }, remoteBindings: false });
  try {
    const counter: RoundTripCounter = { statements: 0, roundTrips: 0 };
    // The file stands in for Turso: reads are planned as they would be over the network.
    const countedDb = { ...db, client: markRemote(countingRoundTrips(db.client, counter, process.env.EDGE_TRACE ? console.log : undefined), true) };
    const built = await loadSiteRenderer();
    const page = { id: pageId, name: "Bench", url: "https://status.example.com", timeZone: "Europe/Berlin" };
    const publisher = new Publisher({
      db: countedDb, page, site: new BucketSite(proxy.env.SITE), renderer: { render: built.render, buildId: built.buildId },
      clock: { now: () => new Date() }, log: () => {},
    });
    let started = performance.now();
    const full = await publisher.publishOnce([], { full: true });
    console.log(`edge publish (${incidents} incidents, local R2): full ${((performance.now() - started) / 1000).toFixed(1)} s, ${full.changed} files`);

    const ids = await listAllIncidentIds(db.client);
    const latencies: number[] = [];
    let statements = 0;
    let roundTrips = 0;
    for (let i = 0; i < samples; i++) {
      const id = ids[ids.length - 1 - i]!;
      await db.write((tx) =>
        postIncidentUpdate({ tx, actor: { id: null, name: "bench", role: "admin" }, now: new Date().toISOString(), hooks: {} }, id, { status: "resolved", body: `Follow-up ${i}.` }),
      );
      counter.statements = counter.roundTrips = 0;
      started = performance.now();
      await publisher.publishOnce([{ type: "incident", id }]);
      latencies.push(performance.now() - started);
      statements += counter.statements;
      roundTrips += counter.roundTrips;
    }
    const s = summarize(latencies);
    console.log(
      `edge publish of one incident update (render + R2 writes): p50 ${fmt(s.p50)}, p95 ${fmt(s.p95)}; ` +
        `${(statements / samples).toFixed(0)} SQL statements in ${(roundTrips / samples).toFixed(0)} round trips per publish (to Turso, on the edge)`,
    );
  } finally {
    await proxy.dispose();
    db.close();
  }
}
