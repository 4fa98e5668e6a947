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
  name: 255,
  description: 2_000,
  body: 20_000,
  /** A postmortem is longer than an update; still well within requestBytes. */
  postmortem: 50_000,
  actionItems: 100,
  actionItem: 500,
  componentsPerUpdate: 200,
} as const;

// Control characters (C0 other than tab and newlines, DEL, and C1 such as U+009B, which terminals
// read as an escape sequence) never belong in text a customer will read.
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const CONTROL_CHARS_OR_NEWLINE = /[\u0000-\u001F\u007F-\u009F]/;

const wellFormed = (value: string) => value.isWellFormed();

export function singleLine(label: string, max: number) {
  return z
    .string()
    .trim()
    .min(1, `${label} must not be empty.`)
    .max(max, `${label} must be at most ${max} characters.`)
    .refine(wellFormed, `${label} contains invalid Unicode.`)
    .refine((v) => !CONTROL_CHARS_OR_NEWLINE.test(v), `${label} must be one line without control characters.`);
}

export function multiLine(label: string, max: number) {
  return z
    .string()
    .trim()
    .min(1, `${label} must not be empty.`)
    .max(max, `${label} must be at most ${max} characters.`)
    .refine(wellFormed, `${label} contains invalid Unicode.`)
    .refine((v) => !CONTROL_CHARS.test(v), `${label} must not contain control characters.`);
}

export const componentId = z.string().regex(/^[0-9a-z]{12}$/, "Must be a 12-character component id.");
export const componentStatus = z.enum(COMPONENT_STATUSES);
export const severity = z.enum(SEVERITIES);
export const isoDateTime = z.iso.datetime({ offset: true, message: "Must be an ISO-8601 date-time with a time zone, e.g. 2026-11-27T14:00:00Z." });

export const componentStatuses = z
  .record(componentId, componentStatus)
  .refine((v) => Object.keys(v).length <= LIMITS.componentsPerUpdate, `At most ${LIMITS.componentsPerUpdate} components per update.`)
  .describe("Component id → the status this update sets it to.");

export const templateSlug = z
  .string()
  .max(SLUG_MAX, `A template slug has at most ${SLUG_MAX} characters.`)
  .regex(SLUG_PATTERN, "A template slug is lowercase words joined by hyphens, e.g. database-outage.");

/** POST /api/v1/keys, and `herald keys create` checks its options with it too. */
export const NewKeySchema = z.strictObject({
  name: singleLine("name", LIMITS.name),
  role: z.enum(ROLES),
});
