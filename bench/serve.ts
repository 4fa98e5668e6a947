/**
 * Serving the page while the team posts, side by side in one run (issue 12):
 *  1. the published home page (gzip) from Herald, from a bare node:http server writing the same
 *     precomputed bytes (the Node limit), and from nginx when it is installed — wrk, idle;
 *  2. 10 writers posting updates back to back (wrk with a Lua script, 10 connections), alone;
 *  3. Herald's page under those 10 writers (against its idle figures taken just before and just
 *     after), the writes themselves meanwhile, and how soon one more update a second is on the page;
 *  4. Herald's page while one update a second is posted (the same way), and how soon each is on it;
 *  5. the 10 writers again, spread over 500 incidents (a few updates each instead of hundreds).
 * Herald runs as its own process (`node api/node.ts`, as `npm start` does), so the load does not
 * share its event loop. Prints requests/s and latency percentiles, and the ratios.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createComponent } from "../api/service/components.ts";
import { createKey } from "../api/service/keys.ts";
import { openNodeDatabase } from "../db/open-node.ts";
import { fmt, scratchDir, summarize } from "./lib.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SECONDS = Number(process.env.BENCH_SERVE_SECONDS || 5);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Starts a child process and resolves once its output says `ready`. */
function startChild(args: string[], env: Record<string, string>, ready: RegExp): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (ready.test(output)) resolve(child);
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`${args.join(" ")} exited ${code}: ${output.slice(-2000)}`)));
  });
}

interface WrkResult {
  rps: number;
  p50: number;
  p99: number;
  max: number;
}

const toMs = (value: string): number => {
  const m = /^([\d.]+)(us|ms|s)$/.exec(value.trim());
  if (!m) return NaN;
  return Number(m[1]) * (m[2] === "us" ? 0.001 : m[2] === "s" ? 1000 : 1);
};

function wrk(url: string, options: { seconds?: number; connections?: number; script?: string; args?: string[] } = {}): Promise<WrkResult> {
  const { seconds = SECONDS, connections = 50, script, args = [] } = options;
  return new Promise((resolve, reject) => {
    const argv = ["-t1", `-c${connections}`, `-d${seconds}s`, "--latency", "-H", "Accept-Encoding: gzip", ...(script ? ["-s", script] : []), url, ...(args.length ? ["--", ...args] : [])];
    const child = spawn("wrk", argv, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.once("exit", (code) => {
      if (code !== 0) return reject(new Error(`wrk exited ${code}: ${out}`));
      // wrk counts answers that are neither 2xx nor 3xx; a refused write must fail the bench.
      const refused = /Non-2xx or 3xx responses: (\d+)/.exec(out);
      if (refused) return reject(new Error(`wrk saw ${refused[1]} answers that were not 2xx/3xx: ${out}`));
      const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
      const p50 = toMs(/\n\s+50%\s+(\S+)/.exec(out)?.[1] ?? "");
      const p99 = toMs(/\n\s+99%\s+(\S+)/.exec(out)?.[1] ?? "");
      const max = toMs(/\n\s+Latency\s+\S+\s+\S+\s+(\S+)/.exec(out)?.[1] ?? "");
      resolve({ rps, p50, p99, max });
    });
  });
}

/**
 * wrk as the 10 back-to-back writers: each of its connections posts an update, waits for the
 * answer, posts the next (to the incidents in turn). A load generator in C costs the shared
 * machine a fraction of what 10 fetch() loops in Node do (1.5 ms of CPU an update, measured),
 * so the figures are Herald's, not the client's.
 */
const WRITERS_LUA = `
local token, ids, n = nil, {}, 0
function init(args)
  token = args[1]
  for i = 2, #args do ids[#ids + 1] = args[i] end
end
function request()
  n = n + 1
  local body = '{"status":"identified","body":"Update ' .. n .. ': still working on it."}'
  return wrk.format("POST", "/api/v1/incidents/" .. ids[(n % #ids) + 1] .. "/updates",
    { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }, body)
end
`;

const line = (name: string, r: WrkResult, base?: WrkResult) =>
  `  ${name.padEnd(44)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${fmt(r.p50)}  p99 ${fmt(r.p99)}${base ? `  (${(r.rps / base.rps).toFixed(2)}×)` : ""}`;

/** Calls `post(i)` every `everyMs` (i = 0, 1, …) until `stop()`. */
function every(everyMs: number, post: (i: number) => Promise<unknown>): { stop(): Promise<void> } {
  let running = true;
  const loop = (async () => {
    for (let i = 0; running; i++) {
      const started = performance.now();
      await post(i);
      await new Promise((r) => setTimeout(r, Math.max(0, everyMs - (performance.now() - started))));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
    },
  };
}

/** Ends a child process and resolves once it has exited. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

function nginxConfig(dir: string, port: number): string | null {
  if (spawnSync("nginx", ["-v"]).status !== 0) return null;
  const conf = join(dir, "nginx.conf");
  writeFileSync(
    conf,
    `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}; proxy_temp_path ${dir}; fastcgi_temp_path ${dir}; uwsgi_temp_path ${dir}; scgi_temp_path ${dir};
  server {
    listen 127.0.0.1:${port};
    location = / {
      # alias would append index.html to "/"; try_files serves the one file for it.
      root ${dir};
      try_files /home.html.gz =404;
      default_type text/html;
      add_header Content-Encoding gzip;
      add_header Vary Accept-Encoding;
      add_header Cache-Control "public, max-age=5";
    }
  }
}
`,
  );
  return conf;
}

export async function benchServe(): Promise<void> {
  const dir = scratchDir("serve");
  const databaseUrl = `file:${dir}/herald.db`;
  const { db } = await openNodeDatabase(databaseUrl);
  const actor = { id: null, name: "bench", role: "admin" as const };
  const token = await db.write(async (tx) => {
    const ctx = { tx, actor, now: new Date().toISOString(), hooks: {} };
    for (let i = 0; i < 5; i++) await createComponent(ctx, { name: `Component ${i}` });
    return (await createKey(ctx, "bench", "admin")).token;
  });
  db.close();

  const heraldPort = await freePort();
  const herald = await startChild(["api/node.ts"], { PORT: String(heraldPort), DATABASE_URL: databaseUrl, PUBLIC_DIR: `${dir}/public`, PAGE_URL: `http://127.0.0.1:${heraldPort}`, MAIL_DIR: `${dir}/mail` }, /Herald is serving/);
  const url = `http://127.0.0.1:${heraldPort}`;
  const children: ChildProcess[] = [herald];
  try {
    const api = async (path: string, body: unknown): Promise<{ id: string }> => {
      const res = await fetch(`${url}/api/v1${path}`, { method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, body: JSON.stringify(body) });
      if (res.status !== 201) throw new Error(`${path} answered ${res.status}`);
      return (await res.json()) as { id: string };
    };
    // Open incidents to post to. Each write phase gets ten new ones (the last phase's are resolved
    // first): an update's answer carries its incident's every update, so incidents grown by an
    // earlier phase would make a later phase's writes dearer and the phases depend on order.
    const openIncidents = async (count: number): Promise<string[]> => {
      const opened: string[] = [];
      for (let i = 0; i < count; i++) opened.push((await api("/incidents", { name: `Incident ${i}`, severity: "SEV3", body: "Looking." })).id);
      await new Promise((r) => setTimeout(r, 1000));
      return opened;
    };
    const openTen = () => openIncidents(10);
    const resolve = async (done: string[]) => {
      for (const id of done) await api(`/incidents/${id}/updates`, { status: "resolved", body: "Fixed." });
    };
    let ids = await openTen();
    const gz = new Uint8Array(await (await fetch(`${url}/`, { headers: { "Accept-Encoding": "gzip" } })).arrayBuffer());
    // fetch decodes; store the gzipped bytes the page would send.
    const { gzipSync } = await import("node:zlib");
    writeFileSync(join(dir, "home.html.gz"), gzipSync(gz, { level: 9 }));

    const barePort = await freePort();
    children.push(await startChild(["bench/bare-server.ts", join(dir, "home.html.gz"), String(barePort)], {}, /ready/));
    const nginxPort = await freePort();
    const conf = nginxConfig(dir, nginxPort);
    if (conf) {
      const nginx = spawn("nginx", ["-c", conf, "-p", dir], { stdio: "ignore" });
      children.push(nginx);
      await new Promise((r) => setTimeout(r, 500));
    }

    console.log(`serve: the home page with gzip, wrk -t1 -c50 for ${SECONDS} s each (Herald at 5 components, its own process):`);
    // A second of load first, so that neither server is measured while its code is still being optimised.
    for (const warm of [`${url}/`, `http://127.0.0.1:${barePort}/`]) await wrk(warm, { seconds: 1 });
    const idle = await wrk(`${url}/`);
    const bare = await wrk(`http://127.0.0.1:${barePort}/`);
    console.log(line("bare node:http, precomputed bytes", bare));
    console.log(line("Herald, idle", idle, bare));
    if (conf) console.log(line("nginx, the same bytes", await wrk(`http://127.0.0.1:${nginxPort}/`), bare));
    else console.log("  nginx: not installed, skipped");

    const script = join(dir, "writers.lua");
    writeFileSync(script, WRITERS_LUA);
    const writers = () => wrk(url, { connections: 10, script, args: [token, ...ids] });
    const writeLine = (name: string, r: WrkResult) =>
      `  ${name.padEnd(44)} ${r.rps.toFixed(0).padStart(7)} updates/s  p50 ${fmt(r.p50)}  p99 ${fmt(r.p99)}  max ${fmt(r.max)}`;
    const alone = await writers();
    console.log(writeLine("10 writers back to back, no page load", alone));
    await resolve(ids);
    ids = await openTen();
    // Beside the writers, one more update a second to an incident of its own, timed from its 2xx
    // until the page shows it: how fresh the page stays while it is read and written hardest.
    // Opened first, so that every phase below serves the same page.
    const [probeIncident] = await openIncidents(1);
    const probe = () => {
      const liveMs: number[] = [];
      const loop = every(1000, async (i) => {
        const marker = `probe-${i}-${Math.random().toString(36).slice(2, 8)}`;
        await api(`/incidents/${probeIncident}/updates`, { status: "identified", body: `Still working (${marker}).` });
        const answered = performance.now();
        while (!(await (await fetch(`${url}/`)).text()).includes(marker)) await new Promise((r) => setTimeout(r, 10));
        liveMs.push(performance.now() - answered);
      });
      return { async stop() { await loop.stop(); return summarize(liveMs); } };
    };
    const liveLine = (name: string, s: ReturnType<typeof summarize>) => `  ${name.padEnd(44)} p50 ${fmt(s.p50)}  p95 ${fmt(s.p95)}  max ${fmt(s.max)}`;
    // Each loaded phase is taken against Herald idle just before and just after it (the mean): what
    // this machine computes drifts by a third within a minute, and a ratio to a figure taken 20 s
    // earlier measured the drift as much as the writes.
    const between = (before: WrkResult, after: WrkResult): WrkResult => ({ ...before, rps: (before.rps + after.rps) / 2 });
    const idleBefore = await wrk(`${url}/`);
    const busyProbe = probe();
    const [busy, writes] = await Promise.all([wrk(`${url}/`), writers()]);
    const busyLive = await busyProbe.stop();
    const idleAfter = await wrk(`${url}/`);
    console.log(line("Herald, idle just before", idleBefore, bare));
    console.log(line("Herald, while 10 writers post back to back", busy, between(idleBefore, idleAfter)) + " of idle (before and after)");
    console.log(writeLine("  the writes meanwhile", writes));
    console.log(liveLine("  one more update a second, 2xx → on the page", busyLive));
    console.log(line("Herald, idle just after", idleAfter, bare));

    const slow = probe();
    const steady = await wrk(`${url}/`);
    const slowLive = await slow.stop();
    const idleLast = await wrk(`${url}/`);
    console.log(line("Herald, while one update a second is posted", steady, between(idleAfter, idleLast)) + " of idle (before and after)");
    console.log(liveLine("  each update, 2xx → on the page", slowLive));
    console.log(line("Herald, idle just after", idleLast, bare));

    // Last, as its 500 open incidents would change the page the phases above serve. Above, each of
    // the ten incidents has ~250 updates by the end of a phase, and an update's answer carries them
    // all; here each ends with about ten, as real incidents have.
    const many = await openIncidents(500);
    const spread = await wrk(url, { connections: 10, script, args: [token, ...many] });
    console.log(writeLine("10 writers over 500 incidents, no page load", spread));
  } finally {
    // Wait for them to end: Herald checkpoints its database on the way out, into the scratch
    // directory the run then removes.
    await Promise.all(children.map(stopChild));
  }
}
