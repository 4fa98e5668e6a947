import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueueUpdate, mailHooks } from "../api/mail/outbox.ts";
import { normalizeEmail } from "../domain/email.ts";
import { createIncident } from "../api/service/incidents.ts";
import { outboxCounts } from "../db/queries/outbox.ts";
import { unsubscribeSubscriber } from "../db/queries/subscribers.ts";
import { startTestHerald, type TestHerald } from "./harness.ts";
import { actor, addSubscriber, addSubscribers, declare } from "./mail-helpers.ts";

let h: TestHerald;
let api = "";
let db = "";

async function rowsFor(updateId: string): Promise<string[]> {
  const r = await h.db.client.execute({
    sql: "SELECT s.email FROM outbox o JOIN subscribers s ON s.id = o.subscriber_id WHERE o.update_id = ? ORDER BY s.email",
    args: [updateId],
  });
  return r.rows.map((row) => String(row.email));
}

async function component(name: string): Promise<string> {
  const res = await h.call("POST", "/api/v1/components", { body: { name } });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

beforeAll(async () => {
  h = await startTestHerald();
  h.deps.hooks = mailHooks;
  api = await component("API");
  db = await component("Database");
  await addSubscriber(h.db, "all@example.com");
  await addSubscriber(h.db, "api@example.com", "active", [api]);
  await addSubscriber(h.db, "db@example.com", "active", [db]);
  await addSubscriber(h.db, "both@example.com", "active", [api, db]);
  await addSubscriber(h.db, "pending@example.com", "pending");
  await addSubscriber(h.db, "quarantined@example.com", "quarantined");
  const gone = await addSubscriber(h.db, "gone@example.com");
  await h.db.write((tx) => unsubscribeSubscriber(tx, gone, new Date().toISOString()));
});

afterAll(async () => {
  await h.close();
});

describe("enqueueing an update", () => {
  it("fans an incident out through the real API to active subscribers whose filter matches", async () => {
    const res = await h.call("POST", "/api/v1/incidents", {
      token: h.tokens.comms,
      body: { name: "API down", severity: "SEV1", body: "Investigating.", components: { [api]: "major_outage" } },
    });
    expect(res.status).toBe(201);
    const incident = (await res.json()) as { id: string; incident_updates: { id: string }[] };
    expect(await rowsFor(incident.incident_updates[0]!.id)).toEqual(["all@example.com", "api@example.com", "both@example.com"]);

    // A later update touching the database reaches its subscribers too (incident ∪ update components).
    const res2 = await h.call("POST", `/api/v1/incidents/${incident.id}/updates`, {
      token: h.tokens.comms,
      body: { status: "identified", body: "Pool exhausted.", components: { [db]: "degraded_performance" } },
    });
    expect(res2.status).toBe(201);
    const later = (await res2.json()) as { incident_updates: { id: string }[] };
    expect(await rowsFor(later.incident_updates[0]!.id)).toEqual(["all@example.com", "api@example.com", "both@example.com", "db@example.com"]);
  });

  it("sends an incident without components only to subscribers of everything", async () => {
    const incident = await declare(h.db, mailHooks);
    expect(await rowsFor(incident.updates[0]!.id)).toEqual(["all@example.com"]);
  });

  it("never enqueues for pending, quarantined or unsubscribed subscribers", async () => {
    const r = await h.db.client.execute(
      "SELECT COUNT(*) AS n FROM outbox o JOIN subscribers s ON s.id = o.subscriber_id WHERE s.state != 'active'",
    );
    expect(Number(r.rows[0]!.n)).toBe(0);
  });

  it("enqueues nothing when deliver_notifications is false", async () => {
    const incident = await declare(h.db, mailHooks, { deliver_notifications: false });
    expect(await rowsFor(incident.updates[0]!.id)).toEqual([]);
  });

  it("commits the outbox rows with the update, or neither", async () => {
    const before = await outboxCounts(h.db.client);
    const incidentsBefore = await h.db.client.execute("SELECT COUNT(*) AS n FROM incident_updates");
    await expect(
      h.db.write(async (tx) => {
        await createIncident({ tx, actor, now: new Date().toISOString(), hooks: mailHooks }, { name: "Doomed", severity: "SEV2", body: "x" });
        const pending = await tx.execute("SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'");
        expect(Number(pending.rows[0]!.n)).toBeGreaterThan(before.pending); // enqueued inside the transaction…
        throw new Error("the write fails after the hook ran");
      }),
    ).rejects.toThrow("the write fails");
    expect(await outboxCounts(h.db.client)).toEqual(before); // …and rolled back with it
    const incidentsAfter = await h.db.client.execute("SELECT COUNT(*) AS n FROM incident_updates");
    expect(incidentsAfter.rows[0]!.n).toEqual(incidentsBefore.rows[0]!.n);
  });

  it("refuses the update when enqueueing fails (no update without its mail)", async () => {
    const snapshot = await h.db.client.execute("SELECT COUNT(*) AS n FROM incident_updates");
    const failing = { async updatePosted() { throw new Error("outbox unavailable"); } };
    await expect(declare(h.db, failing)).rejects.toThrow("outbox unavailable");
    expect((await h.db.client.execute("SELECT COUNT(*) AS n FROM incident_updates")).rows[0]!.n).toEqual(snapshot.rows[0]!.n);
  });

  it("never enqueues the same update twice for one subscriber", async () => {
    const incident = await declare(h.db, mailHooks);
    const update = incident.updates[0]!;
    const again = await h.db.write((tx) => enqueueUpdate({ tx, actor, now: new Date().toISOString(), hooks: {} }, incident, update));
    expect(again).toBe(0);
    expect(await rowsFor(update.id)).toEqual(["all@example.com"]);
    await expect(
      h.db.client.execute({
        sql: "INSERT INTO outbox (update_id, subscriber_id, next_attempt_at, created_at) SELECT update_id, subscriber_id, 'x', 'x' FROM outbox WHERE update_id = ?",
        args: [update.id],
      }),
    ).rejects.toThrow(/UNIQUE/);
  });

  it("fans out to many subscribers with one statement", async () => {
    await addSubscribers(h.db, 20_000, "bulk");
    const incident = await declare(h.db, mailHooks);
    const r = await h.db.client.execute({ sql: "SELECT COUNT(*) AS n FROM outbox WHERE update_id = ?", args: [incident.updates[0]!.id] });
    expect(Number(r.rows[0]!.n)).toBe(20_001);
  });

  it("is enqueued for maintenance updates too", async () => {
    const res = await h.call("POST", "/api/v1/maintenances", {
      token: h.tokens.comms,
      body: { name: "DB upgrade", body: "Upgrading.", scheduled_for: "2030-01-01T00:00:00Z", scheduled_until: "2030-01-01T02:00:00Z", component_ids: [db] },
    });
    expect(res.status).toBe(201);
    const m = (await res.json()) as { incident_updates: { id: string }[] };
    const emails = await rowsFor(m.incident_updates[0]!.id);
    expect(emails).toContain("db@example.com");
    expect(emails).not.toContain("api@example.com");
  });

  it("normalizes addresses: trimmed, domain lowercased, local part kept", () => {
    expect(normalizeEmail("  Ada.Lovelace@Example.COM \n")).toBe("Ada.Lovelace@example.com");
    expect(normalizeEmail("no-at-sign")).toBeNull();
    expect(normalizeEmail("a@b@c.com")).toBeNull();
    expect(normalizeEmail("a\r\nBcc: x@y.com@example.com")).toBeNull();
    expect(normalizeEmail("a@localhost")).toBeNull();
  });
});
