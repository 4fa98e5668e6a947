/**
 * Node publishes in a worker thread (api/runtime/thread-publisher.ts). If that thread dies, a new
 * one starts, publishes everything, and later changes are published: the page keeps following.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Worker } from "node:worker_threads";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startServer, type RunningServer } from "../api/server.ts";
import { createKey } from "../api/service/keys.ts";
import { callServer, testServerConfig } from "./harness.ts";
import { eventually } from "./fake-slack.ts";

let dir: string;
let server: RunningServer;
const logs: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "herald-thread-"));
  server = await startServer(testServerConfig(dir), { hostname: "127.0.0.1", log: (line) => logs.push(line), env: { MAIL_DIR: join(dir, "mail") } });
  await server.ready;
  await server.publisher!.idle();
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

test("a publishing thread that dies is replaced, and changes made meanwhile reach the page", async () => {
  const token = await server.deps!.db.write(async (tx) => (await createKey({ tx, actor: { id: null, name: "t", role: "admin" }, now: new Date().toISOString(), hooks: {} }, "t", "admin")).token);
  await (server.publisher as unknown as { worker: Worker }).worker.terminate();
  // Posted while no thread runs: kept for the next one.
  const incident = await callServer(server.url, token, "POST", "/api/v1/incidents", { name: "Written while the thread was down", severity: "SEV3", body: "Looking." });
  await server.publisher!.idle();
  expect(await eventually(async () => (await (await fetch(`${server.url}/api/v2/incidents.json`)).text()).includes(incident.id))).toBe(true);
  expect(logs.some((line) => line.includes("publishing thread exited"))).toBe(true);
  // And the new thread publishes what comes next.
  await callServer(server.url, token, "POST", `/api/v1/incidents/${incident.id}/updates`, { status: "resolved", body: "Fixed." });
  await server.publisher!.idle();
  const json = (await (await fetch(`${server.url}/api/v2/incidents.json`)).json()) as { incidents: { id: string; status: string }[] };
  expect(json.incidents.find((i) => i.id === incident.id)?.status).toBe("resolved");
});

test("what a new build's full publish leaves unreferenced is deleted once the serving thread has taken it in, and the site stays whole", async () => {
  const own = mkdtempSync(join(tmpdir(), "herald-thread-gc-"));
  try {
    const start = async (overrides: Record<string, string> = {}) => {
      const s = await startServer(testServerConfig(own, overrides), { hostname: "127.0.0.1", log: () => {}, env: { MAIL_DIR: join(own, "mail") } });
      await s.ready;
      await s.publisher!.idle();
      return s;
    };
    const english = await start();
    const token = await english.deps!.db.write(async (tx) => (await createKey({ tx, actor: { id: null, name: "t", role: "admin" }, now: new Date().toISOString(), hooks: {} }, "t", "admin")).token);
    const incident = await callServer(english.url, token, "POST", "/api/v1/incidents", { name: "Database slow", severity: "SEV3", body: "Looking." });
    await english.publisher!.idle();
    const before = new Set(readdirSync(join(own, "public", "objects")));
    await english.close();
    // Another language is another build of every page: the English pages are left unreferenced.
    const german = await start({ PAGE_LOCALE: "de" });
    try {
      const after = new Set(readdirSync(join(own, "public", "objects")));
      const paths = Object.keys(german.site.current().entries);
      for (const path of paths) expect(after.has(german.site.lookup(path)!.object), path).toBe(true);
      const kept = [...before].filter((name) => after.has(name));
      expect(kept.length).toBeLessThan(before.size / 2);
      const page = await fetch(`${german.url}/incidents/${incident.id}`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('lang="de"');
    } finally {
      await german.close();
    }
  } finally {
    rmSync(own, { recursive: true, force: true });
  }
});
