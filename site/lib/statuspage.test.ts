import { describe, expect, test } from "vitest";
import { STATUSPAGE_LIST_LIMIT, STATUSPAGE_PATHS, statuspageDocuments } from "./statuspage.ts";
import { PAGE_ID, PAGE_URL, at, component, fid, incident, snapshot } from "./test-fixtures.ts";
import type { SiteSnapshot } from "./snapshot.ts";

type Json = Record<string, any>;

// ---------------------------------------------------------------------------------------------
// Key lists taken from /work/shared/reference/statuspage.md. Each value is the JSON type the
// reference shows for the key: "iso" = ISO-8601 timestamp string; "a|b" = either.

/** §1.1 table, "Top-level keys" column, in the table's order. */
const TOP_LEVEL_KEYS: Record<string, string[]> = {
  "api/v2/summary.json": ["page", "components", "incidents", "scheduled_maintenances", "status"],
  "api/v2/status.json": ["page", "status"],
  "api/v2/components.json": ["page", "components"],
  "api/v2/incidents.json": ["page", "incidents"],
  "api/v2/incidents/unresolved.json": ["page", "incidents"],
  "api/v2/scheduled-maintenances.json": ["page", "scheduled_maintenances"],
  "api/v2/scheduled-maintenances/upcoming.json": ["page", "scheduled_maintenances"],
  "api/v2/scheduled-maintenances/active.json": ["page", "scheduled_maintenances"],
};

/** §1.2 `page` object. */
const PAGE_KEYS = { id: "string", name: "string", url: "string", time_zone: "string", updated_at: "iso" };

/** §1.3 `status` object. */
const STATUS_KEYS = { indicator: "string", description: "string" };

/** §1.4 component object (leaf rows); group rows add `components` (child ids). */
const COMPONENT_KEYS = {
  id: "string", name: "string", status: "string", created_at: "iso", updated_at: "iso", position: "number",
  description: "string|null", showcase: "boolean", start_date: "string|null", group_id: "string|null",
  page_id: "string", group: "boolean", only_show_if_degraded: "boolean",
};
const GROUP_KEYS = { ...COMPONENT_KEYS, components: "array" };

/** §1.5 incident object. */
const INCIDENT_KEYS = {
  id: "string", name: "string", status: "string", created_at: "iso", updated_at: "iso", monitoring_at: "iso|null",
  resolved_at: "iso|null", impact: "string", shortlink: "string", started_at: "iso", page_id: "string",
  incident_updates: "array", components: "array",
};

/** §1.7 scheduled maintenance: the incident shape plus the window. */
const MAINTENANCE_KEYS = { ...INCIDENT_KEYS, scheduled_for: "iso|null", scheduled_until: "iso|null" };

/** §1.6 incident update object. */
const UPDATE_KEYS = {
  id: "string", status: "string", body: "string", incident_id: "string", created_at: "iso", updated_at: "iso",
  display_at: "iso", affected_components: "array|null", deliver_notifications: "boolean",
  custom_tweet: "string|null", tweet_id: "string|null",
};

/** §1.6 `affected_components` entries. */
const AFFECTED_KEYS = { code: "string", name: "string", old_status: "string", new_status: "string" };

/** §1.3 / §1.4 / §1.5 / §1.7 enums (indicator includes "maintenance", §1.3). */
const INDICATORS = ["none", "minor", "major", "critical", "maintenance"];
const COMPONENT_STATUSES = ["operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"];
const INCIDENT_STATUSES = ["investigating", "identified", "monitoring", "resolved", "postmortem"];
const MAINTENANCE_STATUSES = ["scheduled", "in_progress", "verifying", "completed"];
const IMPACTS = ["none", "minor", "major", "critical", "maintenance"];

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function typeOk(value: unknown, type: string): boolean {
  return type.split("|").some((t) => {
    switch (t) {
      case "null": return value === null;
      case "string": return typeof value === "string";
      case "number": return typeof value === "number" && Number.isFinite(value);
      case "boolean": return typeof value === "boolean";
      case "array": return Array.isArray(value);
      case "iso": return typeof value === "string" && ISO.test(value) && !Number.isNaN(Date.parse(value));
      default: throw new Error(`unknown type ${t}`);
    }
  });
}

/** Exactly these keys (no more, none missing, none undefined), each of the listed type. */
function expectShape(obj: Json, spec: Record<string, string>, what: string): void {
  expect(Object.keys(obj).sort(), what).toEqual(Object.keys(spec).sort());
  for (const [key, type] of Object.entries(spec)) {
    expect(typeOk(obj[key], type), `${what}.${key} = ${JSON.stringify(obj[key])} should be ${type}`).toBe(true);
  }
}

function expectPage(page: Json): void {
  expectShape(page, PAGE_KEYS, "page");
}

function expectComponent(c: Json): void {
  expectShape(c, c.group ? GROUP_KEYS : COMPONENT_KEYS, `component ${c.id}`);
  expect(COMPONENT_STATUSES).toContain(c.status);
  expect(c.page_id).toBe(PAGE_ID);
  if (c.group) for (const child of c.components) expect(typeof child).toBe("string");
}

function expectUpdate(u: Json, incidentId: string): void {
  expectShape(u, UPDATE_KEYS, `update ${u.id}`);
  expect(u.incident_id).toBe(incidentId);
  for (const a of u.affected_components ?? []) {
    expectShape(a, AFFECTED_KEYS, "affected component");
    expect(COMPONENT_STATUSES).toContain(a.old_status);
    expect(COMPONENT_STATUSES).toContain(a.new_status);
  }
}

function expectIncident(i: Json, kind: "incident" | "maintenance"): void {
  expectShape(i, kind === "incident" ? INCIDENT_KEYS : MAINTENANCE_KEYS, `${kind} ${i.id}`);
  expect(kind === "incident" ? INCIDENT_STATUSES : MAINTENANCE_STATUSES).toContain(i.status);
  expect(IMPACTS).toContain(i.impact);
  expect(i.page_id).toBe(PAGE_ID);
  expect(i.shortlink).toBe(`${PAGE_URL}/incidents/${i.id}`);
  for (const u of i.incident_updates) expectUpdate(u, i.id);
  for (const c of i.components) expectComponent(c);
  const shown = i.incident_updates.map((u: Json) => Date.parse(u.display_at));
  expect(shown, "incident_updates newest first").toEqual([...shown].sort((a, b) => b - a));
}

/** Every key anywhere in a JSON value. */
function allKeys(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) allKeys(v, into);
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      into.add(k);
      allKeys(v, into);
    }
  }
  return into;
}

// ---------------------------------------------------------------------------------------------
// A page with a group of two, a top-level component, incidents and maintenances in every state.

const CORE = "grcore000001";
const API = "cmapi0000001";
const DB = "cmdb00000001";
const WEB = "cmweb0000001";
const HOSTILE = "<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)> ]]><script>alert(2)</script>";

function richSnapshot(): SiteSnapshot {
  const components = [
    component({ id: CORE, name: "Core", isGroup: true, position: 1, status: "partial_outage", childIds: [API, DB] }),
    component({ id: API, name: "API", groupId: CORE, position: 1, description: "REST and GraphQL", status: "major_outage", startDate: "2026-01-01" }),
    component({ id: DB, name: "Database", groupId: CORE, position: 2, status: "under_maintenance", onlyShowIfDegraded: true }),
    component({ id: WEB, name: "Website", position: 2, showcase: false }),
  ];
  const open = incident(
    { id: "inopen000001", name: "API Gateway Down", componentIds: [API, "gone00000001"], impact: "critical", severity: "SEV1" },
    [
      ["investigating", "2026-03-29T10:00:00.000Z", "We're investigating."],
      ["identified", "2026-03-29T10:20:00.000Z", HOSTILE],
    ],
  );
  // The first update changed a component.
  open.updates[1]!.affected = [{ componentId: API, name: "API", oldStatus: "operational", newStatus: "major_outage" }];
  const resolved = incident(
    { id: "inresolved01", name: "Slow logins", status: "resolved", resolvedAt: "2026-03-20T11:00:00.000Z", monitoringAt: "2026-03-20T10:30:00.000Z" },
    [
      ["investigating", "2026-03-20T10:00:00.000Z"],
      ["monitoring", "2026-03-20T10:30:00.000Z"],
      ["resolved", "2026-03-20T11:00:00.000Z"],
    ],
  );
  const active = incident(
    { id: "mtactive0001", kind: "maintenance", name: "DB upgrade", componentIds: [DB], scheduledFor: "2026-03-29T11:00:00.000Z", scheduledUntil: "2026-03-29T13:00:00.000Z" },
    [
      ["scheduled", "2026-03-25T09:00:00.000Z"],
      ["in_progress", "2026-03-29T11:00:00.000Z"],
    ],
  );
  const upcoming = incident(
    { id: "mtupcoming01", kind: "maintenance", name: "Network work", componentIds: [CORE], scheduledFor: "2026-04-02T01:00:00.000Z", scheduledUntil: "2026-04-02T03:00:00.000Z" },
    [["scheduled", "2026-03-28T09:00:00.000Z"]],
  );
  const done = incident(
    { id: "mtdone000001", kind: "maintenance", name: "Cache flush", status: "completed", scheduledFor: "2026-03-10T01:00:00.000Z", scheduledUntil: null, resolvedAt: "2026-03-10T02:00:00.000Z" },
    [
      ["scheduled", "2026-03-09T01:00:00.000Z"],
      ["completed", "2026-03-10T02:00:00.000Z"],
    ],
  );
  return snapshot({
    status: { indicator: "major", description: "Partial System Outage" },
    components,
    unresolvedIncidents: [open],
    activeMaintenances: [active],
    upcomingMaintenances: [upcoming],
    recentIncidents: [open, active, upcoming, resolved],
    latestIncidents: [open, resolved],
    latestMaintenances: [upcoming, active, done],
    feedIncidents: [open, active, upcoming, resolved, done],
  });
}

const docs = statuspageDocuments(richSnapshot()) as Record<string, Json>;
const doc = (path: string): Json => docs[path]!;

describe("documents", () => {
  test("exactly the eight /api/v2 paths", () => {
    expect(Object.keys(docs).sort()).toEqual([...STATUSPAGE_PATHS].sort());
    expect(Object.keys(docs).sort()).toEqual(Object.keys(TOP_LEVEL_KEYS).sort());
  });

  test.each(Object.entries(TOP_LEVEL_KEYS))("%s has exactly the top-level keys of §1.1, in order", (path, keys) => {
    expect(Object.keys(doc(path))).toEqual(keys);
  });

  test.each(Object.keys(TOP_LEVEL_KEYS))("%s: page object (§1.2)", (path) => {
    const page = doc(path).page;
    expectPage(page);
    expect(page).toEqual({ id: PAGE_ID, name: "Acme", url: PAGE_URL, time_zone: "Etc/UTC", updated_at: "2026-03-29T12:00:00.000Z" });
  });

  test("status object (§1.3) in status.json and summary.json", () => {
    for (const path of ["api/v2/status.json", "api/v2/summary.json"]) {
      expectShape(doc(path).status, STATUS_KEYS, "status");
      expect(doc(path).status).toEqual({ indicator: "major", description: "Partial System Outage" });
    }
  });

  test("indicator 'maintenance' is emitted as is", () => {
    const d = statuspageDocuments(snapshot({ status: { indicator: "maintenance", description: "Service Under Maintenance" } })) as Record<string, Json>;
    expect(d["api/v2/status.json"]!.status).toEqual({ indicator: "maintenance", description: "Service Under Maintenance" });
    expect(INDICATORS).toContain(d["api/v2/summary.json"]!.status.indicator);
  });

  test("everything survives a JSON round trip unchanged (no undefined, no Dates, no NaN)", () => {
    expect(JSON.parse(JSON.stringify(docs))).toEqual(docs);
  });

  test("the same snapshot gives the same documents", () => {
    expect(statuspageDocuments(richSnapshot())).toEqual(docs);
  });

  test("documents share no objects: changing one leaves the others alone", () => {
    const d = statuspageDocuments(richSnapshot()) as Record<string, Json>;
    d["api/v2/components.json"]!.page.name = "changed";
    d["api/v2/components.json"]!.components[0].components.push("x");
    expect(d["api/v2/summary.json"]!.page.name).toBe("Acme");
    expect(d["api/v2/summary.json"]!.components[0].components).toEqual([API, DB]);
  });
});

describe("components (§1.4)", () => {
  const rows: Json[] = doc("api/v2/components.json").components;

  test("every component and group is a row with exactly the reference keys and types", () => {
    expect(rows.map((c) => c.id)).toEqual([CORE, API, DB, WEB]);
    for (const c of rows) expectComponent(c);
  });

  test("groups are rows with group: true and their children's ids; children carry group_id", () => {
    const core = rows.find((c) => c.id === CORE)!;
    expect(core).toMatchObject({ group: true, components: [API, DB], group_id: null, status: "partial_outage" });
    expect(rows.find((c) => c.id === API)).toMatchObject({ group: false, group_id: CORE, position: 1 });
    expect(rows.find((c) => c.id === DB)).toMatchObject({ group: false, group_id: CORE, position: 2, only_show_if_degraded: true });
    for (const c of rows.filter((r) => !r.group)) expect(c).not.toHaveProperty("components");
  });

  test("values map one to one", () => {
    expect(rows.find((c) => c.id === API)).toEqual({
      id: API, name: "API", status: "major_outage", created_at: "2026-01-01T00:00:00.000Z", updated_at: "2026-01-01T00:00:00.000Z",
      position: 1, description: "REST and GraphQL", showcase: true, start_date: "2026-01-01", group_id: CORE, page_id: PAGE_ID,
      group: false, only_show_if_degraded: false,
    });
    expect(rows.find((c) => c.id === WEB)).toMatchObject({ description: null, start_date: null, showcase: false });
  });

  test("summary.json carries the same rows", () => {
    expect(doc("api/v2/summary.json").components).toEqual(rows);
  });
});

describe("incidents (§1.5, §1.6)", () => {
  test("incidents.json: all incidents, exact keys and types, newest first", () => {
    const list: Json[] = doc("api/v2/incidents.json").incidents;
    expect(list.map((i) => i.id)).toEqual(["inopen000001", "inresolved01"]);
    for (const i of list) expectIncident(i, "incident");
  });

  test("unresolved.json and summary.json: only the unresolved incident", () => {
    for (const path of ["api/v2/incidents/unresolved.json", "api/v2/summary.json"]) {
      const list: Json[] = doc(path).incidents;
      expect(list.map((i) => i.id)).toEqual(["inopen000001"]);
      for (const i of list) expectIncident(i, "incident");
    }
  });

  test("an incident's values, its updates newest first and its components as full rows", () => {
    const i = doc("api/v2/incidents/unresolved.json").incidents[0];
    expect(i).toMatchObject({
      id: "inopen000001", name: "API Gateway Down", status: "identified", impact: "critical",
      created_at: "2026-03-29T10:00:00.000Z", updated_at: "2026-03-29T10:20:00.000Z", started_at: "2026-03-29T10:00:00.000Z",
      monitoring_at: null, resolved_at: null,
    });
    expect(i.incident_updates.map((u: Json) => u.status)).toEqual(["identified", "investigating"]);
    expect(i.incident_updates[1]).toEqual({
      id: i.incident_updates[1].id, status: "investigating", body: "We're investigating.", incident_id: "inopen000001",
      created_at: "2026-03-29T10:00:00.000Z", updated_at: "2026-03-29T10:00:00.000Z", display_at: "2026-03-29T10:00:00.000Z",
      affected_components: [{ code: API, name: "API", old_status: "operational", new_status: "major_outage" }],
      deliver_notifications: true, custom_tweet: null, tweet_id: null,
    });
    expect(i.incident_updates[0].affected_components).toBeNull();
    // Full component rows, identical to components.json; an id that no longer exists is skipped.
    const apiRow = doc("api/v2/components.json").components.find((c: Json) => c.id === API);
    expect(i.components).toEqual([apiRow]);
  });

  test("a resolved incident carries its timestamps", () => {
    const i = doc("api/v2/incidents.json").incidents.find((x: Json) => x.id === "inresolved01");
    expect(i).toMatchObject({ status: "resolved", monitoring_at: "2026-03-20T10:30:00.000Z", resolved_at: "2026-03-20T11:00:00.000Z", components: [] });
    expect(i.incident_updates.map((u: Json) => u.status)).toEqual(["resolved", "monitoring", "investigating"]);
  });

  test("updates are ordered by display_at, newest first, even when one was backdated", () => {
    const i = incident({ id: "inback000001", name: "Backdated" }, [
      ["investigating", "2026-03-29T10:00:00.000Z"],
      ["identified", "2026-03-29T10:30:00.000Z"],
      ["monitoring", "2026-03-29T10:10:00.000Z"], // posted last, shown as 10:10
    ]);
    const d = statuspageDocuments(snapshot({ latestIncidents: [i] })) as Record<string, Json>;
    const updates: Json[] = d["api/v2/incidents.json"]!.incidents[0].incident_updates;
    expect(updates.map((u) => u.status)).toEqual(["identified", "monitoring", "investigating"]);
  });

  test("no internal fields are published: no severity, no author, nothing outside the reference keys", () => {
    const keys = allKeys(Object.values(docs));
    expect(keys.has("severity")).toBe(false);
    expect(keys.has("author")).toBe(false);
    const allowed = new Set([
      ...Object.values(TOP_LEVEL_KEYS).flat(), ...Object.keys(PAGE_KEYS), ...Object.keys(STATUS_KEYS), ...Object.keys(GROUP_KEYS),
      ...Object.keys(MAINTENANCE_KEYS), ...Object.keys(UPDATE_KEYS), ...Object.keys(AFFECTED_KEYS),
    ]);
    expect([...keys].filter((k) => !allowed.has(k))).toEqual([]);
    expect(JSON.stringify(docs)).not.toContain("Cole Comms");
    expect(JSON.stringify(docs)).not.toContain("SEV1");
  });

  test("hostile Markdown stays the raw body string: the JSON carries data, not HTML", () => {
    const i = doc("api/v2/incidents.json").incidents[0];
    expect(i.incident_updates[0].body).toBe(HOSTILE);
    expect(JSON.parse(JSON.stringify(docs))["api/v2/incidents.json"].incidents[0].incident_updates[0].body).toBe(HOSTILE);
  });
});

describe("scheduled maintenances (§1.7)", () => {
  test("scheduled-maintenances.json: all maintenances, exact keys and types, latest start first", () => {
    const list: Json[] = doc("api/v2/scheduled-maintenances.json").scheduled_maintenances;
    expect(list.map((m) => m.id)).toEqual(["mtupcoming01", "mtactive0001", "mtdone000001"]);
    for (const m of list) expectIncident(m, "maintenance");
    expect(list[2]).toMatchObject({ status: "completed", impact: "maintenance", scheduled_for: "2026-03-10T01:00:00.000Z", scheduled_until: null });
  });

  test("upcoming.json only scheduled, active.json only in progress / verifying", () => {
    const upcoming: Json[] = doc("api/v2/scheduled-maintenances/upcoming.json").scheduled_maintenances;
    const active: Json[] = doc("api/v2/scheduled-maintenances/active.json").scheduled_maintenances;
    expect(upcoming.map((m) => [m.id, m.status])).toEqual([["mtupcoming01", "scheduled"]]);
    expect(active.map((m) => [m.id, m.status])).toEqual([["mtactive0001", "in_progress"]]);
    for (const m of [...upcoming, ...active]) expectIncident(m, "maintenance");
    expect(active[0]).toMatchObject({ scheduled_for: "2026-03-29T11:00:00.000Z", scheduled_until: "2026-03-29T13:00:00.000Z" });
  });

  test("summary.json: in-progress then upcoming maintenances, never completed ones", () => {
    const list: Json[] = doc("api/v2/summary.json").scheduled_maintenances;
    expect(list.map((m) => m.id)).toEqual(["mtactive0001", "mtupcoming01"]);
    for (const m of list) expectIncident(m, "maintenance");
  });

  test("a maintenance affecting a group carries the group row with its child ids", () => {
    const m = doc("api/v2/scheduled-maintenances/upcoming.json").scheduled_maintenances[0];
    expect(m.components).toHaveLength(1);
    expect(m.components[0]).toMatchObject({ id: CORE, group: true, components: [API, DB] });
  });

  test("active and upcoming lists are soonest first", () => {
    const m = (id: string, start: string) =>
      incident({ id, kind: "maintenance", name: id, scheduledFor: start, scheduledUntil: at(start, 60) }, [["scheduled", "2026-03-01T00:00:00.000Z"]]);
    const d = statuspageDocuments(
      snapshot({ upcomingMaintenances: [m("mtlater00001", "2026-05-01T00:00:00.000Z"), m("mtsooner0001", "2026-04-01T00:00:00.000Z")] }),
    ) as Record<string, Json>;
    expect(d["api/v2/scheduled-maintenances/upcoming.json"]!.scheduled_maintenances.map((x: Json) => x.id)).toEqual(["mtsooner0001", "mtlater00001"]);
  });
});

describe("limits and empty pages", () => {
  test("incidents.json keeps the 50 most recent of 60, newest first", () => {
    const many = Array.from({ length: 60 }, (_, n) =>
      incident({ id: fid("in", n), name: `Incident ${n}`, status: "resolved" }, [["resolved", at("2026-01-01T00:00:00.000Z", n * 60)]]),
    );
    // Shuffled input: the module picks and orders by itself.
    const shuffled = [...many.filter((_, n) => n % 2), ...many.filter((_, n) => n % 2 === 0)];
    const d = statuspageDocuments(snapshot({ latestIncidents: shuffled })) as Record<string, Json>;
    const list: Json[] = d["api/v2/incidents.json"]!.incidents;
    expect(STATUSPAGE_LIST_LIMIT).toBe(50);
    expect(list).toHaveLength(50);
    expect(list.map((i) => i.id)).toEqual(Array.from({ length: 50 }, (_, k) => fid("in", 59 - k)));
    for (const i of list) expectIncident(i, "incident");
  });

  test("scheduled-maintenances.json keeps the 50 latest of 60", () => {
    const many = Array.from({ length: 60 }, (_, n) => {
      const start = at("2026-01-01T00:00:00.000Z", n * 1440);
      return incident(
        { id: fid("mt", n), kind: "maintenance", name: `Maintenance ${n}`, status: "completed", scheduledFor: start, scheduledUntil: at(start, 60) },
        [["completed", at(start, 60)]],
      );
    });
    const d = statuspageDocuments(snapshot({ latestMaintenances: [...many.slice(30), ...many.slice(0, 30)] })) as Record<string, Json>;
    const list: Json[] = d["api/v2/scheduled-maintenances.json"]!.scheduled_maintenances;
    expect(list).toHaveLength(50);
    expect(list.map((m) => m.id)).toEqual(Array.from({ length: 50 }, (_, k) => fid("mt", 59 - k)));
  });

  test("an empty page: every list present and empty, never missing", () => {
    const d = statuspageDocuments(snapshot()) as Record<string, Json>;
    expect(d["api/v2/summary.json"]).toEqual({
      page: { id: PAGE_ID, name: "Acme", url: PAGE_URL, time_zone: "Etc/UTC", updated_at: "2026-03-29T12:00:00.000Z" },
      components: [],
      incidents: [],
      scheduled_maintenances: [],
      status: { indicator: "none", description: "All Systems Operational" },
    });
    for (const [path, keys] of Object.entries(TOP_LEVEL_KEYS)) {
      for (const key of keys.filter((k) => k !== "page" && k !== "status")) expect(d[path]![key], `${path} ${key}`).toEqual([]);
    }
  });
});
