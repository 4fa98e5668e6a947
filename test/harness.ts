import { execFile } from "node:child_process";
import { createServer } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { expect } from "vitest";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createApp } from "../api/app.ts";
import type { AppDeps, ChangeEvent } from "../api/app-deps.ts";
import { readConfig, type HeraldConfig } from "../api/config.ts";
import type { Role } from "../domain/roles.ts";
import { createKey } from "../api/service/keys.ts";
import type { Database } from "../db/database.ts";
import { openNodeDatabase } from "../db/open-node.ts";
import { outboxCounts } from "../db/queries/outbox.ts";

/** A clock tests can hold still or move; defaults to real time. */
export class TestClock {
  private fixed: Date | null = null;
  now(): Date {
    return this.fixed ? new Date(this.fixed) : new Date();
  }
  set(iso: string): void {
    this.fixed = new Date(iso);
  }
  advance(ms: number): void {
    this.fixed = new Date(this.now().getTime() + ms);
  }
}

export interface TestHerald {
  dir: string;
  databaseUrl: string;
  db: Database;
  deps: AppDeps;
  app: ReturnType<typeof createApp>;
  clock: TestClock;
  config: HeraldConfig;
  changes: ChangeEvent[];
  tokens: { admin: string; comms: string };
  /** JSON request through the real Hono app; `token: null` sends no Authorization header. */
  call(method: string, path: string, options?: { token?: string | null; body?: unknown; headers?: Record<string, string> }): Promise<Response>;
  newKey(role: Role, name?: string): Promise<string>;
  close(): Promise<void>;
}

/** A real Herald on a real libSQL file in a fresh temporary directory. */
export async function startTestHerald(env: Record<string, string> = {}): Promise<TestHerald> {
  const dir = mkdtempSync(join(tmpdir(), "herald-test-"));
  const databaseUrl = `file:${join(dir, "herald.db")}`;
  const config = readConfig({ PAGE_URL: "https://status.example.com", PAGE_NAME: "Example", DATABASE_URL: databaseUrl, ...env });
  const { db, pageId } = await openNodeDatabase(databaseUrl);
  const clock = new TestClock();
  const changes: ChangeEvent[] = [];
  const deps: AppDeps = { db, pageId, config, clock, onChange: (e) => changes.push(e), log: () => {} };
  const app = createApp(deps);

  async function newKey(role: Role, name = `${role}-key`): Promise<string> {
    return db.write(async (tx) => {
      const { token } = await createKey({ tx, actor: { id: null, name: "test", role: "admin" }, now: clock.now().toISOString(), hooks: {} }, name, role);
      return token;
    });
  }
  const tokens = { admin: await newKey("admin", "Ada Admin"), comms: await newKey("comms", "Cole Comms") };

  async function call(method: string, path: string, options: { token?: string | null; body?: unknown; headers?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { ...options.headers };
    const token = options.token === undefined ? tokens.admin : options.token;
    if (token !== null) headers.Authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
      headers["Content-Type"] ??= "application/json";
    }
    return app.request(path, { method, headers, body });
  }

  return {
    dir, databaseUrl, db, deps, app, clock, config, changes, tokens, call, newKey,
    async close() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Every row of every table, for asserting that a refused request changed nothing. */
export async function snapshotDatabase(db: Database): Promise<string> {
  const tables = await db.client.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name");
  const parts: string[] = [];
  for (const row of tables.rows) {
    const name = String(row.name);
    const rows = await db.client.execute(`SELECT * FROM "${name.replace(/"/g, '""')}" ORDER BY rowid`);
    parts.push(`${name}:${JSON.stringify(rows.rows)}`);
  }
  return parts.join("\n");
}

/** The JSON body of a response that must have this status (the body is shown when it has not). */
export async function expectJson(res: Response, status: number): Promise<any> {
  const text = await res.text();
  expect(res.status, text.slice(0, 500)).toBe(status);
  return JSON.parse(text);
}

/** A problem+json response with this status, its body checked for the RFC 9457 members. */
export async function expectProblem(res: Response, status: number): Promise<Record<string, any>> {
  const text = await res.text();
  expect(res.status, text.slice(0, 500)).toBe(status);
  expect(res.headers.get("content-type") ?? "").toMatch(/^application\/problem\+json/);
  const body = JSON.parse(text) as Record<string, any>;
  expect(body).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
  return body;
}

/** A JSON request to a listening server's API with a bearer token; anything but a 2xx fails the test. */
export async function callServer(baseUrl: string, token: string, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  expect(res.status, text).toBeLessThan(300);
  return JSON.parse(text);
}

/** Resolves once no customer mail waits to be sent (the sender runs in the background); fails if some still does after 20 s. */
export async function mailDrained(db: Database): Promise<void> {
  await waitFor("customer mail to be sent", async () => (await outboxCounts(db.client)).pending === 0, 20_000);
}

/**
 * Resolves once the background senders have taken up what was queued: every webhook delivery has
 * had its first attempt and no customer mail waits to be sent. A test comparing database
 * snapshots awaits it before its "before", or a sender finishing meanwhile looks like a write.
 */
export async function deliveriesSettled(db: Database): Promise<void> {
  await waitFor("queued webhook deliveries to be attempted", async () => {
    const webhooks = await db.client.execute("SELECT COUNT(*) AS n FROM webhook_deliveries WHERE status = 'pending' AND attempts = 0");
    return Number(webhooks.rows[0]!.n) === 0;
  });
  await mailDrained(db);
}

/** Polls `probe` until it returns something truthy (for work a server does in the background). */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `herald ARGS…` (bin/herald.ts, with the Node running the tests) with exactly this environment, `stdin` piped in. */
export function runHerald(args: string[], env: Record<string, string>, stdin = ""): Promise<CliResult> {
  const root = fileURLToPath(new URL("..", import.meta.url));
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ["bin/herald.ts", ...args], { cwd: root, env, timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
    child.stdin!.end(stdin);
  });
}

/** No script can run from this HTML: no script elements, no handlers, no javascript: URLs, no embedded media. */
export function expectInert(html: string): void {
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/<[^>]+\son[a-z]+\s*=/i);
  expect(html).not.toMatch(/(href|src|action)\s*=\s*["']?\s*javascript:/i);
  expect(html).not.toMatch(/<img|<iframe|<svg[^>]*onload/i);
}

/** Configuration of a real server on a free port whose database and published site live in `dir`. */
export function testServerConfig(dir: string, overrides: Record<string, string> = {}): HeraldConfig {
  return readConfig({ PORT: "0", DATABASE_URL: `file:${join(dir, "herald.db")}`, PUBLIC_DIR: join(dir, "public"), PAGE_URL: "https://status.example.com", ...overrides });
}

/** A port nothing listens on yet (so a PAGE_URL can name it before the server starts). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
