import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { createClient } from "@libsql/client";
import { loadMigrations } from "../db/migrations-node.ts";

// `npm run db:migrate` is how Turso gets its schema; here it runs on a libSQL file, the same code path.
const dir = mkdtempSync(join(tmpdir(), "herald-migrate-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function migrate(env: Record<string, string>) {
  return spawnSync(process.execPath, ["bin/migrate.ts"], { env: { ...process.env, ...env }, encoding: "utf8" });
}

test("applies every migration once, then reports the schema up to date", async () => {
  const url = `file:${join(dir, "herald.db")}`;
  const first = migrate({ DATABASE_URL: url });
  expect(first.status, first.stderr).toBe(0);
  const ids = loadMigrations().map((m) => m.id);
  expect(first.stdout).toContain(`applied now: ${ids.join(", ")}`);

  const second = migrate({ DATABASE_URL: url });
  expect(second.status, second.stderr).toBe(0);
  expect(second.stdout).toContain(`(${ids.length} migrations; nothing to apply)`);

  const client = createClient({ url });
  const applied = await client.execute("SELECT id FROM schema_migrations ORDER BY id");
  expect(applied.rows.map((r) => r.id)).toEqual(ids);
  expect((await client.execute("SELECT COUNT(*) AS n FROM page")).rows[0]!.n).toBe(1);
  client.close();
});

test("an unreachable database fails with a clear message and never prints the token", () => {
  const result = migrate({ DATABASE_URL: "http://127.0.0.1:9", DATABASE_AUTH_TOKEN: "very-secret-token" });
  expect(result.status).toBe(1);
  expect(result.stderr).toContain("http://127.0.0.1:9: migration failed");
  expect(result.stdout + result.stderr).not.toContain("very-secret-token");
});
