import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { readConfig } from "../api/config.ts";
import { startServer } from "../api/server.ts";

const dir = mkdtempSync(join(tmpdir(), "herald-secret-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config = () => readConfig({ PORT: "0", DATABASE_URL: `file:${join(dir, "herald.db")}`, PUBLIC_DIR: join(dir, "public"), MAIL_DIR: join(dir, "mail") });

async function storedSecret(env: Record<string, string>): Promise<string | null> {
  const server = await startServer(config(), { hostname: "127.0.0.1", log: () => {}, env: { MAIL_DIR: join(dir, "mail"), ...env } });
  await server.ready;
  const rows = await server.deps!.db.client.execute("SELECT value FROM settings WHERE key = 'link_secret'");
  await server.close();
  return rows.rows[0] ? String(rows.rows[0].value) : null;
}

describe("the secret that signs confirmation and unsubscribe links", () => {
  test("without HERALD_SECRET, one is made once and kept across restarts", async () => {
    const first = await storedSecret({});
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await storedSecret({})).toBe(first);
  });
});
