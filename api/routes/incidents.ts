/** Incidents: list, read, declare, change, and post updates. Drills and postmortems have modules of their own. */
import { z } from "zod";
import { INCIDENT_STATUSES } from "../../domain/lifecycle.ts";
import { NOTICE_FIELDS } from "../../domain/notice.ts";
import { LIMITS, RULES, componentStatuses, isoDateTime, multiLine, severity, singleLine, templateSlug } from "../schemas.ts";
import { createIncident, patchIncident, postIncidentUpdate, publishIncident } from "../service/incidents.ts";
import { incidentFromRequest } from "../service/templates.ts";
import { addIncidentGetRoute, addIncidentListRoute, incidentChange, incidentJsonIn } from "./incident-json.ts";
import { idParam, incidentIdParam, ResourceRoutes, type RouteContext } from "./kit.ts";

const nextUpdateAt = isoDateTime.optional().describe("When the next update is promised (ISO-8601); shown on the page as \"Next update: 14:30 UTC or sooner\".");

/** The seed's customer-notice sections (domain/notice.ts): Markdown, on the resolving update only. */
const noticeFields = {
  impact: multiLine("impact", LIMITS.body).optional().describe("IMPACT of the customer notice (Markdown), e.g. \"- API errors for 10% of requests\". Only with status resolved."),
  root_cause: multiLine("root_cause", LIMITS.body).optional().describe("ROOT CAUSE of the customer notice (Markdown). Only with status resolved."),
  resolution: multiLine("resolution", LIMITS.body).optional().describe("RESOLUTION of the customer notice (Markdown). Only with status resolved."),
  prevention: multiLine("prevention", LIMITS.body).optional().describe("PREVENTION of the customer notice (Markdown). Only with status resolved."),
};

const NOTICE_RULES = NOTICE_FIELDS.map((field) => ({ field, rule: "Only on an update with status resolved (an incident's resolution)." }));

const roleText = (label: string) => singleLine(label, LIMITS.name).nullable().optional().describe(`Internal, never published; null clears it.`);

/** The seed's roles and where the team meets: internal (management API only, never published). */
const roleFields = {
  incident_commander: roleText("incident_commander"),
  technical_lead: roleText("technical_lead"),
  communications_lead: roleText("communications_lead"),
  scribe: roleText("scribe"),
  bridge_url: singleLine("bridge_url", 2_000)
    // A pattern without flags, so the OpenAPI document can state it as it is checked.
    .regex(/^\s*[Hh][Tt][Tt][Pp][Ss]?:\/\/[^\s/]/, "bridge_url must be an http(s) URL.")
    .refine((v) => URL.canParse(v), "bridge_url must be an http(s) URL.")
    .meta({ format: "uri" })
    .nullable()
    .optional()
    .describe("Video bridge of the response team. Internal, never published."),
  channel: roleText("channel"),
};

const BRIDGE_URL_RULE = { field: "bridge_url", rule: "Must parse as a URL (WHATWG URL Standard)." };

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
    ...noticeFields,
  })
  .superRefine((value, ctx) => {
    if (value.template !== undefined) return;
    for (const field of ["name", "severity", "body"] as const) {
      if (value[field] === undefined) ctx.addIssue({ code: "custom", path: [field], message: `${field} is required unless a template is given.` });
    }
  })
  // The same rule for the OpenAPI document: a template, or name, severity and body.
  .meta({ anyOf: [{ required: ["template"] }, { required: ["name", "severity", "body"] }] });

export const NewIncidentUpdateSchema = z.strictObject({
  status: z.enum(INCIDENT_STATUSES),
  body: multiLine("body", LIMITS.body),
  components: componentStatuses.optional(),
  deliver_notifications: z.boolean().optional(),
  reopen: z.boolean().optional().describe("Required to move a resolved incident back to an open status."),
  next_update_at: nextUpdateAt,
  ...noticeFields,
});

const IncidentPatchSchema = z
  .strictObject({
    name: singleLine("name", LIMITS.name).optional(),
    severity: severity.optional(),
    ...roleFields,
  })
  .refine((v) => Object.values(v).some((value) => value !== undefined), "Give at least one field to change.")
  .meta({ minProperties: 1 });

export function incidentRoutes(ctx: RouteContext): ResourceRoutes {
  const { write } = ctx;
  const routes = new ResourceRoutes();

  addIncidentListRoute(routes, ctx, "incident", "/incidents", "List incidents, newest first");
  addIncidentGetRoute(routes, ctx, "incident", "/incidents/:id", "One incident with all its updates");

  routes.add(
    { method: "post", path: "/incidents", summary: "Declare an incident", action: "incident:write", body: NewIncidentSchema, success: 201, rules: [
      RULES.components,
      RULES.nextUpdateAt,
      { field: "started_at", rule: "Must not be later than now." },
      { field: "template", rule: "Must be the slug of an existing template whose components all still exist." },
      BRIDGE_URL_RULE,
      ...NOTICE_RULES,
    ] },
    async (c, body, raw) =>
      write(c, raw, 201, incidentChange("incident"), async (w) => incidentJsonIn(ctx, w, await createIncident(w, await incidentFromRequest(w.tx, body)))),
  );

  routes.add(
    { method: "patch", path: "/incidents/:id", summary: "Rename an incident, change its severity, roles, bridge or channel", action: "incident:write", body: IncidentPatchSchema, success: 200, rules: [BRIDGE_URL_RULE] },
    async (c, body, raw) => {
      const id = await incidentIdParam(c, ctx.db.client, "incident");
      return write(c, raw, 200, incidentChange("incident"), async (w) => incidentJsonIn(ctx, w, await patchIncident(w, id, body)));
    },
  );

  routes.add(
    { method: "post", path: "/incidents/:id/updates", summary: "Post an update (status change) to an incident", action: "incident:write", body: NewIncidentUpdateSchema, success: 201, rules: [RULES.components, RULES.nextUpdateAt, ...NOTICE_RULES] },
    async (c, body, raw) => {
      const id = await incidentIdParam(c, ctx.db.client, "incident");
      return write(c, raw, 201, incidentChange("incident"), async (w) => incidentJsonIn(ctx, w, (await postIncidentUpdate(w, id, body)).incident));
    },
  );

  routes.add(
    { method: "post", path: "/incidents/:id/publish", summary: "Publish a draft incident (opened by an alert), optionally with its words edited", action: "incident:write", body: PublishDraftSchema, success: 200 },
    async (c, body, raw) => {
      const id = await incidentIdParam(c, ctx.db.client, "incident");
      return write(c, raw, 200, incidentChange("incident"), async (w) => incidentJsonIn(ctx, w, await publishIncident(w, id, body)));
    },
  );

  return routes;
}

export const PublishDraftSchema = z.strictObject({
  name: singleLine("name", LIMITS.name).optional().describe("The incident's title as customers will read it."),
  severity: severity.optional(),
  body: multiLine("body", LIMITS.body).optional().describe("The first words customers read; default: the draft's (from its template)."),
  deliver_notifications: z.boolean().optional().describe("Mail and webhook subscribers (default true)."),
});
