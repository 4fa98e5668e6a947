/**
 * Authentication and roles: who may call what, what a refused caller sees, and that API keys
 * exist only as hashes (never as tokens) in the database and in responses.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { snapshotDatabase, startTestHerald, type TestHerald, expectJson as json, expectProblem as problem } from "./harness.ts";

type Json = Record<string, any>;
const V = "/api/v1";

let h: TestHerald;
const fx: Record<string, string> = {};

/** `hk_<id>_<secret>` → its parts. */
function parts(token: string): { id: string; secret: string } {
  const match = /^hk_([0-9a-z]{12})_([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) throw new Error(`not a Herald token: ${token}`);
  return { id: match[1]!, secret: match[2]! };
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** Every text value of every row of every table, for searching. */
async function allStoredText(): Promise<string[]> {
  const tables = await h.db.client.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
  const out: string[] = [];
  for (const t of tables.rows) {
    const rows = await h.db.client.execute(`SELECT * FROM "${String(t.name).replace(/"/g, '""')}"`);
    for (const row of rows.rows) {
      for (const value of Object.values(row)) {
        if (typeof value === "string") out.push(`${String(t.name)}: ${value}`);
        else if (value instanceof ArrayBuffer) out.push(`${String(t.name)}: ${Buffer.from(value).toString("latin1")}`);
      }
    }
  }
  return out;
}

interface RouteCall {
  label: string;
  method: string;
  path: string;
  body?: unknown;
}

/** One valid call per route; placeholders @{…} are filled from the fixtures. */
const READS: RouteCall[] = [
  { label: "list components", method: "GET", path: `${V}/components` },
  { label: "list incidents", method: "GET", path: `${V}/incidents` },
  { label: "list open incidents", method: "GET", path: `${V}/incidents?status=open&limit=5` },
  { label: "one incident", method: "GET", path: `${V}/incidents/@{incident}` },
  { label: "list maintenances", method: "GET", path: `${V}/maintenances` },
  { label: "one maintenance", method: "GET", path: `${V}/maintenances/@{maintenance}` },
];

const COMMS_WRITES: RouteCall[] = [
  { label: "declare an incident", method: "POST", path: `${V}/incidents`, body: { name: "Comms incident", severity: "SEV2", body: "Looking.", components: { "@{component}": "partial_outage" } } },
  { label: "rename an incident", method: "PATCH", path: `${V}/incidents/@{incident}`, body: { name: "Renamed by role test", severity: "SEV1" } },
  { label: "post an incident update", method: "POST", path: `${V}/incidents/@{incident}/updates`, body: { status: "identified", body: "Found it." } },
  { label: "schedule a maintenance", method: "POST", path: `${V}/maintenances`, body: { name: "Comms maintenance", body: "Work.", scheduled_for: "2030-01-01T10:00:00Z", scheduled_until: "2030-01-01T11:00:00Z", component_ids: ["@{component}"] } },
  { label: "post a maintenance update", method: "POST", path: `${V}/maintenances/@{maintenance}/updates`, body: { status: "in_progress", body: "Started." } },
];

const ADMIN_ONLY: RouteCall[] = [
  { label: "create a component", method: "POST", path: `${V}/components`, body: { name: "Comms may not" } },
  { label: "change a component", method: "PATCH", path: `${V}/components/@{component}`, body: { status: "major_outage" } },
  { label: "move a component into a group", method: "PATCH", path: `${V}/components/@{component}`, body: { group_id: null } },
  { label: "list keys", method: "GET", path: `${V}/keys` },
  { label: "create a key", method: "POST", path: `${V}/keys`, body: { name: "Escalation", role: "admin" } },
  { label: "revoke a key", method: "DELETE", path: `${V}/keys/@{adminKey}` },
  { label: "revoke its own key", method: "DELETE", path: `${V}/keys/@{commsKey}` },
];

const ALL_ROUTES: RouteCall[] = [...READS, ...COMMS_WRITES, ...ADMIN_ONLY];

function fill(text: string): string {
  return text.replace(/@\{(\w+)\}/g, (_, name: string) => {
    const value = fx[name];
    if (value === undefined) throw new Error(`unknown placeholder @{${name}}`);
    return value;
  });
}

async function callAs(token: string | null, r: RouteCall, headers: Record<string, string> = {}): Promise<Response> {
  const init: Record<string, string> = { ...headers };
  if (token !== null) init.Authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (r.body !== undefined) {
    body = fill(JSON.stringify(r.body));
    init["Content-Type"] = "application/json";
  }
  return h.app.request(fill(r.path), { method: r.method, headers: init, body });
}

async function rawAuth(authorization: string | null, r: RouteCall): Promise<Response> {
  const headers: Record<string, string> = {};
  if (authorization !== null) headers.Authorization = authorization;
  let body: string | undefined;
  if (r.body !== undefined) {
    body = fill(JSON.stringify(r.body));
    headers["Content-Type"] = "application/json";
  }
  return h.app.request(fill(r.path), { method: r.method, headers, body });
}

beforeAll(async () => {
  h = await startTestHerald();
  const component = await json(await h.call("POST", `${V}/components`, { body: { name: "Role API", group: "Role Group" } }), 201);
  fx.component = component.id;
  fx.group = component.group_id;
  fx.incident = (await json(await h.call("POST", `${V}/incidents`, { body: { name: "Role incident", severity: "SEV3", body: "Looking." } }), 201)).id;
  fx.maintenance = (await json(await h.call("POST", `${V}/maintenances`, {
    body: { name: "Role maintenance", body: "Work.", scheduled_for: "2030-01-01T10:00:00Z", scheduled_until: "2030-01-01T12:00:00Z", component_ids: [component.id] },
  }), 201)).id;
  fx.adminKey = parts(h.tokens.admin).id;
  fx.commsKey = parts(h.tokens.comms).id;
});
afterAll(async () => h.close());

describe("authentication", () => {
  test.each(ALL_ROUTES)("no Authorization → 401 with WWW-Authenticate: Bearer ($method $label)", async (r) => {
    const before = await snapshotDatabase(h.db);
    const res = await rawAuth(null, r);
    await problem(res, 401);
    expect(res.headers.get("www-authenticate") ?? "").toMatch(/^Bearer\b/);
    expect(await snapshotDatabase(h.db)).toBe(before);
  });

  const BAD_AUTH: Array<[string, (t: { admin: string; comms: string }) => string]> = [
    ["empty header", () => ""],
    ["scheme only", () => "Bearer"],
    ["scheme and spaces", () => "Bearer    "],
    ["Basic auth with the token as password", (t) => `Basic ${Buffer.from(`admin:${t.admin}`).toString("base64")}`],
    ["token without a scheme", (t) => t.admin],
    ["Token scheme", (t) => `Token ${t.admin}`],
    ["two tokens", (t) => `Bearer ${t.admin} ${t.admin}`],
    ["garbage token", () => "Bearer not-a-token"],
    ["prefix only", () => "Bearer hk_"],
    ["id without secret", (t) => `Bearer hk_${parts(t.admin).id}_`],
    ["secret one char short", (t) => `Bearer ${t.admin.slice(0, -1)}`],
    ["secret one char long", (t) => `Bearer ${t.admin}A`],
    ["uppercase id", (t) => `Bearer hk_${parts(t.admin).id.toUpperCase()}_${parts(t.admin).secret}`],
    ["wrong prefix", (t) => `Bearer hx_${parts(t.admin).id}_${parts(t.admin).secret}`],
    ["unknown key id with a real secret", (t) => `Bearer hk_zzzzzzzzzzzz_${parts(t.admin).secret}`],
    ["admin id with the comms secret", (t) => `Bearer hk_${parts(t.admin).id}_${parts(t.comms).secret}`],
    ["right id, wrong secret (last char changed)", (t) => `Bearer ${t.admin.slice(0, -1)}${t.admin.endsWith("A") ? "B" : "A"}`],
    ["right id, secret of zeros", (t) => `Bearer hk_${parts(t.admin).id}_${"0".repeat(43)}`],
    ["the stored hash instead of the secret", (t) => `Bearer hk_${parts(t.admin).id}_${sha256(parts(t.admin).secret).slice(0, 43)}`],
    ["SQL in the token", () => "Bearer hk_'OR'1'='1_" + "a".repeat(43)],
    ["10 KB token", () => `Bearer ${"a".repeat(10_000)}`],
  ];

  test.each(BAD_AUTH)("%s → 401", async (_, make) => {
    for (const r of [READS[0]!, COMMS_WRITES[0]!, ADMIN_ONLY[3]!]) {
      const before = await snapshotDatabase(h.db);
      const res = await rawAuth(make(h.tokens), r);
      await problem(res, 401);
      expect(res.headers.get("www-authenticate") ?? "").toMatch(/^Bearer\b/);
      expect(await snapshotDatabase(h.db)).toBe(before);
    }
  });

  test("the scheme is case-insensitive (RFC 9110): `bearer <token>` works", async () => {
    await json(await rawAuth(`bearer ${h.tokens.comms}`, READS[0]!), 200);
    await json(await rawAuth(`BEARER ${h.tokens.comms}`, READS[0]!), 200);
  });

  test("a revoked key is refused everywhere, and only that key", async () => {
    const created = await json(await h.call("POST", `${V}/keys`, { body: { name: "Soon revoked", role: "comms" } }), 201);
    const token = created.token as string;
    expect(parts(token).id).toBe(created.id);
    await json(await callAs(token, READS[0]!), 200);
    await json(await callAs(token, { label: "", method: "POST", path: `${V}/incidents`, body: { name: "Before revocation", severity: "SEV4", body: "x" } }), 201);

    const revoked = await json(await h.call("DELETE", `${V}/keys/${created.id}`), 200);
    expect(revoked).toMatchObject({ id: created.id, name: "Soon revoked", role: "comms", revoked_at: expect.any(String) });
    expect(revoked).not.toHaveProperty("token");

    for (const r of [...READS, ...COMMS_WRITES]) {
      const before = await snapshotDatabase(h.db);
      const res = await callAs(token, r);
      await problem(res, 401);
      expect(res.headers.get("www-authenticate") ?? "").toMatch(/^Bearer\b/);
      expect(await snapshotDatabase(h.db)).toBe(before);
    }
    // The other keys still work.
    await json(await callAs(h.tokens.comms, READS[0]!), 200);
    await json(await callAs(h.tokens.admin, READS[0]!), 200);
    const keys = (await json(await h.call("GET", `${V}/keys`), 200)) as Json[];
    expect(keys.find((k) => k.id === created.id)?.revoked_at).toEqual(expect.any(String));
  });

  test("revoking leaves a revoked key revoked (a second revoke does not resurrect or re-date it)", async () => {
    const created = await json(await h.call("POST", `${V}/keys`, { body: { name: "Twice revoked", role: "comms" } }), 201);
    const first = await json(await h.call("DELETE", `${V}/keys/${created.id}`), 200);
    h.clock.set("2031-01-01T00:00:00.000Z");
    try {
      const res = await h.call("DELETE", `${V}/keys/${created.id}`);
      expect(res.status).toBeLessThan(500);
      const keys = (await json(await h.call("GET", `${V}/keys`), 200)) as Json[];
      expect(keys.find((k) => k.id === created.id)?.revoked_at).toBe(first.revoked_at);
      await problem(await callAs(created.token as string, READS[0]!), 401);
    } finally {
      h.clock.set(new Date().toISOString());
    }
  });
});

describe("roles", () => {
  test.each(ADMIN_ONLY)("comms → 403 on $method $label, nothing written", async (r) => {
    const before = await snapshotDatabase(h.db);
    const changes = h.changes.length;
    const res = await callAs(h.tokens.comms, r);
    const body = await problem(res, 403);
    expect(body.detail).toMatch(/comms/);
    expect(await snapshotDatabase(h.db)).toBe(before);
    expect(h.changes.length).toBe(changes);
  });

  test("comms is refused before its body is even looked at (403, not 422 or 415)", async () => {
    const before = await snapshotDatabase(h.db);
    await problem(await callAs(h.tokens.comms, { label: "", method: "POST", path: `${V}/components`, body: { bogus: 1 } }), 403);
    const res = await h.app.request(`${V}/keys`, { method: "POST", headers: { Authorization: `Bearer ${h.tokens.comms}`, "Content-Type": "text/plain" }, body: "x" });
    await problem(res, 403);
    expect(await snapshotDatabase(h.db)).toBe(before);
  });

  test("after all those 403s the comms key can still not mint or revoke keys, and the admin key still works", async () => {
    await json(await callAs(h.tokens.admin, ADMIN_ONLY[3]!), 200);
    const keys = (await json(await h.call("GET", `${V}/keys`), 200)) as Json[];
    expect(keys.filter((k) => k.role === "admin" && k.revoked_at === null).map((k) => k.id)).toEqual([fx.adminKey]);
    expect(keys.find((k) => k.id === fx.commsKey)?.revoked_at).toBeNull();
  });

  test.each(COMMS_WRITES)("comms → 2xx on $method $label", async (r) => {
    const res = await callAs(h.tokens.comms, r);
    const body = await json(res, r.method === "PATCH" ? 200 : 201);
    expect(body.id).toMatch(/^[0-9a-z]{12}$/);
  });

  test.each(COMMS_WRITES)("admin → 2xx on $method $label", async (r) => {
    const res = await callAs(h.tokens.admin, r);
    const body = await json(res, r.method === "PATCH" ? 200 : 201);
    expect(body.id).toMatch(/^[0-9a-z]{12}$/);
  });

  test("admin can do everything: components, keys", async () => {
    const made = await json(await callAs(h.tokens.admin, { label: "", method: "POST", path: `${V}/components`, body: { name: "Admin made", group_id: fx.group } }), 201);
    expect(made).toMatchObject({ name: "Admin made", group_id: fx.group });
    const patched = await json(await callAs(h.tokens.admin, { label: "", method: "PATCH", path: `${V}/components/${made.id}`, body: { status: "degraded_performance" } }), 200);
    expect(patched.status).toBe("degraded_performance");
    const key = await json(await callAs(h.tokens.admin, { label: "", method: "POST", path: `${V}/keys`, body: { name: "Second admin", role: "admin" } }), 201);
    expect(key).toMatchObject({ name: "Second admin", role: "admin", revoked_at: null });
    // The new admin key can manage keys too, including revoking itself.
    await json(await callAs(key.token, ADMIN_ONLY[3]!), 200);
    const revoked = await json(await callAs(key.token, { label: "", method: "DELETE", path: `${V}/keys/${key.id}` }), 200);
    expect(revoked.revoked_at).toEqual(expect.any(String));
    await problem(await callAs(key.token, ADMIN_ONLY[3]!), 401);
  });

  test.each(READS)("GET works for both roles: $label", async (r) => {
    const asAdmin = await callAs(h.tokens.admin, r);
    const asComms = await callAs(h.tokens.comms, r);
    expect(asAdmin.status).toBe(200);
    expect(asComms.status).toBe(200);
    expect(asAdmin.headers.get("content-type") ?? "").toMatch(/^application\/json/);
    expect(await asComms.text()).toBe(await asAdmin.text());
  });

  test("only admin lists keys", async () => {
    await json(await callAs(h.tokens.admin, ADMIN_ONLY[3]!), 200);
    await problem(await callAs(h.tokens.comms, ADMIN_ONLY[3]!), 403);
  });
});

describe("secrets", () => {
  const minted: string[] = [];

  beforeAll(async () => {
    // Keys made every way the API offers: with and without an Idempotency-Key, both roles.
    minted.push((await json(await h.call("POST", `${V}/keys`, { body: { name: "Plain admin", role: "admin" } }), 201)).token);
    minted.push((await json(await h.call("POST", `${V}/keys`, { body: { name: "Plain comms", role: "comms" } }), 201)).token);
    minted.push((await json(await h.call("POST", `${V}/keys`, { body: { name: "Idempotent comms", role: "comms" }, headers: { "Idempotency-Key": "mint-key-1" } }), 201)).token);
    // Use them, so any last-used bookkeeping and audit entries exist too.
    for (const token of minted) await json(await callAs(token, READS[0]!), 200);
    await json(await callAs(minted[1]!, COMMS_WRITES[0]!), 201);
  });

  test("POST /keys shows the token once, in the documented shape", () => {
    for (const token of minted) expect(token).toMatch(/^hk_[0-9a-z]{12}_[A-Za-z0-9_-]{43}$/);
  });

  test("no table stores a token's secret part, only its SHA-256", async () => {
    const text = await allStoredText();
    expect(text.length).toBeGreaterThan(10);
    for (const token of [h.tokens.admin, h.tokens.comms, ...minted]) {
      const { id, secret } = parts(token);
      const leaks = text.filter((t) => t.includes(secret));
      expect(leaks.map((t) => t.slice(0, 200)), `secret of key ${id} is stored`).toEqual([]);
      const row = await h.db.client.execute({ sql: "SELECT secret_hash FROM api_keys WHERE id = ?", args: [id] });
      expect(row.rows.map((r) => r.secret_hash)).toEqual([sha256(secret)]);
    }
  });

  test("GET /api/v1/keys never returns a token, a secret or a hash", async () => {
    const res = await h.call("GET", `${V}/keys`);
    const text = await res.text();
    expect(res.status).toBe(200);
    const keys = JSON.parse(text) as Json[];
    expect(keys.length).toBeGreaterThanOrEqual(5);
    for (const key of keys) {
      expect(Object.keys(key).sort()).toEqual(["created_at", "id", "last_used_at", "name", "revoked_at", "role"]);
    }
    for (const token of [h.tokens.admin, h.tokens.comms, ...minted]) {
      const { secret } = parts(token);
      expect(text).not.toContain(secret);
      expect(text).not.toContain(sha256(secret));
    }
    expect(text).not.toMatch(/hk_[0-9a-z]{12}_/);
    expect(text).not.toMatch(/[0-9a-f]{64}/);
  });

  test("refusals never echo the presented token", async () => {
    const wrong = `${h.tokens.admin.slice(0, -4)}ZZZZ`;
    const res = await rawAuth(`Bearer ${wrong}`, READS[0]!);
    const text = await res.text();
    expect(res.status).toBe(401);
    expect(text).not.toContain(parts(h.tokens.admin).id + "_");
    expect(text).not.toContain(wrong);
  });
});

describe("authorship", () => {
  test("the update's author is the name of the key that wrote it", async () => {
    const casey = await h.newKey("comms", "Casey Comms-Lead");
    const incident = await json(await callAs(casey, { label: "", method: "POST", path: `${V}/incidents`, body: { name: "Authored", severity: "SEV3", body: "First." } }), 201);
    expect(incident.incident_updates).toHaveLength(1);
    expect(incident.incident_updates[0].author).toBe("Casey Comms-Lead");

    const next = await json(await callAs(h.tokens.comms, { label: "", method: "POST", path: `${V}/incidents/${incident.id}/updates`, body: { status: "identified", body: "Second." } }), 201);
    expect(next.incident_updates.map((u: Json) => [u.body, u.author])).toEqual([["Second.", "Cole Comms"], ["First.", "Casey Comms-Lead"]]);

    const fetched = await json(await h.call("GET", `${V}/incidents/${incident.id}`), 200);
    expect(fetched.incident_updates.map((u: Json) => u.author)).toEqual(["Cole Comms", "Casey Comms-Lead"]);

    const maintenance = await json(await callAs(casey, { label: "", method: "POST", path: `${V}/maintenances`, body: { name: "Authored work", body: "Planned.", scheduled_for: "2030-02-01T10:00:00Z", scheduled_until: "2030-02-01T11:00:00Z", component_ids: [] } }), 201);
    expect(maintenance.incident_updates[0].author).toBe("Casey Comms-Lead");

    // The audit log records the key's id, not only its display name.
    const audit = await h.db.client.execute({ sql: "SELECT actor_id, actor_name, action FROM audit_log WHERE entity_id = ? ORDER BY id", args: [incident.id] });
    expect(audit.rows.map((r) => [r.actor_id, r.actor_name, r.action])).toEqual([
      [parts(casey).id, "Casey Comms-Lead", "incident.create"],
      [fx.commsKey, "Cole Comms", "incident.update"],
    ]);
  });

  test("a body cannot claim another author", async () => {
    const before = await snapshotDatabase(h.db);
    const res = await callAs(h.tokens.comms, { label: "", method: "POST", path: `${V}/incidents/${fx.incident}/updates`, body: { status: "identified", body: "Spoof", author: "Ada Admin" } });
    await problem(res, 422);
    expect(await snapshotDatabase(h.db)).toBe(before);
  });
});
