import { z } from "zod";
import { COMPONENT_STATUSES } from "../domain/components.ts";
import { ROLES } from "../domain/roles.ts";
import { SEVERITIES } from "../domain/severity.ts";
import { SLUG_MAX, SLUG_PATTERN } from "../domain/templates.ts";

/**
 * The field schemas and limits the management API's request bodies are built from. Each body
 * schema sits beside its routes (api/routes/<resource>.ts); these schemas validate every
 * request and are also the source of `/api/v1/openapi.json`, so the documentation cannot drift
 * from the checks. Objects are strict: a misspelt field ("stauts") is refused, never silently ignored.
 */

export const LIMITS = {
  /** Whole request body, enforced before parsing (413 beyond it). */
  requestBytes: 64 * 1024,
  /** An Alertmanager group may hold thousands of alerts. */
  alertRequestBytes: 4 * 1024 * 1024,
  name: 255,
  description: 2_000,
  body: 20_000,
  /** A postmortem is longer than an update; still well within requestBytes. */
  postmortem: 50_000,
  actionItems: 100,
  actionItem: 500,
  componentsPerUpdate: 200,
} as const;

// Each rule is a pattern, so the OpenAPI document states it exactly as the server checks it (a
// schema-driven client or fuzzer then knows every refusal in advance). All use the `u` flag, as
// JSON Schema patterns do: a class of surrogates then matches only a lone, unpaired one.
/** Something besides white space: a name of spaces would be trimmed to nothing. */
const NOT_BLANK = /\S/u;
/** Control characters (C0 other than tab and newlines, DEL, and C1 such as U+009B, which terminals read as an escape sequence) never belong in text a customer will read. */
const NO_CONTROL_CHARS = /^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$/u;
const ONE_LINE_NO_CONTROL_CHARS = /^[^\u0000-\u001F\u007F-\u009F]*$/u;
/** A lone surrogate (half an emoji) cannot be stored or mailed faithfully. */
const WELL_FORMED = /^[^\uD800-\uDFFF]*$/u;

/** JSON Schema counts characters (code points), not UTF-16 units: so does Herald, so an emoji is one character in both. */
function atMostCharacters(label: string, max: number) {
  return z
    .string()
    .refine((v) => v.length <= max || [...v].length <= max, `${label} must be at most ${max} characters.`)
    .meta({ maxLength: max });
}

/** Text on one line. Length and rules apply to the text as sent; what is stored is trimmed. */
export function singleLine(label: string, max: number) {
  return atMostCharacters(label, max)
    .regex(NOT_BLANK, `${label} must not be empty.`)
    .regex(ONE_LINE_NO_CONTROL_CHARS, `${label} must be one line without control characters.`)
    .regex(WELL_FORMED, `${label} contains invalid Unicode.`)
    .trim();
}

/** Text of several lines (Markdown). Length and rules apply to the text as sent; what is stored is trimmed. */
export function multiLine(label: string, max: number) {
  return atMostCharacters(label, max)
    .regex(NOT_BLANK, `${label} must not be empty.`)
    .regex(NO_CONTROL_CHARS, `${label} must not contain control characters.`)
    .regex(WELL_FORMED, `${label} contains invalid Unicode.`)
    .trim();
}

export const componentId = z.string().regex(/^[0-9a-z]{12}$/, "Must be a 12-character component id.");
export const componentStatus = z.enum(COMPONENT_STATUSES);
export const severity = z.enum(SEVERITIES);
export const isoDateTime = z.iso.datetime({ offset: true, message: "Must be an ISO-8601 date-time with a time zone, e.g. 2026-11-27T14:00:00Z." });

export const componentStatuses = z
  .record(componentId, componentStatus)
  .refine((v) => Object.keys(v).length <= LIMITS.componentsPerUpdate, `At most ${LIMITS.componentsPerUpdate} components per update.`)
  .meta({ maxProperties: LIMITS.componentsPerUpdate })
  .describe("Component id → the status this update sets it to.");

/** The rules of request bodies that depend on stored data or on now, as `x-herald-rules` states them (see api/openapi.ts). */
export const RULES = {
  components: { field: "components.*", rule: "Each key must be the id of an existing component that is not a group." },
  nextUpdateAt: { field: "next_update_at", rule: "Must be in the future, at most 7 days ahead, and not on a resolving update." },
} as const;

export const templateSlug = z
  .string()
  .max(SLUG_MAX, `A template slug has at most ${SLUG_MAX} characters.`)
  .regex(SLUG_PATTERN, "A template slug is lowercase words joined by hyphens, e.g. database-outage.");

/** POST /api/v1/keys, and `herald keys create` checks its options with it too. */
export const NewKeySchema = z.strictObject({
  name: singleLine("name", LIMITS.name),
  role: z.enum(ROLES),
});
