import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createComponent } from "../../api/service/components.ts";
import { newId } from "../../domain/ids.ts";
import type { Database } from "../database.ts";
import { openNodeDatabase } from "../open-node.ts";
import { getIncidentsByIds, incidentsOfComponent, insertIncident, linkIncidentComponent } from "./incidents.ts";

const DAY = 86_400_000;
const NOW = Date.parse("2026-11-20T12:00:00.000Z");
const iso = (ms: number) => new Date(ms).toISOString();
const SINCE = iso(NOW - 91 * DAY);

let dir: string;
let db: Database;
const ids: Record<string, string> = {};
/** Incident names by id (ids are 12 characters). */
const names = new Map<string, string>();

/** An incident created `daysAgo`, last changed `updatedDaysAgo`, resolved unless `open`, linked to `component`. */
async function incident(name: string, component: string, daysAgo: number, options: { updatedDaysAgo?: number; open?: boolean; scheduledInDays?: number } = {}): Promise<void> {
  const created = NOW - daysAgo * DAY;
  const status = options.scheduledInDays !== undefined ? "scheduled" : options.open ? "investigating" : "resolved";
  const id = newId();
  names.set(id, name);
  await db.write(async (tx) => {
    await insertIncident(tx, {
      id, kind: options.scheduledInDays !== undefined ? "maintenance" : "incident", name, status, severity: "SEV3", impact: "minor",
      createdAt: iso(created), updatedAt: iso(NOW - (options.updatedDaysAgo ?? daysAgo) * DAY), startedAt: iso(created), identifiedAt: null, monitoringAt: null,
      resolvedAt: status === "resolved" ? iso(created + 3_600_000) : null,
      scheduledFor: options.scheduledInDays !== undefined ? iso(NOW + options.scheduledInDays * DAY) : null,
      scheduledUntil: options.scheduledInDays !== undefined ? iso(NOW + options.scheduledInDays * DAY + 3_600_000) : null,
    });
    await linkIncidentComponent(tx, id, ids[component]!);
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "herald-incident-queries-"));
  db = (await openNodeDatabase(`file:${join(dir, "herald.db")}`)).db;
  const actor = { id: null, name: "test", role: "admin" as const };
  await db.write(async (tx) => {
    const ctx = { tx, actor, now: iso(NOW - 400 * DAY), hooks: {} };
    ids.api = (await createComponent(ctx, { name: "API", group: "Core" })).id;
    ids.db = (await createComponent(ctx, { name: "Database", group: "Core" })).id;
    ids.web = (await createComponent(ctx, { name: "Website" })).id;
    ids.core = (await tx.execute("SELECT id FROM components WHERE name = 'Core'")).rows[0]!.id as string;
  });
  await incident("recent", "api", 10);
  await incident("edge-of-window", "api", 90);
  await incident("old-resolved", "api", 200);
  await incident("old-updated-lately", "api", 200, { updatedDaysAgo: 5 });
  await incident("old-still-open", "api", 300, { open: true });
  await incident("upcoming-maintenance", "db", 2, { scheduledInDays: 3 });
  await incident("other-component", "web", 1);
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("incidentsOfComponent (a component's page and feed)", () => {
  const of = async (component: string, limit = 200) => (await getIncidentsByIds(db.client, incidentsOfComponent(ids[component]!, SINCE, limit))).map((i) => names.get(i.id));

  test("its incidents of the window, those changed within it, and those still open, newest history date first", async () => {
    expect(await of("api")).toEqual(["recent", "edge-of-window", "old-updated-lately", "old-still-open"]);
    expect(await of("db")).toEqual(["upcoming-maintenance"]);
    expect(await of("web")).toEqual(["other-component"]);
  });

  test("a group's are its components' and its own; the limit keeps the newest", async () => {
    expect(await of("core")).toEqual(["upcoming-maintenance", "recent", "edge-of-window", "old-updated-lately", "old-still-open"]);
    expect(await of("core", 2)).toEqual(["upcoming-maintenance", "recent"]);
  });
});
