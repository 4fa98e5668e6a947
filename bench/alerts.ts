/**
 * Detect, measured on a real server (`startServer`, publishing in its thread):
 *  1. one Alertmanager group of 1,000 firing alerts on 20 components, received and applied in one
 *     request (goal: under a second), then the same group again (nothing changes), then resolved;
 *  2. an automated change's publish latency: from the receiver's 2xx until the new component
 *     status is served in /api/v2/summary.json (the home page is swapped in the same commit).
 */
import { readConfig } from "../api/config.ts";
import { startServer } from "../api/server.ts";
import { createKey } from "../api/service/keys.ts";
import { fmt, scratchDir, summarize } from "./lib.ts";

const GROUP = 1000;
const COMPONENTS = 20;

async function waitForStatus(url: string, componentId: string, status: string): Promise<void> {
  for (;;) {
    const json = (await (await fetch(url)).json()) as { components: { id: string; status: string }[] };
    if (json.components.some((c) => c.id === componentId && c.status === status)) return;
    await new Promise((r) => setTimeout(r, 2));
  }
}

export async function benchAlerts(samples = 20): Promise<void> {
  const dir = scratchDir("alerts");
  const server = await startServer(readConfig({ PORT: "0", DATABASE_URL: `file:${dir}/herald.db`, PUBLIC_DIR: `${dir}/public` }), { hostname: "127.0.0.1", log: () => {} });
  await server.ready;
  const [admin, automation] = await server.deps!.db.write(async (tx) => {
    const ctx = { tx, actor: { id: null, name: "bench", role: "admin" as const }, now: new Date().toISOString(), hooks: {} };
    return [(await createKey(ctx, "bench", "admin")).token, (await createKey(ctx, "Alertmanager", "automation")).token];
  });
  const components: string[] = [];
  for (let i = 0; i < COMPONENTS; i++) {
    const res = await fetch(`${server.url}/api/v1/components`, { method: "POST", headers: { Authorization: `Bearer ${admin}`, "Content-Type": "application/json" }, body: JSON.stringify({ name: `Service ${i}` }) });
    components.push(((await res.json()) as { id: string }).id);
  }
  await server.publisher!.idle();
  const post = async (payload: unknown) => {
    const started = performance.now();
    const res = await fetch(`${server.url}/api/v1/alerts/alertmanager`, { method: "POST", headers: { Authorization: `Bearer ${automation}`, "Content-Type": "application/json" }, body: JSON.stringify(payload) });
    const report = (await res.json()) as { changed: number; moves: unknown[] };
    if (res.status !== 200) throw new Error(`alertmanager answered ${res.status}: ${JSON.stringify(report)}`);
    return { ms: performance.now() - started, report };
  };
  const startsAt = new Date().toISOString();
  const group = (status: "firing" | "resolved") => ({
    version: "4", status, receiver: "herald", groupKey: "{}:{alertname=\"InstanceDown\"}",
    alerts: Array.from({ length: GROUP }, (_, i) => ({
      status,
      labels: { alertname: "InstanceDown", instance: `host-${i}:9100`, component: `Service ${i % COMPONENTS}`, severity: i % 10 === 0 ? "critical" : "warning" },
      annotations: { summary: `host-${i} is down` },
      startsAt,
      endsAt: status === "resolved" ? new Date().toISOString() : "0001-01-01T00:00:00Z",
      fingerprint: `bench${String(i).padStart(11, "0")}`,
    })),
  });
  const bytes = JSON.stringify(group("firing")).length;
  const first = await post(group("firing"));
  const again = await post(group("firing"));
  await server.publisher!.idle();
  // Past the hold-down would need two minutes of waiting: the resolve is measured as received (its moves are held).
  const resolved = await post(group("resolved"));
  console.log(`alerts: one Alertmanager group of ${GROUP} alerts on ${COMPONENTS} components (${(bytes / 1024).toFixed(0)} KB): firing ${fmt(first.ms)} (${first.report.changed} changed, ${first.report.moves.length} components moved); the same group again ${fmt(again.ms)} (${again.report.changed} changed); resolved ${fmt(resolved.ms)} (${resolved.report.changed} changed, moves held down)`);

  // Publish latency of an automated change: a fresh component per sample (no hold-down in the way).
  const latencies: number[] = [];
  for (let i = 0; i < samples; i++) {
    const res = await fetch(`${server.url}/api/v1/components`, { method: "POST", headers: { Authorization: `Bearer ${admin}`, "Content-Type": "application/json" }, body: JSON.stringify({ name: `Sample ${i}` }) });
    const id = ((await res.json()) as { id: string }).id;
    await server.publisher!.idle();
    const sent = await post({ version: "4", status: "firing", alerts: [{ status: "firing", labels: { alertname: "Latency", component: id, severity: "major" }, startsAt: new Date().toISOString(), fingerprint: `sample${i}` }] });
    const answered = performance.now();
    if (sent.report.moves.length !== 1) throw new Error(`the alert moved ${sent.report.moves.length} components`);
    // The home page is in the same atomic commit as summary.json: when one is served, so is the other.
    await waitForStatus(`${server.url}/api/v2/summary.json`, id, "partial_outage");
    latencies.push(performance.now() - answered);
  }
  const l = summarize(latencies);
  console.log(`alerts: receiver 2xx → the moved component served in summary.json and /: p50 ${fmt(l.p50)}, p95 ${fmt(l.p95)}, max ${fmt(l.max)} (${samples} alerts)`);
  await server.close();
}
