/**
 * Node answers published files before the app (api/runtime/node-published.ts). Its answers must be
 * exactly servePublished's (site/publish/serve.ts), which the Worker uses: the same status,
 * headers and decoded bytes for plain, compressed, conditional and HEAD requests — and the app
 * still answers everything else.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, brotliDecompressSync } from "node:zlib";
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startServer, type RunningServer } from "../api/server.ts";
import { servePublished } from "../site/publish/serve.ts";
import { testServerConfig } from "./harness.ts";

let dir: string;
let server: RunningServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "herald-fast-path-"));
  server = await startServer(testServerConfig(dir), { hostname: "127.0.0.1", log: () => {}, env: { MAIL_DIR: join(dir, "mail") } });
  await server.ready;
  await server.publisher!.idle();
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A raw HTTP request (fetch would decode the body and drop hop headers). */
function raw(path: string, method: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers as Record<string, string>, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    req.end();
  });
}

const decode = (body: Buffer, encoding: string | undefined | null) =>
  encoding === "gzip" ? gunzipSync(body) : encoding === "br" ? brotliDecompressSync(body) : body;

test("published files get servePublished's status, headers and bytes, whatever the request", async () => {
  const paths = ["/", "/api/v2/summary.json", "/history.rss", "/history", "/404", Object.keys(server.site.current().entries).find((p) => p.endsWith(".css"))!];
  for (const path of paths) {
    const etag = server.site.lookup(path)!.object;
    const variants: [string, Record<string, string>][] = [
      ["GET", {}],
      ["GET", { "Accept-Encoding": "gzip" }],
      ["GET", { "Accept-Encoding": "br, gzip" }],
      ["GET", { "Accept-Encoding": "gzip;q=0, identity" }],
      ["HEAD", { "Accept-Encoding": "gzip" }],
      ["GET", { "If-None-Match": `"${etag}"` }],
      ["GET", { "If-Modified-Since": new Date(Date.now() + 60_000).toUTCString() }],
    ];
    for (const [method, headers] of variants) {
      const fast = await raw(`${path}${path === "/" ? "?utm=x" : ""}`, method, headers);
      const reference = (await servePublished(server.site, new Request(`http://x${path}`, { method, headers })))!;
      const label = `${method} ${path} ${JSON.stringify(headers)}`;
      expect(fast.status, label).toBe(reference.status);
      for (const [name, value] of reference.headers) expect(fast.headers[name], `${label}: ${name}`).toBe(value);
      const referenceBody = Buffer.from(await reference.arrayBuffer());
      if (method === "HEAD" || fast.status === 304) {
        expect([fast.body.length, referenceBody.length], label).toEqual([0, 0]);
        continue;
      }
      expect(decode(fast.body, fast.headers["content-encoding"]).equals(decode(referenceBody, reference.headers.get("content-encoding"))), label).toBe(true);
    }
  }
});

test("the app still answers its own routes, unknown paths and other methods", async () => {
  expect((await raw("/api/v1/components", "GET", {})).status).toBe(401);
  expect((await raw("/no/such/page", "GET", {})).status).toBe(404);
  expect((await raw("/", "POST", {})).status).toBe(405);
  expect((await raw("/console", "GET", {})).status).toBe(303);
  // A malformed escape names nothing: a 404, never a 500.
  expect((await raw("/%E0%A4%A", "GET", {})).status).toBe(404);
});

test("the publishing thread's commits reach the serving thread's manifest exactly as they are on disk", async () => {
  const { createKey } = await import("../api/service/keys.ts");
  const { PublishedSite } = await import("../site/publish/store.ts");
  const { ThreadPublisher } = await import("../api/runtime/thread-publisher.ts");
  expect(server.publisher).toBeInstanceOf(ThreadPublisher);
  const token = await server.deps!.db.write(async (tx) => (await createKey({ tx, actor: { id: null, name: "t", role: "admin" }, now: new Date().toISOString(), hooks: {} }, "t", "admin")).token);
  const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
  const created = (await (await fetch(`${server.url}/api/v1/incidents`, { method: "POST", headers, body: JSON.stringify({ name: "Thread check", severity: "SEV3", body: "Looking." }) })).json()) as { id: string };
  for (const status of ["identified", "resolved"]) {
    await fetch(`${server.url}/api/v1/incidents/${created.id}/updates`, { method: "POST", headers, body: JSON.stringify({ status, body: `Now ${status}.` }) });
  }
  await server.publisher!.idle();
  expect(server.site.lookup(`/incidents/${created.id}`)).toBeDefined();
  const onDisk = new PublishedSite(server.site.dir);
  expect({ ...server.site.current().entries }).toEqual({ ...onDisk.current().entries });
  expect(server.site.current().build).toBe(onDisk.current().build);
});

test("a byte budget smaller than the site still answers every file whole, as it changes", async () => {
  const { createServer } = await import("node:http");
  const { publishedFastPath } = await import("../api/runtime/node-published.ts");
  const paths = ["/", "/api/v2/summary.json", "/history"];
  // Room for about one page: the others are read again from the store after being pushed out.
  const fastPath = publishedFastPath(server.site, { maxCacheBytes: 16 * Math.max(...paths.map((p) => server.site.lookup(p)!.size)) });
  const tiny = createServer((req, res) => {
    if (!fastPath(req, res, () => res.writeHead(599).end())) res.writeHead(404).end();
  });
  await new Promise<void>((r) => tiny.listen(0, "127.0.0.1", () => r()));
  const base = `http://127.0.0.1:${(tiny.address() as { port: number }).port}`;
  try {
    for (let round = 0; round < 3; round++) {
      for (const path of paths) {
        for (const encoding of ["gzip", "br", "identity"]) {
          const res = await fetch(`${base}${path}`, { headers: { "Accept-Encoding": encoding } });
          const expected = (await servePublished(server.site, new Request(`http://x${path}`)))!;
          expect(res.status, path).toBe(200);
          expect(await res.text(), `${path} ${encoding} round ${round}`).toBe(await expected.text());
        }
      }
    }
  } finally {
    await new Promise<void>((r) => tiny.close(() => r()));
  }
});

test("every published file answered is told to readers-first; an app path or a miss is not", async () => {
  const { createServer } = await import("node:http");
  const { publishedFastPath } = await import("../api/runtime/node-published.ts");
  let served = 0;
  const fastPath = publishedFastPath(server.site, { served: () => served++ });
  const tiny = createServer((req, res) => {
    if (!fastPath(req, res, () => res.writeHead(599).end())) res.writeHead(404).end();
  });
  await new Promise<void>((r) => tiny.listen(0, "127.0.0.1", () => r()));
  const base = `http://127.0.0.1:${(tiny.address() as { port: number }).port}`;
  try {
    const statuses = [];
    for (const path of ["/", "/history.atom", "/api/v2/summary.json", "/no-such-page", "/api/v1/incidents"]) statuses.push((await fetch(`${base}${path}`)).status);
    expect(statuses).toEqual([200, 200, 200, 404, 404]);
    expect(served).toBe(3);
  } finally {
    await new Promise<void>((r) => tiny.close(() => r()));
  }
});
