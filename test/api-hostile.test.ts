/**
 * Hostile input against every write route of the management API.
 *
 * The cases are DATA: `REFUSED` lists inputs that must be refused (expected 4xx, problem+json,
 * the offending field, and a byte-identical database before and after); `ACCEPTED` lists inputs
 * that look dangerous but are legitimate text and must be stored and returned verbatim.
 * Adding a case is one line in one of the tables.
 *
 * Paths, bodies and field names may contain placeholders, replaced once the fixtures exist:
 *   @{component} @{group} @{incident} @{resolved} @{maintenance} @{completed} @{key} @{unknown}
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { snapshotDatabase, startTestHerald, type TestHerald } from "./harness.ts";

type Json = Record<string, any>;
type Method = "POST" | "PATCH" | "DELETE";

interface RefusedCase {
  /** What is hostile about the request (the test title adds method and path). */
  name: string;
  method: Method;
  path: string;
  /** Serialised with JSON.stringify (lone surrogates and control characters become raw `\uXXXX` escapes). */
  body?: unknown;
  /** Sent verbatim instead of `body`. */
  raw?: string;
  /** Content-Type header; default application/json, null sends none. */
  contentType?: string | null;
  expectStatus: number;
  /** A field that must appear in `errors` (dotted path; "" = the whole body). */
  field?: string;
}

interface AcceptedCase {
  name: string;
  method: Method;
  path: string;
  body?: unknown;
  raw?: string;
  contentType?: string;
  expectStatus: number;
  /** Where the submitted text must come back, verbatim, in the response and on a later GET. */
  readBack: { collection: "components" | "incidents" | "maintenances" | "keys"; path: string; value: string };
}

// ---------------------------------------------------------------------------------------------
// Routes, their valid bodies and their fields
// ---------------------------------------------------------------------------------------------

type FieldKind = "string" | "nullableString" | "boolean" | "int" | "record" | "array";

interface RouteSpec {
  label: string;
  method: Method;
  path: string;
  /** A body the route accepts; each hostile case breaks exactly one thing in it. */
  valid: Json;
  fields: Record<string, FieldKind>;
  required: string[];
}

const V = "/api/v1";

const ROUTES: RouteSpec[] = [
  {
    label: "create component",
    method: "POST",
    path: `${V}/components`,
    valid: { name: "Hostile component" },
    fields: {
      name: "string", description: "nullableString", group: "string", group_id: "nullableString", position: "int",
      status: "string", showcase: "boolean", only_show_if_degraded: "boolean", start_date: "nullableString",
    },
    required: ["name"],
  },
  {
    label: "patch component",
    method: "PATCH",
    path: `${V}/components/@{component}`,
    valid: { name: "Fixture API" },
    fields: {
      name: "string", description: "nullableString", group_id: "nullableString", position: "int", status: "string",
      showcase: "boolean", only_show_if_degraded: "boolean", start_date: "nullableString",
    },
    required: [],
  },
  {
    label: "create incident",
    method: "POST",
    path: `${V}/incidents`,
    valid: { name: "Hostile incident", severity: "SEV3", body: "Investigating." },
    fields: { name: "string", severity: "string", body: "string", status: "string", components: "record", deliver_notifications: "boolean" },
    required: ["name", "severity", "body"],
  },
  {
    label: "patch incident",
    method: "PATCH",
    path: `${V}/incidents/@{incident}`,
    valid: { name: "Fixture incident" },
    fields: { name: "string", severity: "string" },
    required: [],
  },
  {
    label: "incident update",
    method: "POST",
    path: `${V}/incidents/@{incident}/updates`,
    valid: { status: "investigating", body: "Still looking." },
    fields: { status: "string", body: "string", components: "record", deliver_notifications: "boolean", reopen: "boolean" },
    required: ["status", "body"],
  },
  {
    label: "create maintenance",
    method: "POST",
    path: `${V}/maintenances`,
    valid: {
      name: "Hostile maintenance", body: "Planned work.", scheduled_for: "2030-01-01T10:00:00Z",
      scheduled_until: "2030-01-01T12:00:00Z", component_ids: ["@{component}"],
    },
    fields: {
      name: "string", body: "string", scheduled_for: "string", scheduled_until: "string", component_ids: "array",
      deliver_notifications: "boolean",
    },
    required: ["name", "body", "scheduled_for", "scheduled_until", "component_ids"],
  },
  {
    label: "maintenance update",
    method: "POST",
    path: `${V}/maintenances/@{maintenance}/updates`,
    valid: { status: "scheduled", body: "On schedule." },
    fields: { status: "string", body: "string", components: "record", deliver_notifications: "boolean" },
    required: ["status", "body"],
  },
  {
    label: "create key",
    method: "POST",
    path: `${V}/keys`,
    valid: { name: "Hostile key", role: "comms" },
    fields: { name: "string", role: "string" },
    required: ["name", "role"],
  },
];

const route = (label: string): RouteSpec => {
  const found = ROUTES.find((r) => r.label === label);
  if (!found) throw new Error(`no route ${label}`);
  return found;
};

/** Values of the wrong JSON type for each kind of field (null only where the field is not nullable). */
const WRONG_TYPES: Record<FieldKind, unknown[]> = {
  string: [42, true, [], ["text"], {}, { text: "x" }, null],
  nullableString: [42, false, [], ["text"], {}],
  boolean: ["true", "false", 1, 0, [], {}, null],
  int: ["1", 1.5, true, [], {}, null],
  record: ["x", 1, true, [], [["@{component}", "operational"]], null],
  array: ["@{component}", 1, true, {}, null, [1], [null], [["@{component}"]]],
};

/** One refused case: `route`'s valid body with `patch` applied (undefined values delete the field). */
function breaking(label: string, name: string, patch: Json, expectStatus: number, field?: string): RefusedCase {
  const r = route(label);
  const body: Json = { ...r.valid };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete body[k];
    else body[k] = v;
  }
  return { name, method: r.method, path: r.path, body, expectStatus, ...(field === undefined ? {} : { field }) };
}

/** One refused case with a raw body sent to `route`. */
function rawTo(label: string, name: string, raw: string, expectStatus: number, extra: Partial<RefusedCase> = {}): RefusedCase {
  const r = route(label);
  return { name, method: r.method, path: r.path, raw, expectStatus, ...extra };
}

/** `route`'s valid body sent to another path (ids). */
function atPath(label: string, name: string, path: string, expectStatus: number): RefusedCase {
  const r = route(label);
  return { name, method: r.method, path, body: r.valid, expectStatus };
}

const MB = 1024 * 1024;
const KB64 = 64 * 1024;

// ---------------------------------------------------------------------------------------------
// The refused table
// ---------------------------------------------------------------------------------------------

const REFUSED: RefusedCase[] = [
  // Wrong types for every field of every route, generated from the route specs.
  ...ROUTES.flatMap((r) =>
    Object.entries(r.fields).flatMap(([field, kind]) =>
      WRONG_TYPES[kind].map((value) => breaking(r.label, `${field} = ${JSON.stringify(value)}`, { [field]: value }, 422, field)),
    ),
  ),

  // Missing required fields.
  ...ROUTES.flatMap((r) => r.required.map((field) => breaking(r.label, `missing ${field}`, { [field]: undefined }, 422, field))),
  breaking("patch incident", "empty patch (neither name nor severity)", { name: undefined }, 422),

  // Extra / unknown fields: refused and named.
  ...ROUTES.map((r) => breaking(r.label, "unknown field stauts", { stauts: "resolved" }, 422, "stauts")),
  ...ROUTES.map((r) => breaking(r.label, "client-chosen id", { id: "aaaaaaaaaaaa" }, 422, "id")),
  ...ROUTES.map((r) => breaking(r.label, "client-chosen created_at", { created_at: "2020-01-01T00:00:00Z" }, 422, "created_at")),
  breaking("patch component", "group by name is create-only", { group: "Elsewhere" }, 422, "group"),
  breaking("create component", "is_group spoof", { is_group: true }, 422, "is_group"),
  breaking("create incident", "impact spoof", { impact: "none" }, 422, "impact"),
  breaking("incident update", "author spoof", { author: "The CEO" }, 422, "author"),
  breaking("create incident", "author spoof", { author: "The CEO" }, 422, "author"),
  breaking("patch incident", "status must go through updates", { status: "resolved" }, 422, "status"),
  breaking("create maintenance", "status spoof", { status: "completed" }, 422, "status"),
  breaking("create key", "client-chosen token", { token: "hk_aaaaaaaaaaaa_" + "a".repeat(43) }, 422, "token"),
  breaking("create key", "client-chosen secret_hash", { secret_hash: "0".repeat(64) }, 422, "secret_hash"),

  // Prototype keys: refused as unknown fields, and never reach Object.prototype.
  ...ROUTES.map((r) => rawTo(r.label, "__proto__ key", JSON.stringify(r.valid).replace(/^\{/, '{"__proto__":{"polluted":"yes","role":"admin"},'), 422, { field: "__proto__" })),
  ...ROUTES.map((r) => rawTo(r.label, "constructor key", JSON.stringify(r.valid).replace(/^\{/, '{"constructor":{"prototype":{"polluted":"yes"}},'), 422, { field: "constructor" })),
  rawTo("create component", "only a __proto__ carrying the name", '{"__proto__":{"name":"Sneaky"}}', 422, { field: "name" }),
  rawTo("create key", "role smuggled via __proto__", '{"name":"Sneaky","__proto__":{"role":"admin"}}', 422, { field: "role" }),
  ...["create incident", "incident update", "maintenance update"].flatMap((label) => [
    rawTo(label, "components map key __proto__", JSON.stringify(route(label).valid).replace(/\}$/, ',"components":{"__proto__":"major_outage"}}'), 422, { field: "components.__proto__" }),
    rawTo(label, "components map key __proto__ next to a real one", JSON.stringify(route(label).valid).replace(/\}$/, ',"components":{"@{component}":"major_outage","__proto__":"major_outage"}}'), 422, { field: "components.__proto__" }),
    breaking(label, "components map key constructor", { components: { constructor: "major_outage" } }, 422, "components.constructor"),
  ]),

  // Top-level value that is not an object.
  ...ROUTES.flatMap((r) =>
    [
      ["top-level array", "[]"],
      ["top-level array of the valid body", `[${JSON.stringify(r.valid)}]`],
      ["top-level string", '"name"'],
      ["top-level number", "42"],
      ["top-level null", "null"],
      ["top-level true", "true"],
    ].map(([name, raw]) => rawTo(r.label, name!, raw!, 422, { field: "" })),
  ),

  // Empty and malformed bodies: 400.
  ...ROUTES.flatMap((r) =>
    [
      ["empty body", ""],
      ["whitespace-only body", "  \n\t "],
      ["truncated JSON", JSON.stringify(r.valid).slice(0, -3)],
      ["trailing comma", JSON.stringify(r.valid).replace(/\}$/, ",}")],
      ["single quotes", JSON.stringify(r.valid).replace(/"/g, "'")],
      ["unquoted keys", JSON.stringify(r.valid).replace(/"(\w+)":/g, "$1:")],
      ["garbage after the object", `${JSON.stringify(r.valid)} garbage`],
      ["two objects", `${JSON.stringify(r.valid)}${JSON.stringify(r.valid)}`],
      ["NaN value", JSON.stringify(r.valid).replace(/\}$/, ',"x":NaN}')],
      ["undefined literal", "undefined"],
      ["lone backslash escape", '{"name":"\\x41"}'],
    ].map(([name, raw]) => rawTo(r.label, name!, raw!, 400)),
  ),

  // Not JSON at all: 415.
  ...ROUTES.flatMap((r) =>
    [
      ["text/plain", "text/plain", JSON.stringify(r.valid)],
      ["text/plain; charset=utf-8", "text/plain; charset=utf-8", JSON.stringify(r.valid)],
      ["form-encoded", "application/x-www-form-urlencoded", "name=Hostile&severity=SEV1&body=x&role=admin"],
      ["multipart", "multipart/form-data; boundary=x", '--x\r\nContent-Disposition: form-data; name="name"\r\n\r\nHostile\r\n--x--\r\n'],
      ["application/xml", "application/xml", "<name>Hostile</name>"],
      ["text/json", "text/json", JSON.stringify(r.valid)],
      ["application/jsonp", "application/jsonp", JSON.stringify(r.valid)],
      ["application/json-seq", "application/json-seq", JSON.stringify(r.valid)],
      ["no Content-Type", null, JSON.stringify(r.valid)],
    ].map(([name, type, raw]) => rawTo(r.label, `Content-Type ${name}`, raw!, 415, { contentType: type })),
  ),
  ...ROUTES.map((r): RefusedCase => ({ name: "no body and no Content-Type", method: r.method, path: r.path, contentType: null, expectStatus: 415 })),

  // Over the 64 KiB request limit: 413 before anything is parsed.
  ...ROUTES.flatMap((r) => [
    rawTo(r.label, "1 MB name", JSON.stringify({ ...r.valid, name: "n".repeat(MB) }), 413),
    rawTo(r.label, "1 MB body", JSON.stringify({ ...r.valid, body: "b".repeat(MB) }), 413),
    rawTo(r.label, "valid JSON padded with whitespace to 64 KiB + 1 byte", JSON.stringify(r.valid).padEnd(KB64 + 1, " "), 413),
    rawTo(r.label, "64 KiB of multi-byte text (fewer chars than bytes)", JSON.stringify({ ...r.valid, body: "€".repeat(22_000) }), 413),
    rawTo(r.label, "over 64 KiB of garbage, wrong Content-Type", "x".repeat(KB64 + 10), 413, { contentType: "text/plain" }),
  ]),

  // Huge strings under the request limit: 422 naming the field.
  breaking("create component", "name of 256 chars", { name: "n".repeat(256) }, 422, "name"),
  breaking("patch component", "name of 256 chars", { name: "n".repeat(256) }, 422, "name"),
  breaking("create incident", "name of 256 chars", { name: "n".repeat(256) }, 422, "name"),
  breaking("patch incident", "name of 256 chars", { name: "n".repeat(256) }, 422, "name"),
  breaking("create maintenance", "name of 256 chars", { name: "n".repeat(256) }, 422, "name"),
  breaking("create key", "name of 256 chars", { name: "n".repeat(256) }, 422, "name"),
  breaking("create component", "group name of 256 chars", { group: "g".repeat(256) }, 422, "group"),
  breaking("create component", "description of 2,001 chars", { description: "d".repeat(2_001) }, 422, "description"),
  breaking("patch component", "description of 2,001 chars", { description: "d".repeat(2_001) }, 422, "description"),
  breaking("create incident", "body of 20,001 chars", { body: "b".repeat(20_001) }, 422, "body"),
  breaking("incident update", "body of 20,001 chars", { body: "b".repeat(20_001) }, 422, "body"),
  breaking("create maintenance", "body of 20,001 chars", { body: "b".repeat(20_001) }, 422, "body"),
  breaking("maintenance update", "body of 20,001 chars", { body: "b".repeat(20_001) }, 422, "body"),
  breaking("create component", "name nested 20,000 arrays deep", {}, 422, "name"), // replaced below with a raw body
  breaking("create incident", "201 components in one update", { components: Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`x${String(i).padStart(11, "0")}`, "operational"])) }, 422, "components"),
  breaking("create maintenance", "201 component ids", { component_ids: Array.from({ length: 201 }, () => "@{component}") }, 422, "component_ids"),

  // Empty and blank text.
  ...["create component", "create incident", "create maintenance", "create key", "patch component", "patch incident"].flatMap((label) => [
    breaking(label, "empty name", { name: "" }, 422, "name"),
    breaking(label, "blank name", { name: "   \u3000 " }, 422, "name"),
  ]),
  ...["create incident", "incident update", "create maintenance", "maintenance update"].flatMap((label) => [
    breaking(label, "empty body", { body: "" }, 422, "body"),
    breaking(label, "blank body", { body: "\n\n  \t" }, 422, "body"),
  ]),

  // Unknown enum values.
  ...["SEV5", "sev1", "SEV0", " SEV1", "SEV1 ", "critical", "Sev1"].flatMap((v) => [
    breaking("create incident", `severity ${JSON.stringify(v)}`, { severity: v }, 422, "severity"),
    breaking("patch incident", `severity ${JSON.stringify(v)}`, { severity: v }, 422, "severity"),
  ]),
  ...["fixed", "Resolved", "resolved ", "closed", "scheduled", "in_progress", ""].flatMap((v) => [
    breaking("create incident", `status ${JSON.stringify(v)}`, { status: v }, 422, "status"),
    breaking("incident update", `status ${JSON.stringify(v)}`, { status: v }, 422, "status"),
  ]),
  ...["done", "resolved", "investigating", "Completed", ""].map((v) => breaking("maintenance update", `status ${JSON.stringify(v)}`, { status: v }, 422, "status")),
  ...["broken", "Operational", "under maintenance", "down", ""].flatMap((v) => [
    breaking("create component", `component status ${JSON.stringify(v)}`, { status: v }, 422, "status"),
    breaking("patch component", `component status ${JSON.stringify(v)}`, { status: v }, 422, "status"),
    breaking("create incident", `components map status ${JSON.stringify(v)}`, { components: { "@{component}": v } }, 422, "components.@{component}"),
    breaking("incident update", `components map status ${JSON.stringify(v)}`, { components: { "@{component}": v } }, 422, "components.@{component}"),
    breaking("maintenance update", `components map status ${JSON.stringify(v)}`, { components: { "@{component}": v } }, 422, "components.@{component}"),
  ]),
  ...["owner", "Admin", "superadmin", "viewer", "toString", "__proto__"].map((v) => breaking("create key", `role ${JSON.stringify(v)}`, { role: v }, 422, "role")),

  // Unicode that cannot be stored faithfully, and control characters (sent as raw JSON escapes).
  ...(
    [
      ["lone high surrogate \\ud800", "a\ud800b"],
      ["lone low surrogate \\udc00", "a\udc00b"],
      ["surrogates in the wrong order", "a\udc00\ud800b"],
      ["trailing lone surrogate (half an emoji)", "fire \ud83d"],
      ["NUL", "a\u0000b"],
      ["BEL", "a\u0007b"],
      ["backspace", "a\u0008b"],
      ["ESC sequence", "a\u001b[2Jb"],
      ["DEL", "a\u007fb"],
      ["C1 control NEL (U+0085)", "a\u0085b"],
      ["C1 control CSI (U+009B)", "a\u009b2Jb"],
    ] as const
  ).flatMap(([what, value]) => [
    breaking("create component", `name with ${what}`, { name: value }, 422, "name"),
    breaking("patch component", `name with ${what}`, { name: value }, 422, "name"),
    breaking("create component", `description with ${what}`, { description: value }, 422, "description"),
    breaking("create incident", `name with ${what}`, { name: value }, 422, "name"),
    breaking("create incident", `body with ${what}`, { body: value }, 422, "body"),
    breaking("patch incident", `name with ${what}`, { name: value }, 422, "name"),
    breaking("incident update", `body with ${what}`, { body: value }, 422, "body"),
    breaking("create maintenance", `name with ${what}`, { name: value }, 422, "name"),
    breaking("maintenance update", `body with ${what}`, { body: value }, 422, "body"),
    breaking("create key", `name with ${what}`, { name: value }, 422, "name"),
  ]),
  ...(
    [
      ["newline", "a\nb"],
      ["carriage return", "a\rb"],
      ["tab", "a\tb"],
    ] as const
  ).flatMap(([what, value]) => [
    breaking("create component", `single-line name with ${what}`, { name: value }, 422, "name"),
    breaking("create incident", `single-line name with ${what}`, { name: value }, 422, "name"),
    breaking("create key", `single-line name with ${what}`, { name: value }, 422, "name"),
  ]),

  // Numbers out of range.
  ...[0, -1, 1_000_001, 2 ** 53 + 2, -0.5].map((v) => breaking("create component", `position ${v}`, { position: v }, 422, "position")),
  rawTo("create component", "position 1e309 (Infinity after parsing)", '{"name":"Big","position":1e309}', 422, { field: "position" }),
  rawTo("patch component", "position -1e309", '{"position":-1e309}', 422, { field: "position" }),

  // Ids: malformed, unknown, or of the wrong kind. 404, never 5xx.
  ...(
    [
      ["patch component", "components/@{id}"],
      ["patch incident", "incidents/@{id}"],
      ["incident update", "incidents/@{id}/updates"],
      ["maintenance update", "maintenances/@{id}/updates"],
    ] as const
  ).flatMap(([label, template]) =>
    [
      ["unknown well-formed id", "@{unknown}"],
      ["uppercase id", "ABCDEFGHIJKL"],
      ["short id", "abc"],
      ["13-char id", "abcdefghijklm"],
      ["SQL in the id", encodeURIComponent("' OR '1'='1")],
      ["encoded slash in the id", "a%2Fb%2Fc%2Fdefghi"],
      ["encoded NUL in the id", "abcdefghijk%00"],
      ["dot-dot id", "..%2F..%2Fkeys"],
      ["emoji id", encodeURIComponent("🔥🔥🔥🔥🔥🔥")],
    ].map(([name, id]) => atPath(label, name!, `${V}/${template.replace("@{id}", id!)}`, 404)),
  ),
  atPath("patch component", "an incident id on the component route", `${V}/components/@{incident}`, 404),
  atPath("patch component", "a key id on the component route", `${V}/components/@{key}`, 404),
  atPath("patch incident", "a maintenance id on the incident route", `${V}/incidents/@{maintenance}`, 404),
  atPath("patch incident", "a component id on the incident route", `${V}/incidents/@{component}`, 404),
  atPath("incident update", "a maintenance id on the incident route", `${V}/incidents/@{maintenance}/updates`, 404),
  atPath("maintenance update", "an incident id on the maintenance route", `${V}/maintenances/@{incident}/updates`, 404),
  atPath("maintenance update", "a component id on the maintenance route", `${V}/maintenances/@{component}/updates`, 404),
  ...[
    ["unknown well-formed id", "@{unknown}"],
    ["uppercase id", "ABCDEFGHIJKL"],
    ["short id", "abc"],
    ["SQL in the id", encodeURIComponent("1 OR 1=1")],
    ["a component id", "@{component}"],
    ["an incident id", "@{incident}"],
  ].map(([name, id]): RefusedCase => ({ name: `revoke: ${name}`, method: "DELETE", path: `${V}/keys/${id}`, expectStatus: 404 })),

  // Component references naming unknown components or a group.
  ...["create incident", "incident update", "maintenance update"].flatMap((label) => [
    breaking(label, "components map naming an unknown component", { components: { "@{unknown}": "major_outage" } }, 422, "components.@{unknown}"),
    breaking(label, "components map naming a group", { components: { "@{group}": "major_outage" } }, 422, "components.@{group}"),
    breaking(label, "components map naming an incident", { components: { "@{incident}": "major_outage" } }, 422, "components.@{incident}"),
    breaking(label, "components map with a malformed id", { components: { API: "major_outage" } }, 422, "components.API"),
    breaking(label, "one good and one unknown component", { components: { "@{component}": "major_outage", "@{unknown}": "major_outage" } }, 422, "components.@{unknown}"),
  ]),
  breaking("create maintenance", "component_ids naming an unknown component", { component_ids: ["@{unknown}"] }, 422, "component_ids"),
  breaking("create maintenance", "component_ids naming a group", { component_ids: ["@{group}"] }, 422, "component_ids"),
  breaking("create maintenance", "component_ids with a malformed id", { component_ids: ["API"] }, 422, "component_ids.0"),
  breaking("create maintenance", "one good and one unknown id", { component_ids: ["@{component}", "@{unknown}"] }, 422, "component_ids"),
  breaking("create component", "group_id of an unknown group", { group_id: "@{unknown}" }, 422, "group_id"),
  breaking("create component", "group_id of a plain component", { group_id: "@{component}" }, 422, "group_id"),
  breaking("create component", "group_id malformed", { group_id: "Core" }, 422, "group_id"),
  breaking("create component", "both group and group_id", { group: "Another", group_id: "@{group}" }, 422, "group"),
  breaking("patch component", "group_id of an unknown group", { group_id: "@{unknown}" }, 422, "group_id"),
  breaking("patch component", "group_id of a plain component (itself)", { group_id: "@{component}" }, 422, "group_id"),
  { name: "status on a group", method: "PATCH", path: `${V}/components/@{group}`, body: { status: "major_outage" }, expectStatus: 422, field: "status" },
  { name: "nesting a group in a group", method: "PATCH", path: `${V}/components/@{group}`, body: { group_id: "@{group}" }, expectStatus: 422, field: "group_id" },

  // Dates.
  breaking("create maintenance", "scheduled_until before scheduled_for", { scheduled_for: "2030-01-01T12:00:00Z", scheduled_until: "2030-01-01T10:00:00Z" }, 422, "scheduled_until"),
  breaking("create maintenance", "scheduled_until equal to scheduled_for", { scheduled_for: "2030-01-01T12:00:00Z", scheduled_until: "2030-01-01T12:00:00Z" }, 422, "scheduled_until"),
  breaking("create maintenance", "scheduled_until earlier once offsets are applied", { scheduled_for: "2030-01-01T10:30:00Z", scheduled_until: "2030-01-01T12:00:00+03:00" }, 422, "scheduled_until"),
  ...["scheduled_for", "scheduled_until"].flatMap((field) =>
    [
      ["without a time zone", field === "scheduled_for" ? "2030-01-01T10:00:00" : "2030-01-01T12:00:00"],
      ["date only", "2030-01-01"],
      ["no seconds", "2030-01-01T10:00Z"],
      ["offset without colon", "2030-01-01T10:00:00+0200"],
      ["February 30th", "2030-02-30T10:00:00Z"],
      ["hour 24", "2030-01-01T24:00:00Z"],
      ["words", "tomorrow at ten"],
      ["RFC 2822", "Tue, 01 Jan 2030 10:00:00 GMT"],
      ["comma fraction", "2030-01-01T10:00:00,5Z"],
      ["empty dot fraction", "2030-01-01T10:00:00.Z"],
      ["epoch millis", 1893492000000],
      ["beyond the Date range", "275760-09-13T00:00:01Z"],
    ].map(([name, value]) => breaking("create maintenance", `${field} ${name}`, { [field]: value }, 422, field)),
  ),
  ...[
    ["February 30th", "2026-02-30"],
    ["date-time", "2026-01-01T00:00:00Z"],
    ["US format", "01/12/2026"],
    ["month 13", "2026-13-01"],
  ].flatMap(([name, value]) => [
    breaking("create component", `start_date ${name}`, { start_date: value }, 422, "start_date"),
    breaking("patch component", `start_date ${name}`, { start_date: value }, 422, "start_date"),
  ]),

  // Illegal transitions: 409, nothing written.
  { name: "resolved incident back to investigating without reopen", method: "POST", path: `${V}/incidents/@{resolved}/updates`, body: { status: "investigating", body: "Back?" }, expectStatus: 409, field: "status" },
  { name: "reopen into resolved", method: "POST", path: `${V}/incidents/@{resolved}/updates`, body: { status: "resolved", body: "Hmm", reopen: true }, expectStatus: 409, field: "status" },
  { name: "reopen an open incident", method: "POST", path: `${V}/incidents/@{incident}/updates`, body: { status: "identified", body: "Hmm", reopen: true }, expectStatus: 409, field: "status" },
  { name: "completed maintenance back to in_progress", method: "POST", path: `${V}/maintenances/@{completed}/updates`, body: { status: "in_progress", body: "Again" }, expectStatus: 409, field: "status" },
  { name: "completed maintenance back to scheduled", method: "POST", path: `${V}/maintenances/@{completed}/updates`, body: { status: "scheduled", body: "Again" }, expectStatus: 409, field: "status" },
];

// A name nested 20,000 arrays deep, under the size limit (the placeholder row above gets this raw body).
const deep = REFUSED.find((c) => c.name === "name nested 20,000 arrays deep")!;
delete deep.body;
deep.raw = `{"name":${"[".repeat(20_000)}${"]".repeat(20_000)}}`;

// ---------------------------------------------------------------------------------------------
// The accepted table: text that looks dangerous but is data, stored and returned verbatim
// ---------------------------------------------------------------------------------------------

const TEXTS: Array<[string, string]> = [
  ["emoji with ZWJ sequences and flags", "🔥 Checkout 💳 down — 👩‍💻 on it 🇳🇱 👨‍👩‍👧"],
  ["Arabic (RTL)", "خدمة الدفع متوقفة"],
  ["Hebrew mixed with Latin and RLM marks", "API \u200F(שירות התשלומים)\u200F v2"],
  ["combining characters are not normalised", "Cafe\u0301 cre\u0300me bru\u0302le\u0301e"],
  ["astral plane letters", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝕊𝕥𝕒𝕥𝕦𝕤"],
  ["SQL injection", "'); DROP TABLE incidents;--"],
  ["more SQL", `Robert"); DELETE FROM api_keys; SELECT ('1' OR '1'='1`],
  ["script tag", `<script>alert("x")</script>`],
  ["HTML attributes and entities", `<img src=x onerror="alert(1)"> &amp; &lt;b&gt; &#x27;`],
  ["markdown and template syntax", "**bold** [link](javascript:alert(1)) {{7*7}} ${process.env.SECRET} %s %n"],
  ["JSON-looking text", '{"__proto__":{"admin":true}}'],
  ["backslashes and quotes", `C:\\Windows\\System32 "quoted" 'single' \`tick\``],
  ["non-breaking and zero-width spaces inside", "a\u00A0b\u200Bc\u2060d"],
];

const MULTILINE = "Line 1\n\tindented line 2\r\nLine 3 with <b>HTML</b> & 'SQL'; --";

function acceptedFor(label: string, text: string): AcceptedCase[] {
  const slot = (r: RouteSpec, field: "name" | "body" | "description", collection: AcceptedCase["readBack"]["collection"], readPath: string): AcceptedCase => ({
    name: `${label} as ${field}`,
    method: r.method,
    path: r.path,
    body: { ...r.valid, [field]: text },
    expectStatus: r.method === "PATCH" ? 200 : 201,
    readBack: { collection, path: readPath, value: text },
  });
  return [
    slot(route("create component"), "name", "components", "name"),
    slot(route("create component"), "description", "components", "description"),
    slot(route("patch component"), "name", "components", "name"),
    slot(route("create incident"), "name", "incidents", "name"),
    slot(route("create incident"), "body", "incidents", "incident_updates.0.body"),
    slot(route("patch incident"), "name", "incidents", "name"),
    slot(route("incident update"), "body", "incidents", "incident_updates.0.body"),
    slot(route("create maintenance"), "name", "maintenances", "name"),
    slot(route("maintenance update"), "body", "maintenances", "incident_updates.0.body"),
    slot(route("create key"), "name", "keys", "name"),
  ];
}

const ACCEPTED: AcceptedCase[] = [
  ...TEXTS.flatMap(([label, text]) => acceptedFor(label, text)),
  ...["create incident", "incident update", "maintenance update"].map((label): AcceptedCase => {
    const r = route(label);
    const collection = label === "maintenance update" ? "maintenances" : "incidents";
    return { name: "multi-line body with tab and CRLF", method: r.method, path: r.path, body: { ...r.valid, body: MULTILINE }, expectStatus: 201, readBack: { collection, path: "incident_updates.0.body", value: MULTILINE } };
  }),
  { name: "emoji sent as raw surrogate-pair escapes", method: "POST", path: `${V}/components`, raw: '{"name":"\\ud83d\\udd25 Fire \\u05e9"}', expectStatus: 201, readBack: { collection: "components", path: "name", value: "🔥 Fire ש" } },
  { name: "name of exactly 255 chars", method: "POST", path: `${V}/components`, body: { name: "n".repeat(255) }, expectStatus: 201, readBack: { collection: "components", path: "name", value: "n".repeat(255) } },
  { name: "body of exactly 20,000 chars", method: "POST", path: `${V}/incidents`, body: { name: "Long body", severity: "SEV4", body: "b".repeat(20_000) }, expectStatus: 201, readBack: { collection: "incidents", path: "incident_updates.0.body", value: "b".repeat(20_000) } },
  { name: "request of exactly 64 KiB (whitespace padding)", method: "POST", path: `${V}/components`, raw: '{"name":"Exactly 64 KiB"}'.padEnd(KB64, " "), expectStatus: 201, readBack: { collection: "components", path: "name", value: "Exactly 64 KiB" } },
  { name: "maintenance window with offsets", method: "POST", path: `${V}/maintenances`, body: { name: "Offsets", body: "b", scheduled_for: "2030-01-01T12:00:00+02:00", scheduled_until: "2030-01-01T11:00:00Z", component_ids: [] }, expectStatus: 201, readBack: { collection: "maintenances", path: "scheduled_until", value: "2030-01-01T11:00:00.000Z" } },
  { name: "application/merge-patch+json is JSON", method: "PATCH", path: `${V}/incidents/@{incident}`, body: { name: "Renamed via +json" }, contentType: "application/merge-patch+json", expectStatus: 200, readBack: { collection: "incidents", path: "name", value: "Renamed via +json" } },
];

// ---------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------

let h: TestHerald;
const fx: Record<string, string> = {};
let prototypeNames: string[];

function fill(text: string): string {
  return text.replace(/@\{(\w+)\}/g, (_, name: string) => {
    const value = fx[name];
    if (value === undefined) throw new Error(`unknown placeholder @{${name}}`);
    return value;
  });
}

async function send(c: { method: string; path: string; body?: unknown; raw?: string; contentType?: string | null }): Promise<Response> {
  const headers: Record<string, string> = { Authorization: `Bearer ${h.tokens.admin}` };
  let payload: string | undefined;
  if (c.raw !== undefined) payload = fill(c.raw);
  else if (c.body !== undefined) payload = fill(JSON.stringify(c.body));
  const type = c.contentType === undefined ? (payload === undefined ? null : "application/json") : c.contentType;
  if (type !== null) headers["Content-Type"] = type;
  return h.app.request(fill(c.path), { method: c.method, headers, body: payload });
}

async function created(res: Response, status = 201): Promise<Json> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  return JSON.parse(text) as Json;
}

function dig(value: unknown, path: string): unknown {
  let cur: unknown = value;
  for (const part of path.split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

beforeAll(async () => {
  h = await startTestHerald();
  prototypeNames = Object.getOwnPropertyNames(Object.prototype).sort();
  const component = await created(await h.call("POST", `${V}/components`, { body: { name: "Fixture API", group: "Fixture Group" } }));
  fx.component = component.id;
  fx.group = component.group_id;
  fx.incident = (await created(await h.call("POST", `${V}/incidents`, { body: { name: "Fixture incident", severity: "SEV2", body: "Looking.", components: { [component.id]: "degraded_performance" } } }))).id;
  fx.resolved = (await created(await h.call("POST", `${V}/incidents`, { body: { name: "Fixture resolved", severity: "SEV3", body: "Looking.", status: "resolved" } }))).id;
  const window = { body: "Work.", scheduled_for: "2030-01-01T10:00:00Z", scheduled_until: "2030-01-01T12:00:00Z", component_ids: [component.id] };
  fx.maintenance = (await created(await h.call("POST", `${V}/maintenances`, { body: { name: "Fixture maintenance", ...window } }))).id;
  fx.completed = (await created(await h.call("POST", `${V}/maintenances`, { body: { name: "Fixture completed", ...window } }))).id;
  await created(await h.call("POST", `${V}/maintenances/${fx.completed}/updates`, { body: { status: "completed", body: "Done." } }));
  fx.key = (await created(await h.call("POST", `${V}/keys`, { body: { name: "Fixture key", role: "comms" } }))).id;
  fx.unknown = "zzzzzzzzzzzz";
  for (const [name, id] of Object.entries(fx)) expect(id, name).toMatch(/^[0-9a-z]{12}$/);
});
afterAll(async () => h.close());

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

describe("refused hostile input: right 4xx, problem+json, the field, and no write", () => {
  test("the table covers every write route", () => {
    for (const r of ROUTES) {
      expect(REFUSED.filter((c) => c.method === r.method && c.path === r.path).length, r.label).toBeGreaterThan(50);
    }
    expect(REFUSED.filter((c) => c.method === "DELETE" && c.path.startsWith(`${V}/keys/`)).length).toBeGreaterThan(3);
    expect(REFUSED.length).toBeGreaterThan(400);
  });

  test.each(REFUSED)("$method $path · $name → $expectStatus", async (c) => {
    const before = await snapshotDatabase(h.db);
    const changes = h.changes.length;
    const res = await send(c);
    const text = await res.text();
    expect(res.status, `5xx: ${text}`).toBeLessThan(500);
    expect.soft(res.status, text.slice(0, 500)).toBe(c.expectStatus);
    expect.soft(res.headers.get("content-type") ?? "").toMatch(/^application\/problem\+json/);
    let problem: Json = {};
    try {
      problem = JSON.parse(text) as Json;
    } catch {
      expect.soft(false, `body is not JSON: ${text.slice(0, 200)}`).toBe(true);
    }
    expect.soft(problem.status).toBe(res.status);
    expect.soft(typeof problem.title === "string" && problem.title.length > 0, "title").toBe(true);
    expect.soft(typeof problem.detail === "string" && problem.detail.length > 0, "detail").toBe(true);
    if (c.expectStatus === 422 || c.field !== undefined) {
      expect.soft(Array.isArray(problem.errors) && problem.errors.length > 0, `errors: ${text.slice(0, 300)}`).toBe(true);
      for (const e of (Array.isArray(problem.errors) ? problem.errors : []) as Json[]) {
        expect.soft(typeof e.field === "string" && typeof e.message === "string" && e.message.length > 0, JSON.stringify(e)).toBe(true);
      }
    }
    if (c.field !== undefined) {
      const fields = ((problem.errors ?? []) as Json[]).map((e) => e.field);
      // The field itself, or a path inside it (component_ids.0 for a bad element of component_ids).
      const want = fill(c.field);
      const named = fields.some((f) => f === want || (want !== "" && typeof f === "string" && f.startsWith(`${want}.`)));
      expect.soft(named, `expected errors to name "${want}": ${JSON.stringify(problem.errors)}`).toBe(true);
    }
    expect(await snapshotDatabase(h.db), "the database changed").toBe(before);
    expect(h.changes.length, "a change event was emitted").toBe(changes);
  });

  test("no prototype was polluted by __proto__ / constructor keys", () => {
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeNames);
    expect(({} as Json).polluted).toBeUndefined();
    expect(({} as Json).role).toBeUndefined();
  });
});

describe("accepted text: stored and returned verbatim", () => {
  test.each(ACCEPTED)("$method $path · $name", async (c) => {
    const res = await send(c);
    const text = await res.text();
    expect(res.status, text.slice(0, 500)).toBe(c.expectStatus);
    expect(res.headers.get("content-type") ?? "").toMatch(/^application\/json/);
    const json = JSON.parse(text) as Json;
    const { collection, path, value } = c.readBack;
    expect(dig(json, path)).toBe(value);
    // Read it back through a GET: the stored value, not an echo of the request.
    const id = json.id as string;
    let stored: unknown;
    if (collection === "components" || collection === "keys") {
      const list = (await created(await h.call("GET", `${V}/${collection}`), 200)) as unknown as Json[];
      stored = list.find((x) => x.id === id);
    } else {
      stored = await created(await h.call("GET", `${V}/${collection}/${id}`), 200);
    }
    expect(dig(stored, path)).toBe(value);
  });

  test("the SQL-looking names were data: every table is still there and still answers", async () => {
    const name = "x'); DROP TABLE incidents;--";
    const incident = await created(await send({ method: "POST", path: `${V}/incidents`, body: { name, severity: "SEV4", body: "'; DELETE FROM api_keys;--" } }));
    const tables = await h.db.client.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name");
    expect(tables.rows.map((r) => String(r.name))).toEqual(
      expect.arrayContaining(["api_keys", "audit_log", "components", "idempotency_keys", "incident_updates", "incidents"]),
    );
    const incidents = (await created(await h.call("GET", `${V}/incidents?limit=100`), 200)) as unknown as Json[];
    expect(incidents.filter((i) => i.name === name).map((i) => i.id)).toEqual([incident.id]);
    const stored = await h.db.client.execute({ sql: "SELECT name FROM incidents WHERE id = ?", args: [incident.id as string] });
    expect(stored.rows.map((r) => r.name)).toEqual([name]);
    const body = await h.db.client.execute({ sql: "SELECT body FROM incident_updates WHERE incident_id = ?", args: [incident.id as string] });
    expect(body.rows.map((r) => r.body)).toEqual(["'; DELETE FROM api_keys;--"]);
    const keys = await h.db.client.execute("SELECT count(*) AS n FROM api_keys");
    expect(Number(keys.rows[0]!.n)).toBeGreaterThanOrEqual(3);
  });
});
