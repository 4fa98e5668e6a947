/**
 * Request values drawn from a JSON Schema (the subset `/api/v1/openapi.json` uses), as fast-check
 * arbitraries: what a schema-driven fuzzer such as Schemathesis would send. The ids and slugs of
 * seeded resources are offered beside random ones, so requests also reach the success paths.
 */
import fc from "fast-check";

export type JsonSchema = Record<string, any>;

export interface Known {
  /** Ids of real resources (components, incidents, …) to offer for `^[0-9a-z]{12}$`. */
  ids: readonly string[];
  /** Ids of real components and groups: the only ids request bodies carry. */
  componentIds: readonly string[];
  /** Slugs of real templates to offer for a slug pattern. */
  slugs: readonly string[];
}

const ID_PATTERN = "^[0-9a-z]{12}$";
/** An incident named by id or number (api/openapi.ts INCIDENT_REF_PATTERN). */
const INCIDENT_REF_PATTERN = "^(?:[0-9a-z]{12}|(?:INC|DRILL|inc|drill)-[0-9]{4}-[0-9]{1,9})$";
/** Longest string generated for an unbounded or long field; boundaries are tried separately. */
const TYPICAL_LENGTH = 40;

const codePoints = (s: string) => [...s].length;

/** Strings a status page is fed in real life: markup, entities, right-to-left, emoji, padding. */
const INTERESTING_TEXT = ["<script>alert(1)</script>", "Tom & Jerry's \"API\"", "שלום עולם", "🔥 Fire", "  padded  ", "**bold** _text_", "a\tb", "line one\nline two", "é", "\u00a0x\u00a0"];

function textArbitrary(schema: JsonSchema): fc.Arbitrary<string> {
  const patterns = [schema.pattern, ...(schema.allOf ?? []).map((s: JsonSchema) => s.pattern)].filter(Boolean).map((p: string) => new RegExp(p, "u"));
  const min = schema.minLength ?? 0;
  const max = schema.maxLength ?? 1_000;
  const typical = Math.min(max, TYPICAL_LENGTH);
  return fc
    .oneof(
      { weight: 4, arbitrary: fc.string({ unit: "grapheme-ascii", minLength: min, maxLength: typical }) },
      { weight: 3, arbitrary: fc.string({ unit: "grapheme", minLength: min, maxLength: typical }) },
      { weight: 2, arbitrary: fc.constantFrom(...INTERESTING_TEXT) },
      // At the limit exactly, counted in characters (an emoji is one, as JSON Schema counts).
      { weight: 1, arbitrary: fc.constantFrom("x".repeat(max), "🔥".repeat(max), ` ${"y".repeat(Math.max(0, max - 2))} `) },
    )
    .filter((s) => codePoints(s) >= min && codePoints(s) <= max && patterns.every((p: RegExp) => p.test(s)));
}

function stringArbitrary(schema: JsonSchema, known: Known): fc.Arbitrary<string> {
  if (schema.enum) return fc.constantFrom(...(schema.enum as string[]));
  if (schema.format === "date-time") {
    const date = fc.date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2035-12-31T23:59:59Z"), noInvalidDate: true });
    // Now and soon are where the rules live (started_at, next_update_at), so they are offered often.
    const near = fc.integer({ min: -3 * 86_400, max: 8 * 86_400 }).map((s) => new Date(Date.now() + s * 1000));
    const offset = fc.constantFrom("Z", "+00:00", "+05:30", "-08:00");
    return fc.tuple(fc.oneof(date, near), offset).map(([d, z]) => {
      const iso = d.toISOString().slice(0, 19);
      if (z === "Z") return `${iso}Z`;
      // Write the same instant in the offset's local time.
      const sign = z[0] === "+" ? 1 : -1;
      const minutes = sign * (Number(z.slice(1, 3)) * 60 + Number(z.slice(4, 6)));
      return `${new Date(d.getTime() + minutes * 60_000).toISOString().slice(0, 19)}${z}`;
    });
  }
  if (schema.format === "date") {
    return fc.date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2035-12-31T00:00:00Z"), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
  }
  if (schema.format === "uri") {
    return fc.webUrl({ validSchemes: ["https", "http"] }).filter((u) => codePoints(u) <= (schema.maxLength ?? Infinity));
  }
  if (schema.pattern === ID_PATTERN && known.ids.length > 0) {
    return fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...known.ids) }, { weight: 1, arbitrary: fc.stringMatching(/^[0-9a-z]{12}$/) });
  }
  if (schema.pattern === INCIDENT_REF_PATTERN && known.ids.length > 0) {
    return fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...known.ids) },
      { weight: 1, arbitrary: fc.stringMatching(/^[0-9a-z]{12}$/) },
      { weight: 1, arbitrary: fc.tuple(fc.constantFrom("INC", "DRILL", "inc"), fc.integer({ min: 2000, max: 2099 }), fc.integer({ min: 1, max: 20 })).map(([s, y, n]) => `${s}-${y}-${String(n).padStart(3, "0")}`) },
    );
  }
  if (schema.pattern && !schema.allOf) {
    const matching = fc.stringMatching(new RegExp(schema.pattern, "u")).filter((s) => codePoints(s) >= (schema.minLength ?? 0) && codePoints(s) <= (schema.maxLength ?? Infinity));
    const slugLike = known.slugs.filter((s) => new RegExp(schema.pattern, "u").test(s));
    return slugLike.length > 0 ? fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...slugLike) }, { weight: 1, arbitrary: matching }) : matching;
  }
  return textArbitrary(schema);
}

function objectArbitrary(schema: JsonSchema, known: Known): fc.Arbitrary<Record<string, unknown>> {
  if (schema.anyOf) {
    // An object-level anyOf of `required` lists (a template, or name, severity and body): one branch at a time.
    const { anyOf, ...rest } = schema;
    return fc.oneof(...(anyOf as JsonSchema[]).map((branch) => objectArbitrary({ ...rest, required: [...new Set([...(rest.required ?? []), ...(branch.required ?? [])])] }, known)));
  }
  const properties: Record<string, JsonSchema> = schema.properties ?? {};
  const required: string[] = schema.required ?? [];
  let object: fc.Arbitrary<Record<string, unknown>>;
  if (Object.keys(properties).length > 0) {
    const model = Object.fromEntries(Object.entries(properties).map(([name, s]) => [name, arbitraryFor(s, known)]));
    object = fc.record(model, { requiredKeys: required }) as fc.Arbitrary<Record<string, unknown>>;
  } else if (schema.additionalProperties && typeof schema.additionalProperties === "object") {
    const keys = schema.propertyNames ? stringArbitrary({ type: "string", ...schema.propertyNames }, known) : fc.string({ minLength: 1, maxLength: 10 });
    object = fc.dictionary(keys, arbitraryFor(schema.additionalProperties, known), { maxKeys: Math.min(schema.maxProperties ?? 4, 4) }) as fc.Arbitrary<Record<string, unknown>>;
  } else {
    object = fc.constant({});
  }
  const minProperties = schema.minProperties ?? 0;
  return minProperties > 0 ? object.filter((o) => Object.keys(o).length >= minProperties) : object;
}

/** An arbitrary for values that match `schema`; `known.ids` are offered for ids (path parameters). */
export function arbitraryFor(schema: JsonSchema, known: Known): fc.Arbitrary<unknown> {
  if (schema.type === "object") return objectArbitrary(schema, known);
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map((s: JsonSchema) => arbitraryFor(s, known)));
  switch (schema.type) {
    case "null":
      return fc.constant(null);
    case "boolean":
      return fc.boolean();
    case "integer":
      return fc.integer({ min: schema.minimum ?? -1_000_000, max: schema.maximum ?? 1_000_000 });
    case "string":
      return stringArbitrary(schema, known);
    case "array":
      return fc.array(arbitraryFor(schema.items ?? {}, known), { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 3, 3) });
    default:
      throw new Error(`The fuzzer does not know this schema: ${JSON.stringify(schema)}`);
  }
}

/** A value of the wrong JSON type for `schema` (a schema-driven fuzzer's negative case). */
/** An arbitrary for request bodies: the ids in them are component ids, so those are offered. */
export function bodyArbitrary(schema: JsonSchema, known: Known): fc.Arbitrary<unknown> {
  return arbitraryFor(schema, { ...known, ids: known.componentIds });
}

export function wrongTypeFor(schema: JsonSchema): unknown {
  const types = new Set<string>(schema.anyOf ? schema.anyOf.map((s: JsonSchema) => s.type) : [schema.type]);
  if (!types.has("integer") && !types.has("number")) return 12_345;
  if (!types.has("string")) return "not a number";
  return { unexpected: true };
}
