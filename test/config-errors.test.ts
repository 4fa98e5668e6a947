/**
 * A configuration mistake stops the start before Herald listens, with one line naming the
 * variable; only a database that cannot be reached is "unavailable, retrying". On Workers every
 * app request answers a 500 problem and the log names the variable.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { checkEnvironment, ConfigError, readConfig } from "../api/config.ts";
import { workerHandlers } from "../api/runtime/worker-host.ts";
import { startServer } from "../api/server.ts";
import { freePort, testServerConfig } from "./harness.ts";

const STRONG = "k3Vb7QpX2mZr9sTn4wYc8dFg6hJl1aEe5uIo0"; // 38 characters
let dir: string;
beforeAll(() => void (dir = mkdtempSync(join(tmpdir(), "herald-config-"))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function portIsFree(port: number): Promise<boolean> {
  const probe = createServer();
  return new Promise((resolve) => {
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

describe("readConfig and checkEnvironment name the variable", () => {
  test.each([
    ["PAGE_TIME_ZONE", { PAGE_TIME_ZONE: "Mars/Olympus" }],
    ["PAGE_URL", { PAGE_URL: "status.example.com" }],
    ["PAGE_URL", { PAGE_URL: "https://" }],
    ["DATABASE_URL", { DATABASE_URL: "postgres://db.example.com/herald" }],
    ["DATABASE_URL", { DATABASE_URL: "libsql://" }],
    ["POSTMORTEM_SHOW_OWNERS", { POSTMORTEM_SHOW_OWNERS: "sometimes" }],
    ["ACTION_DIGEST", { ACTION_DIGEST: "Mondays at nine" }],
  ])("%s: %j", (variable, env) => {
    expect(() => readConfig(env)).toThrow(ConfigError);
    expect(() => readConfig(env)).toThrow(new RegExp(`^${variable} `));
  });

  test.each([
    ["HERALD_SECRET", { RESEND_API_KEY: "re_123" }],
    ["HERALD_SECRET", { RESEND_API_KEY: "re_123", HERALD_SECRET: "s3cret" }],
    ["HERALD_SECRET", { HERALD_SECRET: "short" }],
    ["EMAIL_FROM", { EMAIL_FROM: "Status <not an address>" }],
    ["EMAIL_FROM", { EMAIL_FROM: "status@example.com\r\nBcc: x@example.com" }],
    ["MAIL_RATE_LIMIT", { MAIL_RATE_LIMIT: "fast" }],
    ["SUBSCRIBE_LIMIT_PER_IP", { SUBSCRIBE_LIMIT_PER_IP: "-1" }],
    ["SLACK_WEBHOOK_URL", { SLACK_WEBHOOK_URL: "hooks.slack.com/services/x" }],
    ["PAGE_LOGO_URL", { PAGE_LOGO_URL: "http://example.com/logo.png" }],
    ["PAGE_LOGO_URL", { PAGE_LOGO_URL: 'https://example.com/"onerror="x' }],
    ["SUPPORT_EMAIL", { SUPPORT_EMAIL: "support at example.com" }],
  ])("%s: %j", (variable, env) => {
    expect(() => checkEnvironment(env, { mailToFiles: true })).toThrow(new RegExp(`^${variable} `));
  });

  test("Workers cannot write mail to files: RESEND_API_KEY is required there", () => {
    expect(() => checkEnvironment({ HERALD_SECRET: STRONG }, { mailToFiles: false })).toThrow(/^RESEND_API_KEY /);
  });

  test("a sound environment passes", () => {
    const env = { RESEND_API_KEY: "re_123", HERALD_SECRET: STRONG, EMAIL_FROM: "Example Status <status@example.com>", MAIL_RATE_LIMIT: "2", RESPONSE_CHECK_INTERVAL_MS: "0" };
    expect(() => checkEnvironment(env, { mailToFiles: false })).not.toThrow();
    expect(() => readConfig({ DATABASE_URL: "libsql://herald-acme.turso.io", PAGE_URL: "https://status.example.com/" })).not.toThrow();
  });

  test("a credential in a refused DATABASE_URL is not repeated", () => {
    expect(() => readConfig({ DATABASE_URL: "mysql://db?authToken=supersecret" })).toThrow(/authToken=…/);
    expect(() => readConfig({ DATABASE_URL: "mysql://db?authToken=supersecret" })).not.toThrow(/supersecret/);
  });
});

describe("the Node start stops before it listens", () => {
  test("RESEND_API_KEY without HERALD_SECRET: startServer refuses and no port is taken", async () => {
    const port = await freePort();
    const config = testServerConfig(dir, { PORT: String(port) });
    await expect(startServer(config, { hostname: "127.0.0.1", log: () => {}, env: { RESEND_API_KEY: "re_123" } })).rejects.toThrow(/^HERALD_SECRET /);
    expect(await portIsFree(port)).toBe(true);
  });

  test("a template with an unknown placeholder", async () => {
    // Fresh modules: templates are read once per process and cached.
    vi.resetModules();
    const source = await import("../templates/source.ts");
    const real = (file: string) => readFileSync(new URL(`../templates/${file}`, import.meta.url), "utf8");
    source.setTemplateSource((file) => (file === "customer-notice.md" ? "Subject: {{status_tag}} {{incident_name}}\n\nHello {{customer_name}}" : real(file)));
    const fresh = (await import("../api/server.ts")).startServer;
    const port = await freePort();
    await expect(fresh(testServerConfig(dir, { PORT: String(port) }), { hostname: "127.0.0.1", log: () => {}, env: {} })).rejects.toThrow(
      /^communication templates: .*unknown placeholder \{\{customer_name\}\}/,
    );
    expect(await portIsFree(port)).toBe(true);
  });

  test("`npm start`'s entry exits non-zero with one line that names the variable", async () => {
    const root = fileURLToPath(new URL("..", import.meta.url));
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath, ["api/node.ts"],
        { cwd: root, timeout: 30_000, env: { PATH: process.env.PATH ?? "", PORT: "0", DATABASE_URL: `file:${join(dir, "node.db")}`, PUBLIC_DIR: join(dir, "public"), RESEND_API_KEY: "re_123" } },
        (error, out, err) => resolve({ code: error ? Number(error.code) : 0, stdout: String(out), stderr: String(err) }),
      );
    });
    expect(code).toBe(1);
    expect(stdout).not.toContain("is serving");
    const lines = stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Configuration error: HERALD_SECRET must be set/);
  });
});

describe("on Workers a configuration error is a 500 problem, and the log names the variable", () => {
  test("every app request answers 500; the published page is still served", async () => {
    const logs: string[] = [];
    const handlers = workerHandlers<Record<string, never>>({
      log: (line) => void logs.push(line),
      site: () => ({ lookup: async (path: string) => (path === "/" ? { object: "abc", type: "text/html; charset=utf-8", size: 2, modifiedAt: new Date(0).toISOString() } : null), read: async () => new TextEncoder().encode("ok") }) as never,
      assets: () => undefined,
      publishQueue: () => undefined,
      open: async () => {
        throw new ConfigError("HERALD_SECRET must be set when RESEND_API_KEY is (it signs confirmation and unsubscribe links).");
      },
    });
    const ctx = { waitUntil: () => {} };
    for (const request of [
      new Request("https://status.example.com/api/v1/incidents", { headers: { Authorization: "Bearer hk_0123456789ab_0123456789abcdefghijABCDEFGHIJ0123456789abc" } }),
      new Request("https://status.example.com/subscriptions", { method: "POST", body: "email=a%40example.com", headers: { "Content-Type": "application/x-www-form-urlencoded" } }),
    ]) {
      const res = await handlers.fetch(request, {}, ctx);
      expect(res.status).toBe(500);
      expect(res.headers.get("Content-Type")).toContain("application/problem+json");
      expect(((await res.json()) as { status: number }).status).toBe(500);
    }
    expect(logs.filter((l) => l.startsWith("configuration error: HERALD_SECRET"))).toHaveLength(2);
    expect(logs.join("\n")).not.toContain("database unavailable");
  });
});
