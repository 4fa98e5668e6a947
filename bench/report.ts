/**
 * The response report at 10,000 incidents of history (bench/publish.ts's seed: resolved incidents
 * over years, four updates each): GET /api/v1/reports/response over the whole history and over the
 * default 90 days, through a real server. Goal: under 200 ms.
 */
import { readConfig } from "../api/config.ts";
import { startServer } from "../api/server.ts";
import { createKey } from "../api/service/keys.ts";
import { fmt, scratchDir, summarize } from "./lib.ts";
import { seed } from "./publish.ts";

export async function benchReport(count = 10_000, samples = 30): Promise<void> {
  const dir = scratchDir("report");
  const databaseUrl = `file:${dir}/herald.db`;
  await seed(databaseUrl, count);
  const server = await startServer(readConfig({ PORT: "0", DATABASE_URL: databaseUrl, PUBLIC_DIR: `${dir}/public` }), { hostname: "127.0.0.1", log: () => {} });
  await server.ready;
  await server.publisher!.idle();
  const token = await server.deps!.db.write(async (tx) => (await createKey({ tx, actor: { id: null, name: "bench", role: "admin" }, now: new Date().toISOString(), hooks: {} }, "bench", "admin")).token);
  const measure = async (query: string) => {
    const times: number[] = [];
    let incidents = 0;
    for (let i = 0; i < samples; i++) {
      const started = performance.now();
      const res = await fetch(`${server.url}/api/v1/reports/response${query}`, { headers: { Authorization: `Bearer ${token}` } });
      const report = (await res.json()) as { by_severity: Record<string, { incidents: number }> };
      times.push(performance.now() - started);
      if (res.status !== 200) throw new Error(`report answered ${res.status}`);
      incidents = Object.values(report.by_severity).reduce((n, g) => n + g.incidents, 0);
    }
    return { ...summarize(times), incidents };
  };
  const today = new Date().toISOString().slice(0, 10);
  const tenYearsAgo = new Date(Date.now() - 10 * 365 * 86_400_000).toISOString().slice(0, 10);
  const all = await measure(`?from=${tenYearsAgo}&to=${today}`);
  const recent = await measure("");
  console.log(`report[${count} incidents]: the last 10 years (${all.incidents} incidents): p50 ${fmt(all.p50)}, p95 ${fmt(all.p95)}, max ${fmt(all.max)}; the default 90 days (${recent.incidents}): p50 ${fmt(recent.p50)}, p95 ${fmt(recent.p95)} (${samples} requests each)`);
  await server.close();
}
