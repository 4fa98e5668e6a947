import { readConfig } from "../api/config.ts";
import { startServer } from "../api/server.ts";
import { createKey } from "../api/service/keys.ts";
import { fmt, scratchDir, summarize } from "./lib.ts";

/**
 * Write path: WRITERS concurrent clients each post UPDATES_PER_WRITER incident updates over
 * real HTTP to a real server on an embedded libSQL file. Prints throughput and latency.
 */
export async function benchWrites(options: { writers?: number; updatesPerWriter?: number } = {}): Promise<void> {
  const writers = options.writers ?? 50;
  const perWriter = options.updatesPerWriter ?? 40;
  const dir = scratchDir("write");
  const server = await startServer(readConfig({ PORT: "0", DATABASE_URL: `file:${dir}/herald.db` }), { hostname: "127.0.0.1", log: () => {} });
  const token = await server.deps!.db.write(async (tx) =>
    (await createKey({ tx, actor: { id: null, name: "bench", role: "admin" }, now: new Date().toISOString(), hooks: {} }, "bench", "admin")).token,
  );
  const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
  const post = (path: string, body: unknown) => fetch(`${server.url}${path}`, { method: "POST", headers, body: JSON.stringify(body) });

  const components: string[] = [];
  for (let i = 0; i < 30; i++) components.push(((await (await post("/api/v1/components", { name: `Component ${i}`, group: `Group ${i % 5}` })).json()) as { id: string }).id);
  // Each writer works on its own incident, with some history already there.
  const incidents: string[] = [];
  for (let w = 0; w < writers; w++) {
    const res = await post("/api/v1/incidents", { name: `Incident ${w}`, severity: "SEV2", body: "Investigating.", components: { [components[w % 30]!]: "partial_outage" } });
    incidents.push(((await res.json()) as { id: string }).id);
  }

  // Warm up: let the server publish what was set up, and send one untimed round (cold JIT, first
  // renders, fresh sockets). Its slowest request is printed separately as the cold-start figure.
  await server.publisher?.idle();
  const coldStarted = performance.now();
  const cold = await Promise.all(
    incidents.map(async (id) => {
      const t0 = performance.now();
      const res = await post(`/api/v1/incidents/${id}/updates`, { status: "identified", body: "Warming up." });
      await res.arrayBuffer();
      return performance.now() - t0;
    }),
  );
  const coldMs = performance.now() - coldStarted;
  await server.publisher?.idle();

  const latencies: number[] = [];
  let failures = 0;
  const started = performance.now();
  await Promise.all(
    incidents.map(async (id, w) => {
      for (let i = 0; i < perWriter; i++) {
        const t0 = performance.now();
        const res = await post(`/api/v1/incidents/${id}/updates`, {
          status: i === perWriter - 1 ? "monitoring" : "identified",
          body: `Update ${i} from writer ${w}: **still working** on it.`,
          components: { [components[(w + i) % 30]!]: i % 2 ? "degraded_performance" : "partial_outage" },
        });
        await res.arrayBuffer();
        latencies.push(performance.now() - t0);
        if (res.status !== 201) failures++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const s = summarize(latencies);
  console.log(`write: ${writers} concurrent writers × ${perWriter} updates = ${latencies.length} requests in ${seconds.toFixed(2)} s`);
  console.log(`write: throughput ${(latencies.length / seconds).toFixed(0)} updates/s; latency p50 ${fmt(s.p50)}, p99 ${fmt(s.p99)}, max ${fmt(s.max)}; failures ${failures}`);
  console.log(`write: cold start (first ${writers} concurrent updates on a fresh server): all answered in ${fmt(coldMs)}, slowest ${fmt(Math.max(...cold))}`);
  await server.close();
}
