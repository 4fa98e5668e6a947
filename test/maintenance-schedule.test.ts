import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { AUTO_COMPLETE_BODY, AUTO_START_BODY } from "../domain/maintenance-schedule.ts";
import { advanceMaintenances } from "../api/service/maintenance-schedule.ts";
import { expectJson, expectProblem, snapshotDatabase, startTestHerald, type TestHerald } from "./harness.ts";

let h: TestHerald;
let componentId: string;

beforeAll(async () => {
  h = await startTestHerald();
  h.clock.set("2026-11-27T20:00:00Z");
  componentId = (await expectJson(await h.call("POST", "/api/v1/components", { body: { name: "Database" } }), 201)).id;
});
afterAll(() => h.close());

const advance = () => advanceMaintenances({ db: h.db, clock: h.clock, hooks: {}, onChange: h.deps.onChange });

async function schedule(extra: Record<string, unknown> = {}) {
  const body = {
    name: "Database upgrade", body: "We will upgrade the primary database.", component_ids: [componentId],
    scheduled_for: "2026-11-28T02:00:00Z", scheduled_until: "2026-11-28T04:00:00Z", ...extra,
  };
  return expectJson(await h.call("POST", "/api/v1/maintenances", { body }), 201);
}

const get = async (id: string) => expectJson(await h.call("GET", `/api/v1/maintenances/${id}`), 200);
const componentStatus = async () =>
  (await expectJson(await h.call("GET", "/api/v1/components"), 200)).find((c: { id: string }) => c.id === componentId).status;

describe("scheduled maintenances move on time", () => {
  test("in progress when the window opens, completed when it closes, each move once", async () => {
    const m = await schedule();
    expect(m.scheduled_auto_in_progress).toBe(true);
    expect(m.scheduled_auto_completed).toBe(true);

    h.clock.set("2026-11-28T01:59:00Z");
    expect(await advance()).toBe(0);
    expect((await get(m.id)).status).toBe("scheduled");

    h.clock.set("2026-11-28T02:00:30Z");
    h.changes.length = 0;
    expect(await advance()).toBe(1);
    expect(await advance()).toBe(0); // a second runner finds nothing to do
    let now = await get(m.id);
    expect(now.status).toBe("in_progress");
    expect(now.incident_updates[0].body).toBe(AUTO_START_BODY);
    expect(now.incident_updates[0].author).toBe("Herald (schedule)");
    expect(await componentStatus()).toBe("under_maintenance");
    expect(h.changes).toEqual([{ type: "maintenance", id: m.id }]);

    h.clock.set("2026-11-28T04:00:00Z");
    expect(await advance()).toBe(1);
    now = await get(m.id);
    expect(now.status).toBe("completed");
    expect(now.incident_updates[0].body).toBe(AUTO_COMPLETE_BODY);
    expect(now.incident_updates).toHaveLength(3);
    expect(await componentStatus()).toBe("operational");
    // The component's history names the schedule as who moved it (not a person).
    const history = await expectJson(await h.call("GET", `/api/v1/components/${componentId}/history`), 200);
    expect(history.slice(0, 2).map((e: { new_status: string; source: string }) => `${e.new_status} ${e.source}`)).toEqual(["operational schedule", "under_maintenance schedule"]);
  });

  test("a window missed entirely (Herald was down) is started and completed in one run", async () => {
    h.clock.set("2026-11-27T20:00:00Z");
    const m = await schedule({ scheduled_for: "2026-11-29T02:00:00Z", scheduled_until: "2026-11-29T03:00:00Z" });
    h.clock.set("2026-11-29T09:00:00Z");
    expect(await advance()).toBe(2);
    const now = await get(m.id);
    expect(now.status).toBe("completed");
    expect(now.incident_updates.map((u: { status: string }) => u.status)).toEqual(["completed", "in_progress", "scheduled"]);
  });

  test("with the flags off, people start and finish the work", async () => {
    h.clock.set("2026-11-27T20:00:00Z");
    const m = await schedule({ scheduled_for: "2026-11-30T02:00:00Z", scheduled_until: "2026-11-30T03:00:00Z", scheduled_auto_in_progress: false, scheduled_auto_completed: false });
    expect(m.scheduled_auto_in_progress).toBe(false);
    h.clock.set("2026-11-30T05:00:00Z");
    expect(await advance()).toBe(0);
    await expectJson(await h.call("POST", `/api/v1/maintenances/${m.id}/updates`, { body: { status: "in_progress", body: "Started by hand." } }), 201);
    expect(await advance()).toBe(0);
    expect((await get(m.id)).status).toBe("in_progress");
    // Moved by a maintenance update someone posted.
    const [latest] = await expectJson(await h.call("GET", `/api/v1/components/${componentId}/history`), 200);
    expect(latest).toMatchObject({ new_status: "under_maintenance", source: "maintenance", source_name: "Ada Admin" });
  });

  test("a flag that is not a boolean is refused and nothing is stored", async () => {
    const before = await snapshotDatabase(h.db);
    const problem = await expectProblem(
      await h.call("POST", "/api/v1/maintenances", {
        body: { name: "X", body: "Y", component_ids: [], scheduled_for: "2026-12-01T02:00:00Z", scheduled_until: "2026-12-01T03:00:00Z", scheduled_auto_completed: "yes" },
      }),
      422,
    );
    expect(JSON.stringify(problem)).toContain("scheduled_auto_completed");
    expect(await snapshotDatabase(h.db)).toBe(before);
  });
});

describe("the page's banner during a maintenance", () => {
  test("a maintenance of no component leaves 'All Systems Operational'; one of a component says 'Under Maintenance'", async () => {
    const { loadSnapshot, readConsistently } = await import("../site/publish/snapshot.ts");
    const { pageStatusInput } = await import("../db/queries/page.ts");
    const { pageStatus } = await import("../domain/indicator.ts");
    const page = { id: h.deps.pageId, name: "Example", url: "https://status.example.com", timeZone: "UTC" };
    const banner = async () => {
      const fromSnapshot = (await readConsistently(h.db, (tx) => loadSnapshot(tx, page, h.clock.now()))).status.description;
      // The same rule where a webhook's page object is made, inside a write.
      expect(pageStatus(await pageStatusInput(h.db.client)).description).toBe(fromSnapshot);
      return fromSnapshot;
    };
    // Complete whatever earlier tests left running, so only this test's maintenances count.
    for (const m of (await expectJson(await h.call("GET", "/api/v1/maintenances?status=open"), 200)) as { id: string; status: string }[]) {
      if (m.status !== "completed") await expectJson(await h.call("POST", `/api/v1/maintenances/${m.id}/updates`, { body: { status: "completed", body: "Done." } }), 201);
    }
    const notice = await schedule({ name: "Office move", component_ids: [], scheduled_auto_in_progress: false });
    await expectJson(await h.call("POST", `/api/v1/maintenances/${notice.id}/updates`, { body: { status: "in_progress", body: "Moving." } }), 201);
    expect(await banner()).toBe("All Systems Operational");
    const real = await schedule({ scheduled_auto_in_progress: false });
    await expectJson(await h.call("POST", `/api/v1/maintenances/${real.id}/updates`, { body: { status: "in_progress", body: "Upgrading." } }), 201);
    expect(await banner()).toBe("Service Under Maintenance");
  });
});
