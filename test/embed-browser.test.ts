/**
 * The status card (/embed) framed by another site in Chromium: it shows, light and dark, axe clean,
 * its links open the page in a new tab; the status page itself still refuses to be framed.
 */
import { createServer, type Server } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startServer, type RunningServer } from "../api/server.ts";
import { createKey } from "../api/service/keys.ts";
import { CHROMIUM, CHROMIUM_ARGS, expectAxeClean } from "./axe.ts";
import { callServer, testServerConfig } from "./harness.ts";
import { fileURLToPath } from "node:url";

const OUTPUT = fileURLToPath(new URL("../test-output/", import.meta.url));

let dir: string;
let server: RunningServer;
let host: Server;
let hostUrl: string;
let browser: Browser;
let incidentId: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "herald-embed-"));
  const launched = chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 20_000 });
  server = await startServer(testServerConfig(dir, { PAGE_NAME: "Example" }), { hostname: "127.0.0.1", log: () => {}, env: { MAIL_DIR: join(dir, "mail") } });
  await server.ready;
  const token = await server.deps!.db.write(async (tx) => (await createKey({ tx, actor: { id: null, name: "t", role: "admin" }, now: new Date().toISOString(), hooks: {} }, "t", "admin")).token);
  const api = (method: string, path: string, body?: unknown) => callServer(server.url, token, method, `/api/v1${path}`, body);
  const component = (await api("POST", "/components", { name: "API" })).id;
  incidentId = (await api("POST", "/incidents", { name: "API errors", severity: "SEV2", body: "Some requests fail.", components: { [component]: "partial_outage" } })).id;
  await server.publisher!.idle();
  // Another site (another origin: another port) that frames the card, and tries to frame the page.
  host = createServer((_req, res) => {
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    res.end(`<!doctype html><html lang="en"><title>Docs</title><h1>Our docs</h1>
<iframe id="card" title="Service status" src="${server.url}/embed" width="360" height="200"></iframe>
<iframe id="page" title="Status page" src="${server.url}/" width="360" height="200"></iframe></html>`);
  });
  await new Promise<void>((resolve) => host.listen(0, "127.0.0.1", resolve));
  hostUrl = `http://localhost:${(host.address() as { port: number }).port}/`;
  browser = await launched;
});
afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => host?.close(resolve));
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

for (const scheme of ["light", "dark"] as const) {
  test(`the card shows inside another site's frame (${scheme}); the page itself does not`, async () => {
    const context = await browser.newContext({ colorScheme: scheme });
    const page = await context.newPage();
    await page.goto(hostUrl, { waitUntil: "load" });
    const card = page.frameLocator("#card");
    await expect.poll(() => card.locator("h1").innerText()).toBe("Example");
    const text = await card.locator("main").innerText();
    expect(text).toContain("Partial System Outage");
    expect(text).toContain("API errors");
    const link = card.locator(`a[href$="/incidents/${incidentId}"]`);
    expect(await link.getAttribute("target")).toBe("_blank");
    // The page refuses to be framed: its frame never shows the page's content.
    const framed = await (await page.$("#page"))!.contentFrame();
    expect(framed).not.toBeNull();
    expect(await framed!.locator("main").count()).toBe(0);
    await page.screenshot({ path: join(OUTPUT, `embed-${scheme}.png`) });

    const direct = await context.newPage();
    const res = await direct.goto(`${server.url}/embed`);
    expect(res?.headers()["content-security-policy"]).toContain("frame-ancestors *");
    expect(res?.headers()["x-frame-options"]).toBeUndefined();
    await expectAxeClean(direct, `/embed (${scheme})`);
    await context.close();
  });
}
