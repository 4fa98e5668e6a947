/**
 * Status badges, published with the site: the page's and each component's, as flat SVG (drawn by
 * shields.io's badge-maker) and in shields.io's endpoint schema; readable from other sites.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startServer, type RunningServer } from "../api/server.ts";
import { createKey } from "../api/service/keys.ts";
import { callServer, testServerConfig } from "./harness.ts";
import { parseHtml } from "./html.ts";

let dir: string;
let server: RunningServer;
let token: string;
const api = (method: string, path: string, body?: unknown) => callServer(server.url, token, method, `/api/v1${path}`, body);
const get = (path: string) => fetch(`${server.url}${path}`, { headers: { Origin: "https://docs.example.org" } });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "herald-badges-"));
  server = await startServer(testServerConfig(dir, { PAGE_NAME: "Example" }), { hostname: "127.0.0.1", log: () => {}, env: { MAIL_DIR: join(dir, "mail") } });
  await server.ready;
  token = await server.deps!.db.write(async (tx) => (await createKey({ tx, actor: { id: null, name: "t", role: "admin" }, now: new Date().toISOString(), hooks: {} }, "t", "admin")).token);
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What a badge says to a screen reader (its role=img label) and its colours. */
async function badge(path: string): Promise<{ label: string; fills: string[]; headers: Headers }> {
  const res = await get(path);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("image/svg+xml");
  const svg = parseHtml(await res.text());
  const root = svg.all("svg")[0]!;
  expect(root.attrs.role).toBe("img");
  return { label: root.attrs["aria-label"]!, fills: svg.all("rect").map((r) => r.attrs.fill ?? ""), headers: res.headers };
}

test("the page's badge says what the page says, in its colour; shields.io's endpoint JSON says the same", async () => {
  const api1 = (await api("POST", "/components", { name: "API" })).id;
  await server.publisher!.idle();
  const ok = await badge("/badge.svg");
  expect(ok.label).toBe("status: All Systems Operational");
  expect(ok.headers.get("access-control-allow-origin")).toBe("*");
  expect(ok.headers.get("etag")).toBeTruthy();
  expect(await (await get("/api/badge.json")).json()).toEqual({ schemaVersion: 1, label: "status", message: "All Systems Operational", color: "brightgreen", cacheSeconds: 300 });

  await api("POST", "/incidents", { name: "API errors", severity: "SEV2", body: "Looking.", components: { [api1]: "partial_outage" } });
  await server.publisher!.idle();
  const down = await badge("/badge.svg");
  expect(down.label).toBe("status: Partial System Outage");
  expect(down.fills).not.toEqual(ok.fills);
  const component = await badge(`/components/${api1}/badge.svg`);
  expect(component.label).toMatch(/^API: Partial Outage · \d+\.\d\d % \(90 days\)$/);
  const json = await (await get(`/api/components/${api1}/badge.json`)).json();
  expect(json).toMatchObject({ schemaVersion: 1, label: "API", color: "orange" });
  expect(json.message).toMatch(/^Partial Outage · /);
  // Unknown components have no badge.
  expect((await get("/components/zzzzzzzzzzzz/badge.svg")).status).toBe(404);
});
