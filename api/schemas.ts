import { z } from "zod";
import { COMPONENT_STATUSES } from "../domain/components.ts";
import { INCIDENT_STATUSES, MAINTENANCE_STATUSES } from "../domain/lifecycle.ts";
import { ROLES } from "../domain/roles.ts";
import { SEVERITIES } from "../domain/severity.ts";
import { SLUG_MAX, SLUG_PATTERN } from "../domain/templates.ts";

/**
 * Request bodies of the management API. These schemas validate every request and are also
 * the source of `/api/v1/openapi.json`, so the documentation cannot drift from the checks.
 * Objects are strict: a misspelt field ("stauts") is refused, never silently ignored.
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

function singleLine(label: string, max: number) {
  return z
    .string()
    .trim()
    .min(1, `${label} must not be empty.`)
    .max(max, `${label} must be at most ${max} characters.`)
    .refine(wellFormed, `${label} contains invalid Unicode.`)
    .refine((v) => !CONTROL_CHARS_OR_NEWLINE.test(v), `${label} must be one line without control characters.`);
}

function multiLine(label: string, max: number) {
  return z
    .string()
    .trim()
    .min(1, `${label} must not be empty.`)
    .max(max, `${label} must be at most ${max} characters.`)
    .refine(wellFormed, `${label} contains invalid Unicode.`)
    .refine((v) => !CONTROL_CHARS.test(v), `${label} must not contain control characters.`);
}

export const componentId = z.string().regex(/^[0-9a-z]{12}$/, "Must be a 12-character component id.");
const componentStatus = z.enum(COMPONENT_STATUSES);
const severity = z.enum(SEVERITIES);
const position = z.int().min(1).max(1_000_000);
const isoDateTime = z.iso.datetime({ offset: true, message: "Must be an ISO-8601 date-time with a time zone, e.g. 2026-11-27T14:00:00Z." });

const componentStatuses = z
  .record(componentId, componentStatus)
  .refine((v) => Object.keys(v).length <= LIMITS.componentsPerUpdate, `At most ${LIMITS.componentsPerUpdate} components per update.`)
  .describe("Component id → the status this update sets it to.");

export const NewComponentSchema = z.strictObject({
  name: singleLine("name", LIMITS.name),
  description: multiLine("description", LIMITS.description).nullable().optional(),
  group: singleLine("group", LIMITS.name).optional().describe("Name of the group to put the component in; created if missing."),
  group_id: componentId.nullable().optional().describe("Id of an existing group."),
  position: position.optional(),
  status: componentStatus.optional(),
  showcase: z.boolean().optional().describe("Show the 90-day uptime bar."),
  only_show_if_degraded: z.boolean().optional(),
  start_date: z.iso.date().nullable().optional(),
});

export const ComponentPatchSchema = z.strictObject({
  name: singleLine("name", LIMITS.name).optional(),
  description: multiLine("description", LIMITS.description).nullable().optional(),
  group_id: componentId.nullable().optional(),
  position: position.optional(),
  status: componentStatus.optional(),
  showcase: z.boolean().optional(),
  only_show_if_degraded: z.boolean().optional(),
  start_date: z.iso.date().nullable().optional(),
});

const nextUpdateAt = isoDateTime.optional().describe("When the next update is promised (ISO-8601); shown on the page as \"Next update: 14:30 UTC or sooner\".");

const roleText = (label: string) => singleLine(label, LIMITS.name).nullable().optional().describe(`Internal, never published; null clears it.`);

/** The seed's roles and where the team meets: internal (management API only, never published). */
const roleFields = {
  incident_commander: roleText("incident_commander"),
  technical_lead: roleText("technical_lead"),
  communications_lead: roleText("communications_lead"),
  scribe: roleText("scribe"),
  bridge_url: singleLine("bridge_url", 2_000)
    .refine((v) => /^https?:\/\/[^\s/]+/i.test(v) && URL.canParse(v), "bridge_url must be an http(s) URL.")
    .nullable()
    .optional()
    .describe("Video bridge of the response team. Internal, never published."),
  channel: roleText("channel"),
};

export const templateSlug = z
  .string()
  .max(SLUG_MAX, `A template slug has at most ${SLUG_MAX} characters.`)
  .regex(SLUG_PATTERN, "A template slug is lowercase words joined by hyphens, e.g. database-outage.");

export const NewIncidentSchema = z
  .strictObject({
    template: templateSlug.optional().describe("Slug of an incident template; fields given here win over the template's."),
    name: singleLine("name", LIMITS.name).optional().describe("Required unless a template is given."),
    severity: severity.optional().describe("Required unless a template is given."),
    body: multiLine("body", LIMITS.body).optional().describe("Markdown shown to customers. Required unless a template is given."),
    status: z.enum(INCIDENT_STATUSES).optional().describe("Defaults to investigating."),
    components: componentStatuses.optional().describe("Component id → status; replaces the template's components when given."),
    deliver_notifications: z.boolean().optional().describe("Defaults to true."),
    started_at: isoDateTime.optional().describe("When it began, if before now; its response time counts from here. Defaults to now."),
    next_update_at: nextUpdateAt,
    drill: z.boolean().optional().describe("A practice incident: only on its unlisted preview page and the internal channel."),
    ...roleFields,
  })
  .superRefine((value, ctx) => {
    if (value.template !== undefined) return;
    for (const field of ["name", "severity", "body"] as const) {
      if (value[field] === undefined) ctx.addIssue({ code: "custom", path: [field], message: `${field} is required unless a template is given.` });
    }
  })
  // The same rule for the OpenAPI document: a template, or name, severity and body.
  .meta({ anyOf: [{ required: ["template"] }, { required: ["name", "severity", "body"] }] });

export const NewTemplateSchema = z.strictObject({
  slug: templateSlug,
  name: singleLine("name", LIMITS.name).describe("What the template is for, e.g. Database outage."),
  title: singleLine("title", LIMITS.name).nullable().optional().describe("The incident's title; defaults to the name."),
  severity,
  body: multiLine("body", LIMITS.body).describe("The first update's words (Markdown)."),
  components: componentStatuses.optional(),
});

export const TemplatePatchSchema = z
  .strictObject({
    name: singleLine("name", LIMITS.name).optional(),
    title: singleLine("title", LIMITS.name).nullable().optional(),
    severity: severity.optional(),
    body: multiLine("body", LIMITS.body).optional(),
    components: componentStatuses.optional(),
  })
  .refine((v) => Object.keys(v).length > 0, "Give at least one field to change.");

export const NewIncidentUpdateSchema = z.strictObject({
  status: z.enum(INCIDENT_STATUSES),
  body: multiLine("body", LIMITS.body),
  components: componentStatuses.optional(),
  deliver_notifications: z.boolean().optional(),
  reopen: z.boolean().optional().describe("Required to move a resolved incident back to an open status."),
  next_update_at: nextUpdateAt,
});

export const IncidentPatchSchema = z
  .strictObject({
    name: singleLine("name", LIMITS.name).optional(),
    severity: severity.optional(),
    ...roleFields,
  })
  .refine((v) => Object.values(v).some((value) => value !== undefined), "Give at least one field to change.");

export const NewMaintenanceSchema = z.strictObject({
  name: singleLine("name", LIMITS.name),
  body: multiLine("body", LIMITS.body),
  scheduled_for: isoDateTime,
  scheduled_until: isoDateTime,
  component_ids: z.array(componentId).max(LIMITS.componentsPerUpdate),
  deliver_notifications: z.boolean().optional(),
  /** Go in progress when the window opens (default true; Statuspage's name). */
  scheduled_auto_in_progress: z.boolean().optional(),
  /** Complete when the window closes (default true). */
  scheduled_auto_completed: z.boolean().optional(),
});

export const NewMaintenanceUpdateSchema = z.strictObject({
  status: z.enum(MAINTENANCE_STATUSES),
  body: multiLine("body", LIMITS.body),
  components: componentStatuses.optional(),
  deliver_notifications: z.boolean().optional(),
});

export const NewKeySchema = z.strictObject({
  name: singleLine("name", LIMITS.name),
  role: z.enum(ROLES),
});

export const IncidentListQuerySchema = z.strictObject({
  status: z.enum(["open", "resolved"]).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
  page: z.coerce.number().int().min(1).max(100_000).optional(),
});

export const ActionItemSchema = z.strictObject({
  description: singleLine("description", LIMITS.actionItem),
  owner: singleLine("owner", LIMITS.name).nullable().optional().describe("Who owns it, e.g. @alice."),
  due_date: z.iso.date("Must be a date, e.g. 2024-01-17.").nullable().optional(),
  done: z.boolean().optional().describe("Defaults to false."),
});

export const PostmortemSchema = z.strictObject({
  body: multiLine("body", LIMITS.postmortem).describe("Markdown shown to customers once published."),
  action_items: z
    .array(ActionItemSchema)
    .max(LIMITS.actionItems, `At most ${LIMITS.actionItems} action items.`)
    .optional()
    .describe("Replaces the whole list when given; left unchanged when omitted."),
});

export const PublishPostmortemSchema = z.strictObject({
  notify_subscribers: z.boolean().optional().describe("Mail the postmortem to subscribers (once per postmortem). Defaults to false."),
});
