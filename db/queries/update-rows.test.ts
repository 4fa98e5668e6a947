import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Transaction } from "@libsql/client";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { createIncident, postIncidentUpdate } from "../../api/service/incidents.ts";
import type { WriteContext } from "../../api/service/context.ts";
import { connectNode } from "../connect.ts";
import { dryRun, type Database } from "../database.ts";
import { openNodeDatabase } from "../open-node.ts";
import { getIncident, getIncidentsByIds, reviseDraftUpdate } from "./incidents.ts";
import { forgetUpdateRows, keepUpdateRows, KEEP_AT_MOST, keptRowCount, type UpdateRow } from "./update-rows.ts";

let dir: string;
let db: Database;
const others: Database[] = [];

const context = (tx: Transaction): WriteContext => ({ tx, actor: { id: null, name: "Casey", role: "admin" }, now: new Date().toISOString(), hooks: {} });
const post = (on: Database, id: string, body: string) => on.write((tx) => postIncidentUpdate(context(tx), id, { status: "identified", body }));
const read = async (on: Database, id: string) => (await getIncident(on.client, id, "incident"))!;

/** An incident with `count` updates in all, the newest saying "Update <count - 1>". */
async function largeIncident(count = 20): Promise<string> {
  const id = (await db.write((tx) => createIncident(context(tx), { name: "Checkout errors", severity: "SEV2", body: "Looking." }))).id;
  for (let i = 1; i < count; i++) await post(db, id, `Update ${i}`);
  return id;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "herald-update-rows-"));
  db = (await openNodeDatabase(`file:${join(dir, "herald.db")}`)).db;
});

beforeEach(() => forgetUpdateRows());

afterAll(() => {
  for (const other of others) other.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("a large incident's update rows kept between reads", () => {
  test("are read once and give every reader records of its own", async () => {
    const id = await largeIncident();
    const first = await read(db, id);
    expect(keptRowCount()).toBe(20);
    const second = await read(db, id);
    expect(second).toEqual(first);
    expect(second.updates.map((u) => u.body).slice(0, 2)).toEqual(["Update 19", "Update 18"]);
    second.updates[0]!.body = "changed by one reader";
    expect((await read(db, id)).updates[0]!.body).toBe("Update 19");
  });

  test("small incidents are not kept (reading them costs less than checking them)", async () => {
    await read(db, await largeIncident(15));
    expect(keptRowCount()).toBe(0);
  });

  test("an update another process posts is read", async () => {
    const id = await largeIncident();
    await read(db, id);
    const other = connectNode(`file:${join(dir, "herald.db")}`);
    others.push(other);
    await post(other, id, "Posted from the CLI");
    expect((await read(db, id)).updates.map((u) => u.body).slice(0, 2)).toEqual(["Posted from the CLI", "Update 19"]);
  });

  test("an update seen in a transaction that was rolled back is not served once another takes its place", async () => {
    const id = await largeIncident();
    await read(db, id);
    // A console preview: the update is posted and read back (the answer), then rolled back.
    const previewed = await dryRun(db, async (tx) => (await postIncidentUpdate(context(tx), id, { status: "identified", body: "Previewed words" })).incident);
    expect(previewed.updates[0]!.body).toBe("Previewed words");
    await post(db, id, "Posted words");
    const updates = (await read(db, id)).updates;
    expect(updates.map((u) => u.body).slice(0, 2)).toEqual(["Posted words", "Update 19"]);
    expect(updates).toHaveLength(21);
  });

  test("updates seen in a rolled-back transaction are not served when as many others came after the kept ones", async () => {
    const id = await largeIncident();
    await read(db, id);
    await dryRun(db, async (tx) => postIncidentUpdate(context(tx), id, { status: "identified", body: "Previewed words" }));
    await post(db, id, "Posted first");
    await post(db, id, "Posted second");
    const updates = (await read(db, id)).updates;
    expect(updates.map((u) => u.body).slice(0, 3)).toEqual(["Posted second", "Posted first", "Update 19"]);
    expect(updates.map((u) => u.seq)).toEqual(Array.from({ length: 22 }, (_, i) => 22 - i));
  });

  test("words changed in place are read, also after the same change was rolled back once", async () => {
    const id = await largeIncident();
    const oldest = (await read(db, id)).updates.at(-1)!;
    const revise = (tx: Transaction, body: string) => reviseDraftUpdate(tx, oldest.id, { body, at: oldest.createdAt, deliverNotifications: true });
    const seen = await dryRun(db, async (tx) => {
      await revise(tx, "Words previewed");
      return getIncident(tx, id, "incident");
    });
    expect(seen!.updates.at(-1)!.body).toBe("Words previewed");
    await db.write((tx) => revise(tx, "Words approved"));
    expect((await read(db, id)).updates.at(-1)!.body).toBe("Words approved");
  });

  test("an update deleted behind Herald's back is no longer read", async () => {
    const id = await largeIncident();
    await read(db, id);
    await db.client.execute({ sql: "DELETE FROM incident_updates WHERE incident_id = ? AND seq = 3", args: [id] });
    const updates = (await read(db, id)).updates;
    expect(updates).toHaveLength(19);
    expect(updates.map((u) => u.body)).not.toContain("Update 2");
  });

  test("an incident asked for twice has its updates once", async () => {
    const id = await largeIncident();
    await read(db, id);
    const both = await getIncidentsByIds(db.client, [id, id]);
    expect(both.map((incident) => incident.updates.length)).toEqual([20, 20]);
  });

  test("two database files with the same incident do not share rows", async () => {
    const id = await largeIncident();
    await db.client.execute("PRAGMA wal_checkpoint(TRUNCATE)");
    copyFileSync(join(dir, "herald.db"), join(dir, "copy.db"));
    const copy = connectNode(`file:${join(dir, "copy.db")}`);
    others.push(copy);
    // The copy's words were changed behind Herald's back: nothing in the rows tells them apart.
    await copy.client.execute("UPDATE incident_updates SET body = 'Words of the copy'");
    await read(db, id);
    expect((await read(copy, id)).updates.every((u) => u.body === "Words of the copy")).toBe(true);
    expect((await read(db, id)).updates[0]!.body).toBe("Update 19");
  });

  test(`at most ${KEEP_AT_MOST} rows are kept, the least recently read incident given up first`, () => {
    const rows = (incidentId: string, count: number): UpdateRow[] =>
      Array.from({ length: count }, (_, i) => ({ id: `${incidentId}-${i}`, incidentId, seq: count - i, status: "identified", body: "", author: "", deliverNotifications: true, reopened: false, createdAt: "", displayAt: "" }));
    const half = Math.ceil(KEEP_AT_MOST / 2);
    keepUpdateRows(db.client, "a", rows("a", half), 0);
    keepUpdateRows(db.client, "b", rows("b", half - 1), 0);
    expect(keptRowCount()).toBe(2 * half - 1);
    keepUpdateRows(db.client, "c", rows("c", 100), 0);
    expect(keptRowCount()).toBe(half - 1 + 100);
  });
});
