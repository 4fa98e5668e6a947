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

  test("0006 rebuilds the outbox with a kind and keeps every row, its id and the sender's indexes", async () => {
    const db = connectNode(freshUrl());
    const all = loadMigrations();
    await applyMigrations(db, all.filter((m) => m.id < "0006"));
    const now = "2026-01-15T14:05:00.000Z";
    await db.write(async (tx) => {
      await tx.execute({ sql: "INSERT INTO page (id, created_at) VALUES ('pg0000000001', ?)", args: [now] });
      await tx.execute({ sql: "INSERT INTO incidents (id, kind, name, status, severity, impact, created_at, updated_at, started_at) VALUES ('in0000000001', 'incident', 'X', 'investigating', 'SEV1', 'critical', ?, ?, ?)", args: [now, now, now] });
      await tx.execute({ sql: "INSERT INTO incident_updates (id, incident_id, seq, status, body, author, created_at, display_at) VALUES ('up0000000001', 'in0000000001', 1, 'investigating', 'b', 'a', ?, ?)", args: [now, now] });
      await tx.execute({ sql: "INSERT INTO subscribers (id, email, state, created_at) VALUES ('su0000000001', 'a@example.com', 'active', ?)", args: [now] });
      await tx.execute({ sql: "INSERT INTO outbox (id, update_id, subscriber_id, status, next_attempt_at, batch_key, created_at) VALUES (41, 'up0000000001', 'su0000000001', 'pending', ?, 'k1', ?)", args: [now, now] });
    });
    expect(await applyMigrations(db, all.filter((m) => m.id <= "0006_postmortems"))).toContain("0006_postmortems");
    const rows = await db.client.execute("SELECT id, kind, update_id, postmortem_id, status, batch_key FROM outbox");
    expect(rows.rows.map((r) => ({ ...r }))).toEqual([{ id: 41, kind: "update", update_id: "up0000000001", postmortem_id: null, status: "pending", batch_key: "k1" }]);
    const indexes = await db.client.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'outbox' AND name NOT LIKE 'sqlite_%' ORDER BY name");
    expect(indexes.rows.map((r) => r.name)).toEqual(["outbox_due_new", "outbox_in_flight", "outbox_status", "outbox_subscriber"]);
    // New rows continue after the old ids; the same update is still unique per subscriber.
    await expect(db.client.execute({ sql: "INSERT INTO outbox (update_id, subscriber_id, next_attempt_at, created_at) VALUES ('up0000000001', 'su0000000001', ?, ?)", args: [now, now] })).rejects.toThrow(/UNIQUE/);
    await expect(db.client.execute({ sql: "INSERT INTO outbox (kind, subscriber_id, next_attempt_at, created_at) VALUES ('postmortem', 'su0000000001', ?, ?)", args: [now, now] })).rejects.toThrow(/CHECK/);
    await db.write(async (tx) => {
      await tx.execute({ sql: "INSERT INTO subscribers (id, email, state, created_at) VALUES ('su0000000002', 'b@example.com', 'active', ?)", args: [now] });
      await tx.execute({ sql: "INSERT INTO outbox (update_id, subscriber_id, next_attempt_at, created_at) VALUES ('up0000000001', 'su0000000002', ?, ?)", args: [now, now] });
    });
    expect((await db.client.execute("SELECT MAX(id) AS id FROM outbox")).rows[0]!.id).toBe(42);
    db.close();
  });

  test("0011 moves confirmation mails into the one outbox, keeping every row, its id, status and batch key", async () => {
    const db = connectNode(freshUrl());
    const all = loadMigrations();
    await applyMigrations(db, all.filter((m) => m.id < "0011"));
    const upTo0011 = all.filter((m) => m.id < "0012");
    const now = "2026-01-15T14:05:00.000Z";
    await db.write(async (tx) => {
      await tx.execute({ sql: "INSERT INTO page (id, created_at) VALUES ('pg0000000001', ?)", args: [now] });
      await tx.execute({ sql: "INSERT INTO incidents (id, kind, name, status, severity, impact, created_at, updated_at, started_at) VALUES ('in0000000001', 'incident', 'X', 'investigating', 'SEV1', 'critical', ?, ?, ?)", args: [now, now, now] });
      await tx.execute({ sql: "INSERT INTO incident_updates (id, incident_id, seq, status, body, author, created_at, display_at) VALUES ('up0000000001', 'in0000000001', 1, 'investigating', 'b', 'a', ?, ?)", args: [now, now] });
      await tx.execute({ sql: "INSERT INTO subscribers (id, email, state, created_at) VALUES ('su0000000001', 'a@example.com', 'active', ?), ('su0000000002', 'b@example.com', 'pending', ?)", args: [now, now] });
      await tx.execute({ sql: "INSERT INTO outbox (id, kind, update_id, subscriber_id, status, next_attempt_at, batch_key, created_at) VALUES (41, 'update', 'up0000000001', 'su0000000001', 'pending', ?, 'k1', ?)", args: [now, now] });
      await tx.execute({
        sql: `INSERT INTO subscription_confirmations (id, subscriber_id, nonce, token_hash, expires_at, used_at, status, attempts, next_attempt_at, last_error, batch_key, created_at)
              VALUES (7, 'su0000000002', 'n1', 'h1', '2026-01-17T14:05:00.000Z', NULL, 'pending', 2, ?, '500', 'herald-confirm-k2', ?),
                     (8, 'su0000000002', 'n2', 'h2', '2026-01-17T14:05:00.000Z', ?, 'sent', 1, ?, NULL, 'herald-confirm-k3', ?)`,
        args: [now, now, now, now, now],
      });
    });
    expect(await applyMigrations(db, upTo0011)).toEqual(["0011_one_mail_queue"]);
    const rows = await db.client.execute("SELECT id, kind, priority, update_id, confirmation_id, subscriber_id, status, attempts, last_error, batch_key FROM outbox ORDER BY id");
    expect(rows.rows.map((r) => ({ ...r }))).toEqual([
      { id: 41, kind: "update", priority: 1, update_id: "up0000000001", confirmation_id: null, subscriber_id: "su0000000001", status: "pending", attempts: 0, last_error: null, batch_key: "k1" },
      { id: 42, kind: "confirmation", priority: 0, update_id: null, confirmation_id: 7, subscriber_id: "su0000000002", status: "pending", attempts: 2, last_error: "500", batch_key: "herald-confirm-k2" },
      { id: 43, kind: "confirmation", priority: 0, update_id: null, confirmation_id: 8, subscriber_id: "su0000000002", status: "sent", attempts: 1, last_error: null, batch_key: "herald-confirm-k3" },
    ]);
    const links = await db.client.execute("SELECT id, nonce, token_hash, used_at FROM subscription_confirmations ORDER BY id");
    expect(links.rows.map((r) => ({ ...r }))).toEqual([{ id: 7, nonce: "n1", token_hash: "h1", used_at: null }, { id: 8, nonce: "n2", token_hash: "h2", used_at: now }]);
    // One mail per confirmation; the references hold.
    await expect(db.client.execute({ sql: "INSERT INTO outbox (kind, priority, confirmation_id, subscriber_id, next_attempt_at, created_at) VALUES ('confirmation', 0, 7, 'su0000000002', ?, ?)", args: [now, now] })).rejects.toThrow(/UNIQUE/);
    await expect(db.client.execute({ sql: "INSERT INTO outbox (kind, priority, confirmation_id, subscriber_id, next_attempt_at, created_at) VALUES ('confirmation', 0, 99, 'su0000000002', ?, ?)", args: [now, now] })).rejects.toThrow(/FOREIGN KEY/);
    expect((await db.client.execute("PRAGMA foreign_key_check")).rows).toEqual([]);
    db.close();
  });

  test("0014 keeps every outbox row and sign-in link; a sign-in mail goes to a member's link, never to a subscriber", async () => {
    const db = connectNode(freshUrl());
    const all = loadMigrations();
    await applyMigrations(db, all.filter((m) => m.id < "0014"));
    const now = "2026-01-15T14:05:00.000Z";
    await db.write(async (tx) => {
      await tx.execute({ sql: "INSERT INTO subscribers (id, email, state, created_at) VALUES ('su0000000001', 'a@example.com', 'pending', ?)", args: [now] });
      await tx.execute({ sql: "INSERT INTO subscription_confirmations (id, subscriber_id, nonce, token_hash, expires_at, created_at) VALUES (7, 'su0000000001', 'n1', 'h1', ?, ?)", args: [now, now] });
      await tx.execute({ sql: "INSERT INTO outbox (id, kind, priority, confirmation_id, subscriber_id, status, next_attempt_at, batch_key, created_at) VALUES (41, 'confirmation', 0, 7, 'su0000000001', 'pending', ?, 'k1', ?)", args: [now, now] });
      await tx.execute({ sql: "INSERT INTO members (id, name, email, role, created_at) VALUES ('me0000000001', 'Ada', 'ada@example.com', 'admin', ?)", args: [now] });
      await tx.execute({ sql: "INSERT INTO console_sign_in_links (token_hash, member_id, created_at, expires_at) VALUES ('t1', 'me0000000001', ?, ?)", args: [now, now] });
    });
    expect(await applyMigrations(db, all.filter((m) => m.id < "0015"))).toEqual(["0014_sign_in_mail"]);
    const rows = await db.client.execute("SELECT id, kind, priority, confirmation_id, sign_in_id, subscriber_id, status, batch_key FROM outbox");
    expect(rows.rows.map((r) => ({ ...r }))).toEqual([{ id: 41, kind: "confirmation", priority: 0, confirmation_id: 7, sign_in_id: null, subscriber_id: "su0000000001", status: "pending", batch_key: "k1" }]);
    const links = await db.client.execute("SELECT id, token_hash, nonce, member_id FROM console_sign_in_links");
    expect(links.rows.map((r) => ({ ...r }))).toEqual([{ id: 1, token_hash: "t1", nonce: null, member_id: "me0000000001" }]);
    const insert = (subscriber: string | null, link: number) =>
      db.client.execute({ sql: "INSERT INTO outbox (kind, priority, sign_in_id, subscriber_id, next_attempt_at, created_at) VALUES ('sign_in', 0, ?, ?, ?, ?)", args: [link, subscriber, now, now] });
    await expect(insert("su0000000001", 1)).rejects.toThrow(/CHECK/);
    await expect(insert(null, 99)).rejects.toThrow(/FOREIGN KEY/);
    await insert(null, 1);
    await expect(insert(null, 1)).rejects.toThrow(/UNIQUE/);
    // A notice still needs its subscriber.
    await expect(db.client.execute({ sql: "INSERT INTO outbox (kind, priority, confirmation_id, next_attempt_at, created_at) VALUES ('confirmation', 0, 7, ?, ?)", args: [now, now] })).rejects.toThrow(/CHECK/);
    expect((await db.client.execute("PRAGMA foreign_key_check")).rows).toEqual([]);
    db.close();
  });
});
