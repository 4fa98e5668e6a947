import { createClient, LibsqlError, type Client } from "@libsql/client";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { connectNode } from "./connect.ts";
import { createEmbeddedClient } from "./embedded-client.ts";
import { keepPreparedStatements } from "./prepared-statements.ts";

// Herald's embedded client must answer exactly as @libsql/client's file client does: both are
// opened on the same file and asked the same things.
const opened: Client[] = [];
afterEach(() => {
  for (const client of opened.splice(0)) client.close();
});

function bothOn(): { ours: Client; theirs: Client; path: string } {
  keepPreparedStatements();
  const path = join(mkdtempSync(join(tmpdir(), "herald-embedded-")), "db.sqlite");
  const ours = createEmbeddedClient(path, { timeout: 100 });
  const theirs = createClient({ url: `file:${path}`, timeout: 100 });
  opened.push(ours, theirs);
  return { ours, theirs, path };
}

async function seed(client: Client): Promise<void> {
  await client.executeMultiple(`
    PRAGMA journal_mode = WAL;
    CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER, big INTEGER, x REAL, b BLOB, note TEXT);
    INSERT INTO t VALUES ('a', 1, 9007199254740991, 1.5, x'0102', NULL), ('b', 2, 3, 0.25, NULL, 'two');
  `);
}

/** What a reader can see of a row: its enumerable columns, its indexes, its length, its JSON. */
function seen(row: Record<string | number, unknown> & { length: number }) {
  return {
    spread: { ...row },
    keys: Object.keys(row),
    forIn: [...(function* () { for (const key in row) yield key; })()],
    json: JSON.stringify(row),
    indexes: Array.from({ length: row.length }, (_, i) => row[i]),
    length: row.length,
  };
}

describe("the embedded client", () => {
  it("gives rows that look to every reader as @libsql/client's do", async () => {
    const { ours, theirs } = bothOn();
    await seed(ours);
    for (const sql of ["SELECT id, n, big, x, b, note FROM t ORDER BY id", "SELECT * FROM t ORDER BY id", "SELECT COUNT(*) FROM t", "SELECT t.id, u.id, u.n FROM t JOIN t u ON u.id <> t.id ORDER BY t.id", 'SELECT id AS "__proto__", n FROM t']) {
      // Twice: the second run reuses the kept statement and its row shape.
      for (let run = 0; run < 2; run++) {
        const [a, b] = [await ours.execute(sql), await theirs.execute(sql)];
        expect(a.columns).toEqual(b.columns);
        expect(a.columnTypes).toEqual(b.columnTypes);
        expect(a.rows.map((r) => seen(r as never))).toEqual(b.rows.map((r) => seen(r as never)));
        expect(a.toJSON()).toEqual(b.toJSON());
      }
    }
    const blob = (await ours.execute("SELECT b FROM t WHERE id = 'a'")).rows[0]!.b;
    expect(blob).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(blob as ArrayBuffer)]).toEqual([1, 2]);
  });

  it("binds arguments (positional and named, booleans, dates, bigints) and reports changes as @libsql/client does", async () => {
    const { ours, theirs } = bothOn();
    await seed(ours);
    const at = new Date("2026-12-04T00:00:00Z");
    const a = await ours.execute({ sql: "INSERT INTO t (id, n, big) VALUES (?, ?, ?)", args: ["c", true, at] });
    const b = await theirs.execute({ sql: "INSERT INTO t (id, n, big) VALUES (?, ?, ?)", args: ["d", true, at] });
    expect({ ...a, lastInsertRowid: 0 }).toEqual({ ...b, lastInsertRowid: 0 });
    expect(a.rowsAffected).toBe(1);
    expect(a.lastInsertRowid).toBe(b.lastInsertRowid! - 1n);
    const named = await ours.execute({ sql: "SELECT n, big FROM t WHERE id = :id", args: { ":id": "c" } });
    expect({ ...named.rows[0] }).toEqual({ n: 1, big: at.valueOf() });
    expect((await ours.execute("SELECT n FROM t WHERE id = ?", [10n])).rows).toEqual([]);
    await expect(ours.execute("SELECT ?", [undefined as never])).rejects.toThrow(TypeError);
    await expect(ours.execute("SELECT ?", [Infinity])).rejects.toThrow(RangeError);
    await expect(ours.execute("SELECT 9007199254740993")).rejects.toThrow(RangeError);
  });

  it("reports SQLite's errors with the codes Herald's retries and conflicts read", async () => {
    const { ours, theirs } = bothOn();
    await seed(ours);
    const errorOf = async (client: Client, sql: string) => {
      const error = (await client.execute(sql).catch((e: unknown) => e)) as LibsqlError;
      expect(error).toBeInstanceOf(LibsqlError);
      return { code: error.code, extendedCode: error.extendedCode, rawCode: error.rawCode, message: error.message };
    };
    expect(await errorOf(ours, "INSERT INTO t (id) VALUES ('a')")).toEqual(await errorOf(theirs, "INSERT INTO t (id) VALUES ('a')"));
    expect(await errorOf(ours, "SELECT nothing FROM t")).toEqual(await errorOf(theirs, "SELECT nothing FROM t"));
    // Another connection holds the write lock past the busy timeout.
    const held = await theirs.transaction("write");
    const busy = await errorOf(ours, "INSERT INTO t (id) VALUES ('z')");
    await held.rollback();
    expect(busy.code).toBe("SQLITE_BUSY");
  });

  it("keeps a transaction's writes to itself until it commits, and undoes them on rollback or close", async () => {
    const { ours } = bothOn();
    await seed(ours);
    const count = async () => Number((await ours.execute("SELECT COUNT(*) AS n FROM t")).rows[0]!.n);
    const tx = await ours.transaction("write");
    await tx.execute("INSERT INTO t (id) VALUES ('c')");
    expect(Number((await tx.execute("SELECT COUNT(*) AS n FROM t")).rows[0]!.n)).toBe(3);
    expect(await count()).toBe(2); // another connection reads the last commit
    await tx.commit();
    expect(tx.closed).toBe(true);
    expect(await count()).toBe(3);

    const undone = await ours.transaction("write");
    await undone.batch(["INSERT INTO t (id) VALUES ('d')", { sql: "INSERT INTO t (id) VALUES (?)", args: ["e"] }]);
    await undone.rollback();
    const closed = await ours.transaction("write");
    await closed.execute("INSERT INTO t (id) VALUES ('f')");
    closed.close();
    expect(await count()).toBe(3);
    await expect(closed.execute("SELECT 1")).rejects.toMatchObject({ code: "TRANSACTION_CLOSED" });

    // A batch is all or nothing, and says which statement failed.
    const failed = (await ours.batch(["INSERT INTO t (id) VALUES ('g')", "INSERT INTO t (id) VALUES ('a')"], "write").catch((e: unknown) => e)) as { code: string; statementIndex: number };
    expect(failed).toMatchObject({ code: "SQLITE_CONSTRAINT", statementIndex: 1 });
    expect(await count()).toBe(3);
  });

  it("refuses work once closed", async () => {
    const { ours } = bothOn();
    ours.close();
    expect(ours.closed).toBe(true);
    await expect(ours.execute("SELECT 1")).rejects.toMatchObject({ code: "CLIENT_CLOSED" });
  });

  it("is what connectNode opens for a plain file, and not for an in-memory database", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "herald-embedded-")), "db.sqlite");
    const file = connectNode(`file:${path}`);
    const memory = connectNode("file::memory:");
    try {
      expect(file.client.constructor.name).toBe("EmbeddedClient");
      expect(memory.client.constructor.name).not.toBe("EmbeddedClient");
    } finally {
      file.close();
      memory.close();
    }
  });
});
