import Database from "libsql";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { connectNode } from "./connect.ts";
import { isUniqueViolation } from "./database.ts";

function freshDatabase() {
  return connectNode(`file:${join(mkdtempSync(join(tmpdir(), "herald-prepared-")), "t.db")}`);
}

describe("kept prepared statements (embedded connections)", () => {
  test("a connection hands out the same statement for the same text", () => {
    freshDatabase().close(); // installs the keeping
    const db = new Database(":memory:");
    expect(db.prepare("SELECT 1")).toBe(db.prepare("SELECT 1"));
    expect(db.prepare("SELECT 1")).not.toBe(new Database(":memory:").prepare("SELECT 1"));
    db.close();
  });

  test("a statement reused with other arguments, after a failure, and across transactions answers correctly", async () => {
    const db = freshDatabase();
    await db.client.execute("PRAGMA journal_mode = WAL");
    await db.client.execute("CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER NOT NULL)");
    const insert = "INSERT INTO t (id, n) VALUES (?, ?)";
    for (let i = 0; i < 5; i++) await db.write((tx) => tx.execute({ sql: insert, args: [`k${i}`, i] }));
    // The same text fails on a duplicate, then works again: the failure left nothing behind.
    const failure = await db.write((tx) => tx.execute({ sql: insert, args: ["k1", 9] })).catch((e: unknown) => e);
    expect(isUniqueViolation(failure)).toBe(true);
    await db.write((tx) => tx.execute({ sql: insert, args: ["k5", 5] }));

    const read = "SELECT id, n FROM t WHERE n >= ? ORDER BY n";
    expect((await db.client.execute({ sql: read, args: [3] })).rows.map((r) => r.id)).toEqual(["k3", "k4", "k5"]);
    expect((await db.client.execute({ sql: read, args: [5] })).rows.map((r) => [r.id, r.n])).toEqual([["k5", 5]]);
    // Inside a write transaction its own rows are seen; outside, not until the commit.
    await db.write(async (tx) => {
      await tx.execute({ sql: insert, args: ["k6", 6] });
      expect((await tx.execute({ sql: read, args: [6] })).rows.map((r) => r.id)).toEqual(["k6"]);
      expect((await db.client.execute({ sql: read, args: [6] })).rows).toEqual([]);
    });
    expect((await db.client.execute({ sql: read, args: [6] })).rows.map((r) => r.id)).toEqual(["k6"]);

    // A schema change under a kept statement: SQLite prepares it again by itself; a kept text
    // naming its columns keeps its shape, one selecting * shows the new column.
    const named = "SELECT id, n FROM t WHERE id = ?";
    expect(Object.keys((await db.client.execute({ sql: named, args: ["k0"] })).rows[0]!)).toEqual(["id", "n"]);
    const all = "SELECT * FROM t WHERE id = ?";
    expect(Object.keys((await db.client.execute({ sql: all, args: ["k0"] })).rows[0]!)).toEqual(["id", "n"]);
    await db.client.execute("ALTER TABLE t ADD COLUMN note TEXT");
    expect(Object.keys((await db.client.execute({ sql: all, args: ["k0"] })).rows[0]!)).toEqual(["id", "n", "note"]);
    expect((await db.client.execute({ sql: named, args: ["k1"] })).rows.map((r) => [r.id, r.n])).toEqual([["k1", 1]]);

    // No kept statement holds a read open: the WAL can be checkpointed completely.
    const checkpoint = await db.client.execute("PRAGMA wal_checkpoint(TRUNCATE)");
    expect(Number(checkpoint.rows[0]![0])).toBe(0);
    db.close();
  });
});
