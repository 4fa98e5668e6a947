/**
 * Incident numbers as the seed writes them (INC-2026-001, drills DRILL-2026-001): a series per year
 * in the page's zone, distinct under concurrent declarations, usable wherever an incident id is,
 * given to incidents that existed before the migration, and named in the internal update's channel
 * suggestion and the postmortem draft.
 */
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { formatIncidentNumber, numberYear, parseIncidentNumber, suggestedChannel } from "../domain/incident-number.ts";
import { applyMigrations } from "../db/migrate.ts";
import { loadMigrations } from "../db/migrations-node.ts";
import { connectNode } from "../db/connect.ts";
import { expectJson, expectProblem, startTestHerald, type TestHerald } from "./harness.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

describe("the number's form", () => {
  test("formats, parses (any case) and names the channel as the seed does", () => {
    expect(formatIncidentNumber({ series: "INC", year: 2026, number: 1 })).toBe("INC-2026-001");
    expect(formatIncidentNumber({ series: "DRILL", year: 2026, number: 1234 })).toBe("DRILL-2026-1234");
    expect(parseIncidentNumber("inc-2026-007")).toEqual({ series: "INC", year: 2026, number: 7 });
    expect(parseIncidentNumber(" DRILL-2027-12 ")).toEqual({ series: "DRILL", year: 2027, number: 12 });
    for (const bad of ["INC-26-001", "INC-2026-000", "INC-2026-", "abcdefabcdef", "INC_2026_001", "MAINT-2026-001"]) expect(parseIncidentNumber(bad), bad).toBeNull();
    expect(suggestedChannel({ series: "INC", year: 2026, number: 1 })).toBe("#incident-2026-001");
    expect(suggestedChannel({ series: "DRILL", year: 2026, number: 3 })).toBe("#drill-2026-003");
  });

  test("the year is the page zone's: New Year comes earlier in Tokyo and later in New York", () => {
    expect(numberYear("2026-12-31T15:30:00.000Z", "Asia/Tokyo")).toBe(2027);
    expect(numberYear("2026-12-31T15:30:00.000Z", "Etc/UTC")).toBe(2026);
    expect(numberYear("2027-01-01T03:00:00.000Z", "America/New_York")).toBe(2026);
  });
});

describe("numbers on a real Herald", () => {
  let h: TestHerald;
  beforeEach(async () => {
    h = await startTestHerald({ PAGE_TIME_ZONE: "Asia/Tokyo" });
  });
  afterEach(async () => h.close());

  const declare = async (name: string, extra: Record<string, unknown> = {}) =>
    expectJson(await h.call("POST", "/api/v1/incidents", { body: { name, severity: "SEV2", body: "Looking.", ...extra } }), 201);

  test("a series per year in the page's zone; drills count apart; maintenances are not numbered", async () => {
    h.clock.set("2026-12-31T14:30:00.000Z"); // 23:30 in Tokyo
    expect((await declare("Late in the year")).number).toBe("INC-2026-001");
    expect((await declare("Practice", { drill: true })).number).toBe("DRILL-2026-001");
    expect((await declare("Still this year")).number).toBe("INC-2026-002");
    h.clock.set("2026-12-31T15:30:00.000Z"); // 00:30 on January 1 in Tokyo
    expect((await declare("New year")).number).toBe("INC-2027-001");
    expect((await declare("Practice again", { drill: true })).number).toBe("DRILL-2027-001");
    const maintenance = await expectJson(
      await h.call("POST", "/api/v1/maintenances", { body: { name: "Upgrade", body: "Planned.", scheduled_for: "2027-02-01T10:00:00Z", scheduled_until: "2027-02-01T11:00:00Z", component_ids: [] } }),
      201,
    );
    expect(maintenance.number ?? null).toBeNull();
  });

  test("declarations at the same moment get distinct numbers", async () => {
    h.clock.set("2026-06-01T10:00:00.000Z");
    const made = await Promise.all(Array.from({ length: 12 }, (_, i) => declare(`Concurrent ${i}`)));
    const numbers = made.map((i) => i.number).sort();
    expect(numbers).toEqual(Array.from({ length: 12 }, (_, i) => `INC-2026-${String(i + 1).padStart(3, "0")}`));
  });

  test("a number is accepted wherever an incident id is; an unknown one is a 404", async () => {
    h.clock.set("2026-06-01T10:00:00.000Z");
    const incident = await declare("Named by number");
    expect((await expectJson(await h.call("GET", "/api/v1/incidents/INC-2026-001"), 200)).id).toBe(incident.id);
    expect((await expectJson(await h.call("GET", "/api/v1/incidents/inc-2026-1"), 200)).id).toBe(incident.id);
    const updated = await expectJson(await h.call("POST", "/api/v1/incidents/INC-2026-001/updates", { body: { status: "resolved", body: "Fixed." } }), 201);
    expect(updated).toMatchObject({ id: incident.id, status: "resolved" });
    const template = await expectJson(await h.call("GET", "/api/v1/incidents/INC-2026-001/postmortem/template"), 200);
    expect(template.body).toMatch(/^# Postmortem: INC-2026-001 Named by number - /);
    const drill = await declare("Drill", { drill: true });
    expect((await expectJson(await h.call("GET", "/api/v1/drills/DRILL-2026-001/report"), 200)).incident_id).toBe(drill.id);
    await expectProblem(await h.call("GET", "/api/v1/incidents/INC-2026-099"), 404);
    await expectProblem(await h.call("GET", "/api/v1/incidents/INC-2025-001"), 404);
  });

  test("the postmortem draft lists earlier incidents on the same components as Related Incidents", async () => {
    const api = (await expectJson(await h.call("POST", "/api/v1/components", { body: { name: "API" } }), 201)).id;
    h.clock.set("2026-03-01T10:00:00.000Z");
    const earlier = await declare("Pool exhausted", { components: { [api]: "major_outage" } });
    await expectJson(await h.call("POST", `/api/v1/incidents/${earlier.id}/updates`, { body: { status: "resolved", body: "Fixed." } }), 201);
    await declare("Unrelated");
    h.clock.set("2026-04-01T10:00:00.000Z");
    const now = await declare("Pool exhausted again", { components: { [api]: "partial_outage" } });
    const template = await expectJson(await h.call("GET", `/api/v1/incidents/${now.id}/postmortem/template`), 200);
    const related = template.body.split("## Related Incidents\n")[1].split("\n\n")[0];
    expect(related).toBe("- INC-2026-001: Pool exhausted (resolved, 2026-03-01) _same cause or different?_");
  });
});

test("incidents that existed before the migration are numbered in the order they were declared, per year", async () => {
  const dir = mkdtempSync(join(tmpdir(), "herald-numbers-migration-"));
  const db = connectNode(`file:${join(dir, "herald.db")}`);
  try {
    const all = loadMigrations();
    await applyMigrations(db, all.filter((m) => m.id < "0018"));
    const insert = (id: string, created: string, drill = 0, kind = "incident") =>
      db.client.execute({
        sql: `INSERT INTO incidents (id, kind, name, status, severity, impact, created_at, updated_at, started_at, scheduled_for, scheduled_until, drill)
              VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        args: kind === "incident"
          ? [id, kind, id, "resolved", "SEV2", "major", created, created, created, null, null, drill]
          : [id, kind, id, "completed", null, "maintenance", created, created, created, created, created, 0],
      });
    await insert("bbbbbbbbbbbb", "2025-05-01T00:00:00.000Z");
    await insert("aaaaaaaaaaaa", "2025-02-01T00:00:00.000Z");
    await insert("cccccccccccc", "2026-01-05T00:00:00.000Z");
    await insert("dddddddddddd", "2025-03-01T00:00:00.000Z", 1);
    await insert("mmmmmmmmmmmm", "2025-04-01T00:00:00.000Z", 0, "maintenance");
    await applyMigrations(db, all);
    const rows = await db.client.execute("SELECT id, number_series || '-' || number_year || '-' || number AS n FROM incidents ORDER BY id");
    expect(rows.rows.map((r) => `${r.id} ${r.n}`)).toEqual([
      "aaaaaaaaaaaa INC-2025-1",
      "bbbbbbbbbbbb INC-2025-2",
      "cccccccccccc INC-2026-1",
      "dddddddddddd DRILL-2025-1",
      "mmmmmmmmmmmm null",
    ]);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
