/**
 * The OpenAPI document is a contract a machine can hold Herald to. Like a schema-driven fuzzer
 * (Schemathesis), this suite knows nothing but `/api/v1/openapi.json`: for every operation it
 * sends requests generated from the document (fast-check, fixed seed) to a real listening server
 * and checks that
 * - nothing answers 5xx;
 * - a request that matches the schema is accepted with the documented status and a body that
 *   matches the documented response schema, or refused only as the document says it may be:
 *   404 for an unknown resource, 409 for a state conflict, 413 beyond the documented size, 422
 *   naming only fields listed in the operation's `x-herald-rules`;
 * - a request that breaks the schema is refused with a 4xx problem+json, never accepted.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startServer, type RunningServer } from "../api/server.ts";
import { createKey } from "../api/service/keys.ts";
import { testServerConfig } from "./harness.ts";
import { arbitraryFor, bodyArbitrary, wrongTypeFor, type JsonSchema, type Known } from "./openapi-arbitraries.ts";

/** Fixed, so a run is repeatable; `FUZZ_SEED=n npx vitest run test/openapi-fuzz.test.ts` explores further. */
const SEED = Number(process.env.FUZZ_SEED ?? 20261203);
const POSITIVE_RUNS = 30;
const NEGATIVE_RUNS = 8;
/** Rounds of POSITIVE_RUNS an operation gets at most to reach a success. */
const MAX_ROUNDS = 6;

let dir: string;
let server: RunningServer;
let token: string;
let doc: JsonSchema;
const known: Known = { ids: [], componentIds: [], slugs: [] };
/** Ids of seeded resources by the collection their path starts with, as OpenAPI links would tell a fuzzer. */
const idsByCollection: Record<string, string[]> = {};
let seeded = 0;
/** Idempotency keys sent so far: a 409 for a reused key is right only for these. */
const keysSent = new Set<string>();
/** Operations the fuzzer cannot bring to success from the seeded data, and why. */
const NO_SUCCESS_EXPECTED: Record<string, string> = {
  "post /webhooks/{id}/reactivate": "a quarantined webhook needs a receiver that failed for an hour",
  "patch /incidents/{id}/action-items/{position}": "an item exists only at positions 1..n of one postmortem's list (test/action-items.test.ts walks it)",
  // Seeded below: a rule with a template, and an alert it matches, open one draft per round.
};
const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });

interface Sent {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body?: unknown;
}

interface Answer {
  status: number;
  type: string;
  json: unknown;
}

async function send(request: Sent): Promise<Answer> {
  const url = new URL(`${server.url}/api/v1${request.path}`);
  for (const [name, value] of Object.entries(request.query)) url.searchParams.set(name, value);
  const headers: Record<string, string> = { Authorization: `Bearer ${token}`, ...request.headers };
  let body: string | undefined;
  if (request.body !== undefined) {
    body = JSON.stringify(request.body);
    headers["Content-Type"] = "application/json";
  }
  const res = await fetch(url, { method: request.method.toUpperCase(), headers, body });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  return { status: res.status, type: res.headers.get("Content-Type") ?? "", json };
}

async function call(method: string, path: string, body?: unknown): Promise<any> {
  const answer = await send({ method, path, query: {}, headers: {}, body });
  if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.json)}`);
  return answer.json;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "herald-fuzz-"));
  server = await startServer(testServerConfig(dir), { hostname: "127.0.0.1", log: () => {} });
  await server.ready;
  token = await server.deps!.db.write(async (tx) => (await createKey({ tx, actor: { id: null, name: "test", role: "admin" }, now: new Date().toISOString(), hooks: {} }, "Fuzz", "admin")).token);
  doc = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as JsonSchema;

  await seedResources();
}, 30_000);

/**
 * Real resources, so generated requests reach the success paths and not only 404s. Made afresh
 * for each operation, so what one operation's requests did (reopen, publish, delete) does not
 * decide what the next one can reach.
 */
async function seedResources(): Promise<void> {
  const n = ++seeded;
  const api = await call("post", "/components", { name: `API ${n}` });
  const web = await call("post", "/components", { name: `Website ${n}`, group: `Public ${n}` });
  const incident = await call("post", "/incidents", { name: "Errors", severity: "SEV2", body: "Looking.", components: { [api.id]: "partial_outage" } });
  const resolved = await call("post", "/incidents", { name: "Earlier", severity: "SEV3", body: "Looking." });
  await call("post", `/incidents/${resolved.id}/updates`, { status: "resolved", body: "Fixed." });
  await call("put", `/incidents/${resolved.id}/postmortem`, { body: "What happened." });
  const start = new Date(Date.now() + 86_400_000);
  const maintenance = await call("post", "/maintenances", { name: "Upgrade", body: "Planned.", scheduled_for: start.toISOString(), scheduled_until: new Date(start.getTime() + 3_600_000).toISOString(), component_ids: [web.id] });
  const drill = await call("post", "/incidents", { name: "Drill", severity: "SEV3", body: "Practice.", drill: true });
  const victim = await call("post", "/keys", { name: "Victim", role: "comms" });
  await call("post", "/templates", { slug: `fuzz-target-${n}`, name: "Fuzz target", severity: "SEV1", body: "We are looking into it.", components: { [api.id]: "major_outage" } });
  // A rule with a template, and an alert it matches: a draft incident to publish.
  const rule = await call("post", "/alerts/rules", { name: `fuzz-rule-${n}`, matchers: [{ label: "fuzz", value: String(n) }], components: [api.id], template: `fuzz-target-${n}` });
  const fired = await call("post", "/alerts/alertmanager", { status: "firing", alerts: [{ status: "firing", labels: { alertname: "Fuzz", fuzz: String(n) }, startsAt: new Date().toISOString(), fingerprint: `fuzz${n}` }] });
  const draft = (fired as { drafts: string[] }).drafts[0]!;
  known.componentIds = [api.id, web.id, web.group_id];
  known.ids = [...known.componentIds, incident.id, resolved.id, maintenance.id, drill.id, victim.id, rule.id, draft];
  Object.assign(idsByCollection, {
    components: known.componentIds,
    alerts: [rule.id],
    incidents: [incident.id, resolved.id, drill.id, draft],
    drills: [drill.id],
    maintenances: [maintenance.id],
    keys: [victim.id],
  });
  known.slugs = ((await call("get", "/templates")) as { slug: string }[]).map((t) => t.slug);
}

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Operation {
  method: string;
  path: string;
  op: JsonSchema;
}

function operations(): Operation[] {
  return Object.entries(doc.paths as Record<string, Record<string, JsonSchema>>).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ method, path, op })),
  );
}

function parameters(op: JsonSchema, where: string): JsonSchema[] {
  return (op.parameters ?? []).filter((p: JsonSchema) => p.in === where);
}

function bodySchema(op: JsonSchema): JsonSchema | undefined {
  return op.requestBody?.content?.["application/json"]?.schema;
}

/** Requests that match the operation's schema in every part. */
function validRequests({ method, path, op }: Operation): fc.Arbitrary<Sent> {
  const collection = idsByCollection[path.split("/")[1]!];
  const pathKnown = collection ? { ...known, ids: collection } : known;
  const pathParams = Object.fromEntries(parameters(op, "path").map((p) => [p.name, arbitraryFor(p.schema, pathKnown)]));
  const queryParams = Object.fromEntries(parameters(op, "query").map((p) => [p.name, arbitraryFor(p.schema, known).map(String)]));
  const queryRequired = parameters(op, "query").filter((p) => p.required).map((p) => p.name);
  const key = parameters(op, "header").find((p) => p.name === "Idempotency-Key");
  const schema = bodySchema(op);
  return fc
    .record({
      path: fc.record(pathParams),
      query: fc.record(queryParams, { requiredKeys: queryRequired as never[] }),
      // Most clients send no key; those that do mostly send a UUID, some anything the pattern allows.
      key: key
        ? fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.oneof(fc.uuid(), arbitraryFor(key.schema, known) as fc.Arbitrary<string>) })
        : fc.constant(null),
      body: schema ? bodyArbitrary(schema, known) : fc.constant(undefined),
    })
    .map(({ path: values, query, key: idempotencyKey, body }): Sent => ({
      method,
      path: path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String((values as Record<string, unknown>)[name]))),
      query: query as Record<string, string>,
      headers: idempotencyKey === null ? {} : { "Idempotency-Key": idempotencyKey as string },
      body,
    }));
}

function describeRequest(request: Sent, answer: Answer): string {
  return `${request.method.toUpperCase()} ${request.path}?${new URLSearchParams(request.query)} ${JSON.stringify(request.headers)} ${JSON.stringify(request.body)?.slice(0, 600)}\n→ ${answer.status} ${JSON.stringify(answer.json)?.slice(0, 600)}`;
}

function expectProblem(answer: Answer, why: string): void {
  expect(answer.type, why).toMatch(/^application\/problem\+json/);
  const problem = ajv.validate(doc.components.schemas.Problem, answer.json);
  expect(problem, `${why}\n${ajv.errorsText()}`).toBe(true);
  expect((answer.json as { status: number }).status, why).toBe(answer.status);
}

/** Field names that a 422 may name for this operation (`components.*` covers every key of `components`). */
function mayRefuse(op: JsonSchema, field: string): boolean {
  // `*` stands for one segment of the path (a map's key, an array's index).
  return ((op["x-herald-rules"] ?? []) as { field: string }[]).some((rule) =>
    new RegExp(`^${rule.field.split(".").map((seg) => (seg === "*" ? "[^.]+" : seg.replace(/[^\w]/g, "\\$&"))).join("\\.")}$`).test(field),
  );
}

describe("the OpenAPI document agrees with the server", () => {
  test("it is OpenAPI 3.1 and every request schema compiles", () => {
    expect(doc.openapi).toBe("3.1.0");
    for (const { op } of operations()) {
      const schema = bodySchema(op);
      if (schema) expect(() => ajv.compile(schema)).not.toThrow();
    }
    // The list routes answer with arrays and are documented so.
    const lists = operations().filter(({ op }) => op.responses["200"]?.content["application/json"].schema.type === "array").map(({ path }) => path);
    expect(lists.sort()).toEqual(["/action-items", "/alerts", "/alerts/rules", "/components", "/components/{id}/history", "/drills", "/incidents", "/keys", "/maintenances", "/templates", "/webhooks"]);
  });

  test("requests that match the schema are answered as documented", async () => {
    const succeeded = new Set<string>();
    for (const [index, operation] of operations().entries()) {
      const { op } = operation;
      const name = `${operation.method} ${operation.path}`;
      const success = Object.keys(op.responses).find((s) => s !== "default")!;
      const responseSchema = op.responses[success].content["application/json"].schema;
      const schema = bodySchema(op);
      // An operation with many optional fields and rules rarely succeeds by chance: another round
      // with fresh resources (and another seed) until it has, as a fuzzer runs until it has coverage.
      for (let round = 0; round < MAX_ROUNDS && !succeeded.has(name) && !(name in NO_SUCCESS_EXPECTED); round++) {
      // Reads change nothing, so they share the resources the last write operation left.
      if (operation.method !== "get" || round > 0) await seedResources();
      await fc.assert(
        fc.asyncProperty(validRequests(operation), async (request) => {
          // The generator itself is held to the document: a request it makes must validate.
          if (schema) expect(ajv.validate(schema, request.body), `generated body breaks the schema: ${ajv.errorsText()} ${JSON.stringify(request.body)}`).toBe(true);
          const key = request.headers["Idempotency-Key"];
          const keyWasSent = key !== undefined && keysSent.has(key);
          if (key !== undefined) keysSent.add(key);
          const answer = await send(request);
          const why = describeRequest(request, answer);
          expect(answer.status, why).toBeLessThan(500);
          if (answer.status < 300) {
            succeeded.add(name);
            expect(String(answer.status), why).toBe(success);
            expect(answer.type, why).toMatch(/^application\/json/);
            expect(ajv.validate(responseSchema, answer.json), `${why}\n${ajv.errorsText()}`).toBe(true);
            return;
          }
          expectProblem(answer, why);
          const bytes = Buffer.byteLength(JSON.stringify(request.body ?? ""));
          if (answer.status === 413) {
            expect(bytes, why).toBeGreaterThan(64 * 1024);
            return;
          }
          if (answer.status === 404) {
            expect(parameters(op, "path").length, why).toBeGreaterThan(0);
            return;
          }
          if (answer.status === 409) {
            if ((answer.json as { title: string }).title === "Idempotency Key Reused") expect(keyWasSent, why).toBe(true);
            return;
          }
          expect(answer.status, why).toBe(422);
          const errors = (answer.json as { errors?: { field: string }[] }).errors ?? [];
          expect(errors.length, why).toBeGreaterThan(0);
          for (const { field } of errors) expect(mayRefuse(op, field), `${field} is refused but not in x-herald-rules\n${why}`).toBe(true);
        }),
        // A seed per operation: with one seed, every operation would send the same idempotency keys.
        { seed: SEED + 100 * round + index, numRuns: POSITIVE_RUNS, endOnFailure: true },
      );
      }
    }
    // A fuzzer that only ever meets 404s and 422s proves nothing: every operation must have succeeded.
    const neverSucceeded = operations().map(({ method, path }) => `${method} ${path}`).filter((op) => !succeeded.has(op) && !(op in NO_SUCCESS_EXPECTED));
    expect(neverSucceeded).toEqual([]);
  }, 120_000);

  test("requests that break the schema are refused with a problem, never accepted", async () => {
    for (const [index, operation] of operations().entries()) {
      const { op } = operation;
      const schema = bodySchema(op);
      const mutations: fc.Arbitrary<Sent>[] = [];
      const valid = validRequests(operation);
      if (schema) {
        const properties = Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>);
        // Receivers take their senders' payloads whole (documented as open objects); every other body is closed.
        if (schema.additionalProperties === false) mutations.push(valid.map((r) => ({ ...r, body: { ...(r.body as object), unexpected_field: 1 } })));
        mutations.push(valid.map((r) => ({ ...r, body: [r.body] })));
        if (properties.length > 0) {
          mutations.push(fc.tuple(valid, fc.constantFrom(...properties)).map(([r, [name, s]]) => ({ ...r, body: { ...(r.body as object), [name]: wrongTypeFor(s) } })));
          const texts = properties.filter(([, s]) => (s.allOf ?? s.anyOf?.[0]?.allOf) !== undefined);
          if (texts.length > 0) {
            mutations.push(fc.tuple(valid, fc.constantFrom(...texts), fc.constantFrom("\u0000", "\u0007", "\u001b[2J", "\u009b", "\ud800")).map(([r, [name], bad]) => ({ ...r, body: { ...(r.body as object), [name]: `a${bad}b` } })));
          }
        }
      }
      for (const p of parameters(op, "query")) {
        mutations.push(valid.map((r) => ({ ...r, query: { ...r.query, [p.name]: p.schema.type === "integer" ? String((p.schema.maximum ?? 0) + 1) : "not-one-of-them" } })));
      }
      if (parameters(op, "query").length > 0) mutations.push(valid.map((r) => ({ ...r, query: { ...r.query, unexpected: "1" } })));
      if (parameters(op, "header").some((p) => p.name === "Idempotency-Key")) {
        mutations.push(valid.map((r) => ({ ...r, headers: { "Idempotency-Key": "k".repeat(256) } })));
        mutations.push(valid.map((r) => ({ ...r, headers: { "Idempotency-Key": "has space" } })));
      }
      if (parameters(op, "path").length > 0) {
        mutations.push(valid.map((r) => ({ ...r, path: operation.path.replace(/\{\w+\}/g, "NOT-AN-ID") })));
      }
      if (mutations.length === 0) continue;
      await fc.assert(
        fc.asyncProperty(fc.oneof(...mutations), async (request) => {
          const answer = await send(request);
          const why = describeRequest(request, answer);
          expect(answer.status, why).toBeGreaterThanOrEqual(400);
          expect(answer.status, why).toBeLessThan(500);
          expectProblem(answer, why);
        }),
        { seed: SEED + index, numRuns: NEGATIVE_RUNS * mutations.length, endOnFailure: true },
      );
    }
  }, 120_000);
});
