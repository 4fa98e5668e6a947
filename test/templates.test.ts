/**
 * Incident templates through the API (the real Hono app on a real libSQL file) and the CLI
 * (bin/herald.ts as a child process against a real listening server): the two built-in
 * playbook templates, create/show/update/delete, and declaring an incident from a template.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startServer, type RunningServer } from "../api/server.ts";
import { createKey } from "../api/service/keys.ts";
import { insertTemplate } from "../db/queries/templates.ts";
import { expectJson, expectProblem, runHerald, snapshotDatabase, startTestHerald, type TestHerald, testServerConfig } from "./harness.ts";

let h: TestHerald;
let api: string;
let database: string;

beforeAll(async () => {
  h = await startTestHerald();
  api = (await expectJson(await h.call("POST", "/api/v1/components", { body: { name: "API", group: "Core" } }), 201)).id;
  database = (await expectJson(await h.call("POST", "/api/v1/components", { body: { name: "Database", group: "Core" } }), 201)).id;
});
afterAll(async () => {
  await h.close();
});

describe("built-in templates", () => {
  test("the seed's two playbooks are there for every key, with their severities", async () => {
    const list = await expectJson(await h.call("GET", "/api/v1/templates", { token: h.tokens.comms }), 200);
    const builtins = list.filter((t: any) => t.builtin);
    expect(builtins.map((t: any) => [t.slug, t.severity]).sort()).toEqual([["api-latency", "SEV2"], ["database-outage", "SEV1"]]);
    const db = await expectJson(await h.call("GET", "/api/v1/templates/database-outage", { token: h.tokens.comms }), 200);
    expect(db).toEqual({
      slug: "database-outage", name: "Database outage", title: "Database outage", severity: "SEV1",
      body: expect.stringContaining("database"), components: {}, builtin: true,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), updated_at: expect.any(String),
    });
    // Customer words: what is affected, what is being done, and the severity's next-update promise.
    expect(db.body).toMatch(/within 15 minutes/);
    const latency = list.find((t: any) => t.slug === "api-latency");
    expect(latency.body).toMatch(/within 30 minutes/);
  });

  test("an unknown or malformed slug is a 404 problem; no key is a 401", async () => {
    await expectProblem(await h.call("GET", "/api/v1/templates/no-such-thing"), 404);
    await expectProblem(await h.call("GET", "/api/v1/templates/Not_A_Slug"), 404);
    await expectProblem(await h.call("GET", "/api/v1/templates", { token: null }), 401);
  });
});

describe("managing templates", () => {
  test("comms create, change and delete a template; each write is audited", async () => {
    const created = await expectJson(
      await h.call("POST", "/api/v1/templates", {
        token: h.tokens.comms,
        body: { slug: "payments-down", name: "Payments outage", severity: "SEV1", body: "Payments are failing.", components: { [api]: "partial_outage" } },
      }),
      201,
    );
    expect(created).toMatchObject({ slug: "payments-down", title: null, builtin: false, components: { [api]: "partial_outage" } });
    const patched = await expectJson(
      await h.call("PATCH", "/api/v1/templates/payments-down", { token: h.tokens.comms, body: { title: "Payments failing", severity: "SEV2" } }),
      200,
    );
    expect(patched).toMatchObject({ title: "Payments failing", severity: "SEV2", name: "Payments outage", body: "Payments are failing." });
    expect(await expectJson(await h.call("GET", "/api/v1/templates/payments-down"), 200)).toEqual(patched);
    await expectJson(await h.call("DELETE", "/api/v1/templates/payments-down", { token: h.tokens.comms }), 200);
    await expectProblem(await h.call("GET", "/api/v1/templates/payments-down"), 404);
    await expectProblem(await h.call("DELETE", "/api/v1/templates/payments-down"), 404);
    const audit = await h.db.client.execute("SELECT action FROM audit_log WHERE entity_type = 'template' ORDER BY id");
    expect(audit.rows.map((r) => r.action)).toEqual(["template.create", "template.update", "template.delete"]);
  });

  test("bad input is a 4xx problem and changes nothing", async () => {
    const before = await snapshotDatabase(h.db);
    const base = { slug: "x-y", name: "X", severity: "SEV3", body: "Y" };
    const cases: Array<[unknown, number, string]> = [
      [{ ...base, slug: "Bad Slug" }, 422, "slug"],
      [{ ...base, slug: "database-outage" }, 409, "slug"],
      [{ ...base, severity: "SEV9" }, 422, "severity"],
      [{ ...base, components: { zzzzzzzzzzzz: "major_outage" } }, 422, "components.zzzzzzzzzzzz"],
      [{ ...base, components: { [api]: "on_fire" } }, 422, `components.${api}`],
      [{ ...base, stauts: "x" }, 422, "stauts"],
      [{ ...base, name: "" }, 422, "name"],
    ];
    for (const [body, status, field] of cases) {
      const problem = await expectProblem(await h.call("POST", "/api/v1/templates", { body }), status);
      expect(problem.errors.map((e: any) => e.field)).toContain(field);
    }
    // A group is not a component a template can set.
    const group = (await expectJson(await h.call("GET", "/api/v1/components"), 200)).find((c: any) => c.group).id;
    await expectProblem(await h.call("POST", "/api/v1/templates", { body: { ...base, components: { [group]: "major_outage" } } }), 422);
    await expectProblem(await h.call("PATCH", "/api/v1/templates/database-outage", { body: {} }), 422);
    await expectProblem(await h.call("PATCH", "/api/v1/templates/database-outage", { body: { slug: "renamed" } }), 422);
    expect(await snapshotDatabase(h.db), "the database changed").toBe(before);
  });
});

describe("declaring an incident from a template", () => {
  test("the template fills everything the request leaves out", async () => {
    await expectJson(
      await h.call("PATCH", "/api/v1/templates/database-outage", { token: h.tokens.comms, body: { components: { [database]: "major_outage" } } }),
      200,
    );
    const incident = await expectJson(await h.call("POST", "/api/v1/incidents", { token: h.tokens.comms, body: { template: "database-outage" } }), 201);
    const template = await expectJson(await h.call("GET", "/api/v1/templates/database-outage"), 200);
    expect(incident).toMatchObject({ name: "Database outage", severity: "SEV1", impact: "critical", status: "investigating" });
    expect(incident.incident_updates[0].body).toBe(template.body);
    expect(incident.incident_updates[0].affected_components).toEqual([{ code: database, name: "Database", old_status: "operational", new_status: "major_outage" }]);
    const audit = await h.db.client.execute({ sql: "SELECT details FROM audit_log WHERE action = 'incident.create' AND entity_id = ?", args: [incident.id] });
    expect(JSON.parse(String(audit.rows[0]!.details))).toMatchObject({ template: "database-outage" });
  });

  test("explicit fields win; explicit components replace the template's", async () => {
    const incident = await expectJson(
      await h.call("POST", "/api/v1/incidents", {
        body: { template: "database-outage", name: "EU replica lagging", severity: "SEV3", body: "Reads in the EU may be stale.", components: { [api]: "degraded_performance" } },
      }),
      201,
    );
    expect(incident).toMatchObject({ name: "EU replica lagging", severity: "SEV3", impact: "minor" });
    expect(incident.incident_updates[0].body).toBe("Reads in the EU may be stale.");
    expect(incident.incident_updates[0].affected_components.map((a: any) => a.code)).toEqual([api]);
  });

  test("an unknown template, a template naming components that are gone, or no template and no fields: 422, nothing changes", async () => {
    await h.db.write((tx) =>
      insertTemplate(tx, {
        slug: "stale", name: "Stale", title: null, severity: "SEV2", body: "Old words.", components: { [api]: "partial_outage", gone0000gone: "major_outage" },
        builtin: false, createdAt: new Date().toISOString(), updatedAt: new Date().toISOString(),
      }),
    );
    const before = await snapshotDatabase(h.db);
    const unknown = await expectProblem(await h.call("POST", "/api/v1/incidents", { body: { template: "no-such-template" } }), 422);
    expect(unknown.errors).toEqual([{ field: "template", message: expect.stringContaining("no-such-template") }]);
    const stale = await expectProblem(await h.call("POST", "/api/v1/incidents", { body: { template: "stale" } }), 422);
    expect(stale.detail).toMatch(/Template "stale" names components that no longer exist \(gone0000gone\)/);
    const bare = await expectProblem(await h.call("POST", "/api/v1/incidents", { body: { body: "Something." } }), 422);
    expect(bare.errors.map((e: any) => e.field).sort()).toEqual(["name", "severity"]);
    await expectProblem(await h.call("POST", "/api/v1/incidents", { body: { template: "../etc" } }), 422);
    expect(await snapshotDatabase(h.db), "the database changed").toBe(before);
    // Naming the components explicitly sidesteps the stale ones.
    await expectJson(await h.call("POST", "/api/v1/incidents", { body: { template: "stale", components: { [api]: "partial_outage" } } }), 201);
  });

  test("the OpenAPI document describes the template routes with a slug parameter", async () => {
    const doc = await expectJson(await h.call("GET", "/api/v1/openapi.json"), 200);
    expect(Object.keys(doc.paths["/templates/{slug}"]).sort()).toEqual(["delete", "get", "patch"]);
    expect(doc.paths["/templates/{slug}"].get.parameters[0].schema.pattern).toBe("^[a-z0-9]+(?:-[a-z0-9]+)*$");
    expect(doc.paths["/incidents"].post.requestBody.content["application/json"].schema.properties.template).toBeDefined();
  });
});

describe("the CLI", { timeout: 60_000 }, () => {
  let dir: string;
  let server: RunningServer;
  let token: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "herald-templates-cli-"));
    server = await startServer(testServerConfig(dir), {
      hostname: "127.0.0.1",
      log: () => {},
      env: { HERALD_SECRET: "templates-test-secret-0123456789abcdefghij" },
    });
    await server.ready;
    token = await server.deps!.db.write(async (tx) => (await createKey({ tx, actor: { id: null, name: "test", role: "admin" }, now: new Date().toISOString(), hooks: {} }, "Cole", "comms")).token);
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const herald = (args: string[]) => runHerald(args, { PATH: process.env.PATH ?? "", HERALD_URL: server.url, HERALD_TOKEN: token });

  test("template list shows the built-in playbooks; show prints one", async () => {
    const list = await herald(["template", "list"]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^SLUG\s+SEV\s+COMPONENTS\s+NAME\n/);
    expect(list.stdout).toMatch(/api-latency\s+SEV2\s+0\s+API latency degradation \(built-in\)/);
    expect(list.stdout).toMatch(/database-outage\s+SEV1\s+0\s+Database outage \(built-in\)/);
    const show = await herald(["template", "show", "database-outage"]);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/^template database-outage "Database outage" \(built-in\) — SEV1\nincident title: Database outage\n\n    We are investigating a database outage/);
  });

  test("template add, incident create --template (explicit title wins), template rm", async () => {
    const added = await herald(["template", "add", "payments-down", "--name", "Payments outage", "--severity", "sev1", "--body", "Payments are failing; we are investigating.", "--title", "Payments down"]);
    expect(added).toEqual({ code: 0, stdout: 'Added template payments-down "Payments outage" — SEV1\nUse it with: herald incident create --template payments-down\n', stderr: "" });
    const fromTemplate = await herald(["incident", "create", "--template", "payments-down"]);
    expect(fromTemplate.code, fromTemplate.stderr).toBe(0);
    expect(fromTemplate.stdout).toMatch(/^Declared SEV1 incident [0-9a-z]{12} "Payments down" — investigating\n/);
    const overridden = await herald(["incident", "create", "SEV2", "Card payments slow", "--template", "payments-down"]);
    expect(overridden.stdout).toMatch(/^Declared SEV2 incident [0-9a-z]{12} "Card payments slow" — investigating\n/);
    const builtin = await herald(["incident", "create", "--template", "database-outage", "--json"]);
    expect(JSON.parse(builtin.stdout)).toMatchObject({ name: "Database outage", severity: "SEV1" });

    const removed = await herald(["template", "rm", "payments-down"]);
    expect(removed).toEqual({ code: 0, stdout: 'Deleted template payments-down "Payments outage"\n', stderr: "" });
    const gone = await herald(["incident", "create", "--template", "payments-down"]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toBe('herald: No incident template "payments-down".\n');
    const missing = await herald(["template", "add", "x"]);
    expect(missing).toEqual({ code: 2, stdout: "", stderr: 'herald: missing --name "…" (what the template is for)\n' });
  });
});
