/**
 * Idempotency-Key: a retried request returns the first response and writes nothing twice;
 * the same key with a different request is a 409; keys belong to the API key that used them;
 * concurrent retries still write exactly once; malformed keys are a 400.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { snapshotDatabase, startTestHerald, type TestHerald, expectJson as ok, expectProblem as problem } from "./harness.ts";

type Json = Record<string, any>;
const V = "/api/v1";

let h: TestHerald;
const fx: Record<string, string> = {};

function fill(text: string): string {
  return text.replace(/@\{(\w+)\}/g, (_, name: string) => {
    const value = fx[name];
    if (value === undefined) throw new Error(`unknown placeholder @{${name}}`);
    return value;
  });
}

interface Req {
  method: string;
  path: string;
  body?: unknown;
  /** Sent verbatim instead of `body`. */
  raw?: string;
}

async function send(r: Req, key: string | undefined, token: string = h.tokens.admin): Promise<Response> {
  const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
  if (key !== undefined) headers["Idempotency-Key"] = key;
  let body: string | undefined;
  if (r.raw !== undefined) body = fill(r.raw);
  else if (r.body !== undefined) body = fill(JSON.stringify(r.body));
  if (body !== undefined) headers["Content-Type"] = "application/json";
  return h.app.request(fill(r.path), { method: r.method, headers, body });
}

async function count(sql: string, args: string[] = []): Promise<number> {
  const result = await h.db.client.execute({ sql, args: args.map(fill) });
  return Number(result.rows[0]!.n);
}

interface ReplayCase extends Req {
  label: string;
  status: number;
  /** Rows that exactly one execution of the request writes. */
  counts: Array<{ sql: string; args: string[] }>;
}

/** One row per write route; each uses its own fixture so the counts are exact. */
const REPLAYS: ReplayCase[] = [
  {
    label: "create component", method: "POST", path: `${V}/components`, body: { name: "Idem component", group: "Idem group" }, status: 201,
    counts: [
      { sql: "SELECT count(*) AS n FROM components WHERE name = ?", args: ["Idem component"] },
      { sql: "SELECT count(*) AS n FROM components WHERE name = ? AND is_group = 1", args: ["Idem group"] },
      { sql: "SELECT count(*) AS n FROM audit_log WHERE action = 'component.create' AND details LIKE ?", args: ["%Idem component%"] },
    ],
  },
  {
    label: "update component", method: "PATCH", path: `${V}/components/@{patchComponent}`, body: { status: "major_outage" }, status: 200,
    counts: [
      { sql: "SELECT count(*) AS n FROM component_status_changes WHERE component_id = ? AND new_status = 'major_outage'", args: ["@{patchComponent}"] },
      { sql: "SELECT count(*) AS n FROM audit_log WHERE action = 'component.update' AND entity_id = ?", args: ["@{patchComponent}"] },
    ],
  },
  {
    label: "declare incident", method: "POST", path: `${V}/incidents`, body: { name: "Idem incident", severity: "SEV2", body: "Idem first update.", components: { "@{incidentComponent}": "partial_outage" } }, status: 201,
    counts: [
      { sql: "SELECT count(*) AS n FROM incidents WHERE name = ?", args: ["Idem incident"] },
      { sql: "SELECT count(*) AS n FROM incident_updates WHERE body = ?", args: ["Idem first update."] },
      { sql: "SELECT count(*) AS n FROM component_status_changes WHERE component_id = ? AND new_status = 'partial_outage'", args: ["@{incidentComponent}"] },
      { sql: "SELECT count(*) AS n FROM audit_log WHERE action = 'incident.create' AND details LIKE ?", args: ["%Idem incident%"] },
    ],
  },
  {
    label: "patch incident", method: "PATCH", path: `${V}/incidents/@{patchIncident}`, body: { name: "Idem renamed", severity: "SEV1" }, status: 200,
    counts: [{ sql: "SELECT count(*) AS n FROM audit_log WHERE action = 'incident.patch' AND entity_id = ?", args: ["@{patchIncident}"] }],
  },
  {
    label: "incident update", method: "POST", path: `${V}/incidents/@{updateIncident}/updates`, body: { status: "identified", body: "Idem incident update." }, status: 201,
    counts: [
      { sql: "SELECT count(*) AS n FROM incident_updates WHERE incident_id = ? AND body = ?", args: ["@{updateIncident}", "Idem incident update."] },
      { sql: "SELECT count(*) AS n FROM audit_log WHERE action = 'incident.update' AND entity_id = ?", args: ["@{updateIncident}"] },
    ],
  },
  {
    label: "schedule maintenance", method: "POST", path: `${V}/maintenances`,
    body: { name: "Idem maintenance", body: "Idem planned.", scheduled_for: "2030-01-01T10:00:00Z", scheduled_until: "2030-01-01T11:00:00Z", component_ids: ["@{incidentComponent}"] }, status: 201,
    counts: [
      { sql: "SELECT count(*) AS n FROM incidents WHERE name = ? AND kind = 'maintenance'", args: ["Idem maintenance"] },
      { sql: "SELECT count(*) AS n FROM incident_updates WHERE body = ?", args: ["Idem planned."] },
    ],
  },
  {
    label: "maintenance update", method: "POST", path: `${V}/maintenances/@{updateMaintenance}/updates`, body: { status: "in_progress", body: "Idem started." }, status: 201,
    counts: [
      { sql: "SELECT count(*) AS n FROM incident_updates WHERE incident_id = ? AND body = ?", args: ["@{updateMaintenance}", "Idem started."] },
      { sql: "SELECT count(*) AS n FROM audit_log WHERE action = 'maintenance.update' AND entity_id = ?", args: ["@{updateMaintenance}"] },
    ],
  },
  {
    label: "revoke key", method: "DELETE", path: `${V}/keys/@{revokeKey}`, status: 200,
    counts: [{ sql: "SELECT count(*) AS n FROM audit_log WHERE action = 'key.revoke' AND entity_id = ?", args: ["@{revokeKey}"] }],
  },
];

beforeAll(async () => {
  h = await startTestHerald();
  const make = async (r: Req, status = 201) => (await ok(await send(r, undefined), status)) as Json;
  fx.patchComponent = (await make({ method: "POST", path: `${V}/components`, body: { name: "Patch target" } })).id;
  fx.incidentComponent = (await make({ method: "POST", path: `${V}/components`, body: { name: "Incident target" } })).id;
  fx.patchIncident = (await make({ method: "POST", path: `${V}/incidents`, body: { name: "Patch incident", severity: "SEV3", body: "x" } })).id;
  fx.updateIncident = (await make({ method: "POST", path: `${V}/incidents`, body: { name: "Update incident", severity: "SEV3", body: "x" } })).id;
  fx.otherIncident = (await make({ method: "POST", path: `${V}/incidents`, body: { name: "Other incident", severity: "SEV3", body: "x" } })).id;
  fx.updateMaintenance = (await make({
    method: "POST", path: `${V}/maintenances`,
    body: { name: "Update maintenance", body: "x", scheduled_for: "2030-01-01T10:00:00Z", scheduled_until: "2030-01-01T11:00:00Z", component_ids: [] },
  })).id;
  fx.revokeKey = (await make({ method: "POST", path: `${V}/keys`, body: { name: "To revoke", role: "comms" } })).id;
});
afterAll(async () => h.close());

describe("a retried request returns the first response and writes nothing twice", () => {
  test.each(REPLAYS)("$method $label", async (r) => {
    const key = `replay-${r.label.replace(/\s/g, "-")}`;
    const changes = h.changes.length;
    const first = await send(r, key);
    const firstText = await first.text();
    expect(first.status, firstText.slice(0, 300)).toBe(r.status);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    for (const c of r.counts) expect(await count(c.sql, c.args), c.sql).toBe(1);
    const afterFirst = await snapshotDatabase(h.db);
    const changesAfterFirst = h.changes.length;

    for (let attempt = 0; attempt < 2; attempt++) {
      const again = await send(r, key);
      const againText = await again.text();
      expect(again.status).toBe(first.status);
      expect(again.headers.get("idempotent-replayed")).toBe("true");
      expect(again.headers.get("content-type")).toBe(first.headers.get("content-type"));
      expect(againText).toBe(firstText);
    }
    for (const c of r.counts) expect(await count(c.sql, c.args), c.sql).toBe(1);
    expect(await snapshotDatabase(h.db), "a replay wrote to the database").toBe(afterFirst);
    expect(h.changes.length, "a replay announced a change").toBe(changesAfterFirst);
    expect(changesAfterFirst - changes).toBeLessThanOrEqual(1);
  });

  test("exactly one incident and one update exist, counted through the API too", async () => {
    const list = (await ok(await send({ method: "GET", path: `${V}/incidents?limit=100` }, undefined), 200)) as Json[];
    const mine = list.filter((i) => i.name === "Idem incident");
    expect(mine).toHaveLength(1);
    expect(mine[0]!.incident_updates).toHaveLength(1);
    const updated = (await ok(await send({ method: "GET", path: `${V}/incidents/${fx.updateIncident}` }, undefined), 200)) as Json;
    expect(updated.incident_updates.map((u: Json) => u.body)).toEqual(["Idem incident update.", "x"]);
    const maintenance = (await ok(await send({ method: "GET", path: `${V}/maintenances/${fx.updateMaintenance}` }, undefined), 200)) as Json;
    expect(maintenance.incident_updates.map((u: Json) => u.status)).toEqual(["in_progress", "scheduled"]);
  });

  test("the replay is the FIRST response, even after the resource has changed since", async () => {
    const r: Req = { method: "POST", path: `${V}/incidents`, body: { name: "Replay snapshot", severity: "SEV3", body: "First." } };
    const firstText = await (await send(r, "replay-then-change")).text();
    const first = JSON.parse(firstText) as Json;
    await ok(await send({ method: "POST", path: `${V}/incidents/${first.id}/updates`, body: { status: "resolved", body: "Done." } }, undefined), 201);
    const again = await send(r, "replay-then-change");
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await again.text()).toBe(firstText);
    expect(first.status).toBe("investigating");
  });

  test("a key that was answered with a 4xx is not burned: the corrected request goes through", async () => {
    const before = await snapshotDatabase(h.db);
    await problem(await send({ method: "POST", path: `${V}/incidents`, body: { name: "Fixed later", severity: "SEV9", body: "x" } }, "fix-and-retry"), 422);
    expect(await snapshotDatabase(h.db)).toBe(before);
    const res = await send({ method: "POST", path: `${V}/incidents`, body: { name: "Fixed later", severity: "SEV3", body: "x" } }, "fix-and-retry");
    expect(res.status).toBe(201);
    expect(res.headers.get("idempotent-replayed")).toBeNull();
    expect(await count("SELECT count(*) AS n FROM incidents WHERE name = 'Fixed later'")).toBe(1);
  });

  test("POST /keys retried with the same key creates one key", async () => {
    const r: Req = { method: "POST", path: `${V}/keys`, body: { name: "Idem key", role: "comms" } };
    const first = (await ok(await send(r, "mint-once"), 201)) as Json;
    const again = await send(r, "mint-once");
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(((await again.json()) as Json).id).toBe(first.id);
    expect(await count("SELECT count(*) AS n FROM api_keys WHERE name = 'Idem key'")).toBe(1);
  });
});

describe("the same key for a different request is a conflict", () => {
  const BASE: Req = { method: "POST", path: `${V}/incidents/@{otherIncident}/updates`, body: { status: "identified", body: "Conflict base." } };

  const CONFLICTS: Array<{ label: string; req: Req }> = [
    { label: "different body text", req: { ...BASE, body: { status: "identified", body: "Conflict base, edited." } } },
    { label: "different status", req: { ...BASE, body: { status: "monitoring", body: "Conflict base." } } },
    { label: "an extra optional field", req: { ...BASE, body: { status: "identified", body: "Conflict base.", deliver_notifications: false } } },
    { label: "same body, another incident", req: { ...BASE, path: `${V}/incidents/@{updateIncident}/updates` } },
    { label: "same key on another route", req: { method: "POST", path: `${V}/incidents`, body: { name: "Conflict", severity: "SEV3", body: "Conflict base." } } },
    { label: "same key on a PATCH", req: { method: "PATCH", path: `${V}/incidents/@{otherIncident}`, body: { name: "Conflict" } } },
    { label: "same key on a revoke", req: { method: "DELETE", path: `${V}/keys/@{revokeKey}` } },
  ];

  beforeAll(async () => {
    await ok(await send(BASE, "conflict-key"), 201);
  });

  test.each(CONFLICTS)("$label → 409, nothing written", async ({ req }) => {
    const before = await snapshotDatabase(h.db);
    const changes = h.changes.length;
    const body = await problem(await send(req, "conflict-key"), 409);
    expect(body.detail).toMatch(/Idempotency-Key/i);
    expect(await snapshotDatabase(h.db)).toBe(before);
    expect(h.changes.length).toBe(changes);
  });

  test("the original request still replays after the conflicts", async () => {
    const res = await send(BASE, "conflict-key");
    expect(res.status).toBe(201);
    expect(res.headers.get("idempotent-replayed")).toBe("true");
    expect(await count("SELECT count(*) AS n FROM incident_updates WHERE body = 'Conflict base.'")).toBe(1);
  });
});

describe("keys belong to the API key that used them", () => {
  test("the same Idempotency-Key from two API keys makes two independent incidents", async () => {
    const r: Req = { method: "POST", path: `${V}/incidents`, body: { name: "Two callers", severity: "SEV3", body: "Same key, two keys." } };
    const asAdmin = await send(r, "shared-key", h.tokens.admin);
    const asComms = await send(r, "shared-key", h.tokens.comms);
    expect(asAdmin.status).toBe(201);
    expect(asComms.status).toBe(201);
    expect(asAdmin.headers.get("idempotent-replayed")).toBeNull();
    expect(asComms.headers.get("idempotent-replayed")).toBeNull();
    const a = (await asAdmin.json()) as Json;
    const c = (await asComms.json()) as Json;
    expect(a.id).not.toBe(c.id);
    expect(a.incident_updates[0].author).toBe("Ada Admin");
    expect(c.incident_updates[0].author).toBe("Cole Comms");
    expect(await count("SELECT count(*) AS n FROM incidents WHERE name = 'Two callers'")).toBe(2);

    // Each caller's retry replays its own first response.
    const adminAgain = await send(r, "shared-key", h.tokens.admin);
    expect(adminAgain.headers.get("idempotent-replayed")).toBe("true");
    expect(((await adminAgain.json()) as Json).id).toBe(a.id);
    const commsAgain = await send(r, "shared-key", h.tokens.comms);
    expect(commsAgain.headers.get("idempotent-replayed")).toBe("true");
    expect(((await commsAgain.json()) as Json).id).toBe(c.id);
    expect(await count("SELECT count(*) AS n FROM incidents WHERE name = 'Two callers'")).toBe(2);
  });

  test("one caller's key does not conflict with another caller's different request", async () => {
    await ok(await send({ method: "POST", path: `${V}/incidents`, body: { name: "Caller A", severity: "SEV4", body: "a" } }, "per-caller", h.tokens.admin), 201);
    await ok(await send({ method: "POST", path: `${V}/incidents`, body: { name: "Caller B", severity: "SEV4", body: "b" } }, "per-caller", h.tokens.comms), 201);
  });

  test("keys are compared exactly: differently-cased keys are different requests", async () => {
    const r: Req = { method: "POST", path: `${V}/components`, body: { name: "Case sensitive" } };
    await ok(await send(r, "CaseKey"), 201);
    const lower = await send(r, "casekey");
    expect(lower.status).toBe(201);
    expect(lower.headers.get("idempotent-replayed")).toBeNull();
    expect(await count("SELECT count(*) AS n FROM components WHERE name = 'Case sensitive'")).toBe(2);
  });
});

describe("concurrent retries", () => {
  const CONCURRENT: Array<{ label: string; req: Req; status: number; count: { sql: string; args: string[] } }> = [
    {
      label: "declare incident",
      req: { method: "POST", path: `${V}/incidents`, body: { name: "Stampede", severity: "SEV1", body: "Twenty at once." } },
      status: 201,
      count: { sql: "SELECT count(*) AS n FROM incidents WHERE name = ?", args: ["Stampede"] },
    },
    {
      label: "incident update",
      req: { method: "POST", path: `${V}/incidents/@{otherIncident}/updates`, body: { status: "monitoring", body: "Stampede update." } },
      status: 201,
      count: { sql: "SELECT count(*) AS n FROM incident_updates WHERE body = ?", args: ["Stampede update."] },
    },
    {
      label: "create component",
      req: { method: "POST", path: `${V}/components`, body: { name: "Stampede component" } },
      status: 201,
      count: { sql: "SELECT count(*) AS n FROM components WHERE name = ?", args: ["Stampede component"] },
    },
  ];

  test.each(CONCURRENT)("20 identical $label requests with one key → one row, one body", async ({ label, req, status, count: c }) => {
    const key = `stampede-${label.replace(/\s/g, "-")}`;
    const responses = await Promise.all(Array.from({ length: 20 }, () => send(req, key)));
    const texts = await Promise.all(responses.map((r) => r.text()));
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(status));
    expect(new Set(texts).size).toBe(1);
    expect(responses.filter((r) => r.headers.get("idempotent-replayed") === "true")).toHaveLength(19);
    expect(await count(c.sql, c.args)).toBe(1);
    expect(await count("SELECT count(*) AS n FROM idempotency_keys WHERE key = ?", [key])).toBe(1);
  });

  test("two different bodies racing on one key → one 201, one 409, one row", async () => {
    const make = (name: string): Req => ({ method: "POST", path: `${V}/incidents`, body: { name, severity: "SEV2", body: "Race." } });
    const [a, b] = await Promise.all([send(make("Race A"), "race-key"), send(make("Race B"), "race-key")]);
    expect([a!.status, b!.status].sort()).toEqual([201, 409]);
    const loser = a!.status === 409 ? a! : b!;
    expect(loser.headers.get("content-type") ?? "").toMatch(/^application\/problem\+json/);
    expect(await count("SELECT count(*) AS n FROM incidents WHERE name IN ('Race A', 'Race B')")).toBe(1);
  });

  test("20 concurrent requests with 20 different keys → 20 rows", async () => {
    const req: Req = { method: "POST", path: `${V}/components`, body: { name: "Twenty distinct" } };
    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => send(req, `distinct-${i}`)));
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(201));
    expect(responses.filter((r) => r.headers.get("idempotent-replayed") !== null)).toHaveLength(0);
    expect(await count("SELECT count(*) AS n FROM components WHERE name = 'Twenty distinct'")).toBe(20);
  });
});

describe("malformed Idempotency-Key → 400, nothing written", () => {
  const ROUTES: Req[] = [
    { method: "POST", path: `${V}/incidents`, body: { name: "Bad key", severity: "SEV3", body: "x" } },
    { method: "POST", path: `${V}/incidents/@{otherIncident}/updates`, body: { status: "monitoring", body: "Bad key." } },
    { method: "POST", path: `${V}/components`, body: { name: "Bad key" } },
    { method: "PATCH", path: `${V}/components/@{patchComponent}`, body: { status: "degraded_performance" } },
    { method: "POST", path: `${V}/maintenances`, body: { name: "Bad key", body: "x", scheduled_for: "2030-01-01T10:00:00Z", scheduled_until: "2030-01-01T11:00:00Z", component_ids: [] } },
    { method: "POST", path: `${V}/keys`, body: { name: "Bad key", role: "comms" } },
  ];
  const BAD_KEYS: Array<[string, string]> = [
    ["empty", ""],
    ["only spaces (empty once trimmed)", "    "],
    ["256 characters", "k".repeat(256)],
    ["300 characters", "k".repeat(300)],
    ["contains a space", "retry key 1"],
    ["contains a tab", "retry\tkey"],
    ["non-ASCII é", "clé-1"],
    ["non-ASCII ü and ß", "grüße"],
    ["DEL character", "key\x7f1"],
  ];
  const CASES = BAD_KEYS.flatMap(([label, key]) => ROUTES.map((req) => ({ label, key, req })));

  test.each(CASES)("$label on $req.method $req.path", async ({ key, req }) => {
    const before = await snapshotDatabase(h.db);
    const changes = h.changes.length;
    const body = await problem(await send(req, key), 400);
    expect(body.detail).toMatch(/Idempotency-Key/);
    expect(await snapshotDatabase(h.db)).toBe(before);
    expect(h.changes.length).toBe(changes);
  });

  test("the boundaries are accepted: 1 character, 255 characters, a UUID, every visible ASCII character", async () => {
    for (const key of ["k", "k".repeat(255), crypto.randomUUID(), "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"]) {
      const res = await send({ method: "POST", path: `${V}/components`, body: { name: `Key ${key.length}` } }, key);
      expect(res.status, key).toBe(201);
    }
  });
});
