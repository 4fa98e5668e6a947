import { readConfig } from "../api/config.ts";
import { startServer } from "../api/server.ts";
import { addMember, createSignInToken, signIn } from "../api/service/members.ts";
import { fmt, scratchDir, summarize } from "./lib.ts";
import { seed } from "./publish.ts";

/**
 * The comms console at 10,000 incidents of history: how long each of its pages takes to answer (a signed-in member, server-rendered HTML), side by side with the
 * published home page served by the same process (the page customers read), so the ratio shows
 * what the console costs beyond serving a file. The issue's bar: every console page < 100 ms.
 */
export async function benchConsole(count = 10_000, samples = 200): Promise<void> {
  const dir = scratchDir(`console-${count}`);
  const databaseUrl = `file:${dir}/herald.db`;
  await seed(databaseUrl, count);
  const server = await startServer(readConfig({ PORT: "0", DATABASE_URL: databaseUrl, PUBLIC_DIR: `${dir}/public`, PAGE_URL: "https://status.example.com" }), { hostname: "127.0.0.1", log: () => {} });
  await server.ready;
  await server.publisher!.idle();
  const db = server.deps!.db;
  const actor = { id: null, name: "bench", role: "admin" as const };
  const session = await db.write(async (tx) => {
    const ctx = { tx, actor, now: new Date().toISOString(), hooks: {} };
    const member = await addMember(ctx, { name: "Bench", email: "bench@example.com", role: "admin" });
    return (await signIn(ctx, (await createSignInToken(ctx, member.id)).token))!.sessionToken;
  });
  const newest = async (where: string) => String((await db.client.execute(`SELECT id FROM incidents WHERE ${where} ORDER BY created_at DESC LIMIT 1`)).rows[0]?.id ?? "");
  const incidentId = await newest("kind = 'incident'");
  const resolvedId = await newest("kind = 'incident' AND status = 'resolved'");
  const maintenanceId = await newest("kind = 'maintenance'");
  const componentId = String((await db.client.execute("SELECT id FROM components LIMIT 1")).rows[0]?.id ?? "");
  const cookie = `__Host-herald_console=${session}`;
  const pages: [string, string, Record<string, string>][] = [
    ["published home page", "/", {}],
    ["console: Now", "/console", { Cookie: cookie }],
    ["console: declare form", "/console/incidents/new", { Cookie: cookie }],
    ["console: incident page", `/console/incidents/${incidentId}`, { Cookie: cookie }],
    ["console: incidents", "/console/incidents", { Cookie: cookie }],
    ["console: postmortem", `/console/postmortems/${resolvedId}`, { Cookie: cookie }],
    ["console: maintenance", "/console/maintenances", { Cookie: cookie }],
    ...(maintenanceId ? [["console: one maintenance", `/console/maintenances/${maintenanceId}`, { Cookie: cookie }] as [string, string, Record<string, string>]] : []),
    ["console: drills", "/console/drills", { Cookie: cookie }],
    ["console: templates", "/console/templates", { Cookie: cookie }],
    ["console: components", "/console/components", { Cookie: cookie }],
    ...(componentId ? [["console: one component", `/console/components/${componentId}`, { Cookie: cookie }] as [string, string, Record<string, string>]] : []),
    ["console: members", "/console/members", { Cookie: cookie }],
    ["console: API keys", "/console/keys", { Cookie: cookie }],
    ["console: webhooks", "/console/webhooks", { Cookie: cookie }],
    ["console: sign-in", "/console/sign-in", {}],
  ];
  console.log(`console at ${count.toLocaleString("en")} incidents (${samples} requests each, one at a time):`);
  let homeP50 = 0;
  for (const [name, path, headers] of pages) {
    for (let i = 0; i < 20; i++) await (await fetch(`${server.url}${path}`, { headers })).text(); // warm up
    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      const started = performance.now();
      const res = await fetch(`${server.url}${path}`, { headers });
      await res.text();
      if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
      times.push(performance.now() - started);
    }
    const s = summarize(times);
    if (path === "/") homeP50 = s.p50;
    console.log(`  ${name.padEnd(26)} p50 ${fmt(s.p50)}  p95 ${fmt(s.p95)}  p99 ${fmt(s.p99)}  max ${fmt(s.max)}${path === "/" ? "" : `  (${(s.p50 / homeP50).toFixed(1)}× the page's p50)`}`);
  }
  await server.close();
}
