import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createApp } from "../api/app.ts";
import { openNodeDatabase } from "../db/open-node.ts";
import { startTestHerald, type TestHerald } from "./harness.ts";

type Json = Record<string, any>;
let h: TestHerald;

beforeAll(async () => { h = await startTestHerald(); });
afterAll(async () => h.close());

async function declare(name: string): Promise<string> {
  const res = await h.call("POST", "/api/v1/incidents", { body: { name, severity: "SEV2", body: "Investigating." } });
  expect(res.status).toBe(201);
  return ((await res.json()) as Json).id;
}

describe("concurrent writers", () => {
  test("50 concurrent updates to one incident: none lost, one consistent order", async () => {
    const id = await declare("Burst");
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        h.call("POST", `/api/v1/incidents/${id}/updates`, { body: { status: i % 2 ? "identified" : "investigating", body: `update ${i}` } }),
      ),
    );
    // investigating after identified is illegal, so some must be refused — but each refusal is a clean 409,
    // and every accepted one is stored exactly once.
    const statuses = results.map((r) => r.status);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    const accepted = statuses.filter((s) => s === 201).length;
    const incident = (await (await h.call("GET", `/api/v1/incidents/${id}`)).json()) as Json;
    expect(incident.incident_updates).toHaveLength(accepted + 1);
    const seqs = await h.db.client.execute({ sql: "SELECT seq FROM incident_updates WHERE incident_id = ? ORDER BY seq", args: [id] });
    expect(seqs.rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: accepted + 1 }, (_, i) => i + 1));
    // The stored order obeys the lifecycle: once identified, never investigating again.
    const order = incident.incident_updates.map((u: Json) => u.status).reverse();
    const firstIdentified = order.indexOf("identified");
    if (firstIdentified >= 0) expect(order.slice(firstIdentified)).not.toContain("investigating");
  });

  test("50 concurrent legal updates are all stored once each, in one consistent order", async () => {
    const id = await declare("Steady");
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => h.call("POST", `/api/v1/incidents/${id}/updates`, { body: { status: "investigating", body: `note ${i}` } })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(201));
    // Each response shows its own update on top: the write and what it returned are one transaction.
    const returned = await Promise.all(results.map(async (r) => ((await r.json()) as Json).incident_updates[0].body));
    expect(returned.sort()).toEqual(Array.from({ length: 50 }, (_, i) => `note ${i}`).sort());
    const incident = (await (await h.call("GET", `/api/v1/incidents/${id}`)).json()) as Json;
    const bodies: string[] = incident.incident_updates.map((u: Json) => u.body).reverse();
    expect(bodies[0]).toBe("Investigating.");
    expect(bodies.slice(1).sort()).toEqual(Array.from({ length: 50 }, (_, i) => `note ${i}`).sort());
    const rows = await h.db.client.execute({ sql: "SELECT body FROM incident_updates WHERE incident_id = ? ORDER BY seq", args: [id] });
    expect(rows.rows.map((r) => r.body)).toEqual(bodies);
  });

  test("two processes' connections on one file (server and CLI) interleave without losing writes", async () => {
    const id = await declare("Two writers");
    const second = await openNodeDatabase(h.databaseUrl);
    try {
      const other = createApp({ ...h.deps, db: second.db });
      const send = (app: typeof other, i: number) =>
        app.request(`/api/v1/incidents/${id}/updates`, {
          method: "POST",
          headers: { Authorization: `Bearer ${h.tokens.admin}`, "Content-Type": "application/json" },
          body: JSON.stringify({ status: "investigating", body: `from ${app === other ? "b" : "a"} ${i}` }),
        });
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) => send(i % 2 ? other : h.app, i)));
      expect(results.map((r) => r.status)).toEqual(Array(40).fill(201));
      const count = await h.db.client.execute({ sql: "SELECT COUNT(*) AS n, COUNT(DISTINCT seq) AS s FROM incident_updates WHERE incident_id = ?", args: [id] });
      expect(Number(count.rows[0]!.n)).toBe(41);
      expect(Number(count.rows[0]!.s)).toBe(41);
    } finally {
      second.db.close();
    }
  });
});
