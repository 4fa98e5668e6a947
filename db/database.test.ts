import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Transaction } from "@libsql/client";
import { describe, expect, test } from "vitest";
import { connectNode } from "./connect.ts";
import { dryRun, type Database } from "./database.ts";

async function freshDatabase(): Promise<Database> {
  const db = connectNode(`file:${join(mkdtempSync(join(tmpdir(), "herald-db-")), "t.db")}`);
  await db.client.execute("PRAGMA journal_mode = WAL");
  await db.client.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE)");
  return db;
}

const insert = (tx: Transaction, text: string) => tx.execute({ sql: "INSERT INTO notes (text) VALUES (?)", args: [text] });
const stored = async (db: Database) => (await db.client.execute("SELECT text FROM notes ORDER BY id")).rows.map((r) => r.text);

describe("writes that queue up commit together (group commit)", () => {
  test("writes issued together share transactions, in the order they were issued, and each is readable once answered", async () => {
    const db = await freshDatabase();
    const transactions = new Set<Transaction>();
    const texts = Array.from({ length: 12 }, (_, i) => `note ${i}`);
    const answers = await Promise.all(
      texts.map((text) =>
        db.write(async (tx) => {
          transactions.add(tx);
          await insert(tx, text);
          return text.toUpperCase();
        }).then(async (answer) => {
          // Answered only after the commit: another connection already reads it.
          const seen = await db.client.execute({ sql: "SELECT 1 FROM notes WHERE text = ?", args: [text] });
          expect(seen.rows).toHaveLength(1);
          return answer;
        }),
      ),
    );
    expect(answers).toEqual(texts.map((t) => t.toUpperCase()));
    expect(await stored(db)).toEqual(texts);
    expect(transactions.size).toBeLessThan(texts.length);
    db.close();
  });

  test("each write of a group waits for the writer's turn it was given (readers first on the Node server)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "herald-db-"));
    let turns = 0;
    const db = connectNode(`file:${join(dir, "t.db")}`, undefined, { writerTurn: () => new Promise((resolve) => setImmediate(() => (turns++, resolve()))) });
    await db.client.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE)");
    const texts = Array.from({ length: 5 }, (_, i) => `note ${i}`);
    await Promise.all(texts.map((text) => db.write((tx) => insert(tx, text))));
    expect(await stored(db)).toEqual(texts);
    expect(turns).toBe(texts.length);
    db.close();
  });

  test("a write that fails inside a group is undone alone: the others commit, it gets its own error", async () => {
    const db = await freshDatabase();
    await db.write((tx) => insert(tx, "taken"));
    const results = await Promise.allSettled([
      db.write((tx) => insert(tx, "first")),
      db.write(async (tx) => {
        await insert(tx, "half of a failing write");
        await insert(tx, "taken"); // UNIQUE: this write fails after writing a row
      }),
      db.write(async (tx) => {
        await insert(tx, "third");
        throw new Error("refused by its own rule");
      }),
      db.write((tx) => insert(tx, "fourth")),
      dryRun(db, async (tx) => {
        await insert(tx, "previewed only");
        return "preview";
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "rejected", "fulfilled", "fulfilled"]);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE/);
    expect((results[2] as PromiseRejectedResult).reason.message).toBe("refused by its own rule");
    expect((results[4] as PromiseFulfilledResult<string>).value).toBe("preview");
    expect(await stored(db)).toEqual(["taken", "first", "fourth"]);
    db.close();
  });

  test("when a group's transaction is lost as a whole, each write runs again alone and is stored once", async () => {
    const db = await freshDatabase();
    const results = await Promise.allSettled([
      db.write((tx) => insert(tx, "a")),
      db.write(async (tx) => {
        await insert(tx, "b");
        return "b";
      }),
      db.write(async (tx) => {
        await tx.execute("ROLLBACK"); // ends the whole transaction, the others' savepoints with it
        throw new Error("lost the transaction");
      }),
      db.write((tx) => insert(tx, "d")),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
    expect((results[1] as PromiseFulfilledResult<string>).value).toBe("b");
    expect((results[2] as PromiseRejectedResult).reason.message).toBe("lost the transaction");
    expect(await stored(db)).toEqual(["a", "b", "d"]);
    db.close();
  });
});
