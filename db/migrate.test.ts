import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { connectNode } from "./connect.ts";
import { applyMigrations, MigrationError } from "./migrate.ts";
import { loadMigrations } from "./migrations-node.ts";

const dirs: string[] = [];
function freshUrl(): string {
  const dir = mkdtempSync(join(tmpdir(), "herald-migrate-"));
  dirs.push(dir);
  return `file:${join(dir, "nested", "herald.db")}`;
}
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

describe("migrations", () => {
  test("apply once, in order, creating the database directory; a second run applies nothing", async () => {
    const db = connectNode(freshUrl());
    const migrations = loadMigrations();
    expect(migrations[0]!.id).toBe("0001_init");
    expect(await applyMigrations(db, migrations)).toEqual(migrations.map((m) => m.id));
    expect(await applyMigrations(db, migrations)).toEqual([]);
    const tables = await db.client.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
    expect(tables.rows.map((r) => r.name)).toEqual(expect.arrayContaining(["api_keys", "audit_log", "component_status_changes", "components", "idempotency_keys", "incident_updates", "incidents", "schema_migrations"]));
    expect((await db.client.execute("PRAGMA foreign_keys")).rows[0]!.foreign_keys).toBe(1);
    db.close();
  });

  test("concurrent starters apply each migration exactly once", async () => {
    const url = freshUrl();
    const a = connectNode(url);
    const b = connectNode(url);
    const [ra, rb] = await Promise.all([applyMigrations(a, loadMigrations()), applyMigrations(b, loadMigrations())]);
    expect([...ra, ...rb].sort()).toEqual(loadMigrations().map((m) => m.id));
    a.close();
    b.close();
  });

  test("an applied migration that was edited stops start-up", async () => {
    const db = connectNode(freshUrl());
    await applyMigrations(db, [{ id: "0001_t", sql: "CREATE TABLE t (a INTEGER);" }]);
    await expect(applyMigrations(db, [{ id: "0001_t", sql: "CREATE TABLE t (a TEXT);" }])).rejects.toBeInstanceOf(MigrationError);
    db.close();
  });

  test("a failing migration leaves nothing half-applied", async () => {
    const db = connectNode(freshUrl());
    await expect(applyMigrations(db, [{ id: "0001_bad", sql: "CREATE TABLE ok (a INTEGER); CREATE TABLE broken (;" }])).rejects.toThrow();
    const tables = await db.client.execute("SELECT name FROM sqlite_master WHERE name IN ('ok', 'broken')");
    expect(tables.rows).toEqual([]);
    const recorded = await db.client.execute("SELECT id FROM schema_migrations");
    expect(recorded.rows).toEqual([]);
    db.close();
  });
});
