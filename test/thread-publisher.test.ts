/**
 * Node publishes in a worker thread (api/runtime/thread-publisher.ts). If that thread dies, a new
 * one starts, publishes everything, and later changes are published: the page keeps following.
 */
import { mkdtempSync, rmSync } from "node:fs";
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
