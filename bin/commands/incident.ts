/** `herald incident …`: declare, update, resolve, list, show and change incidents over the API. */
import { INCIDENT_STATUSES } from "../../domain/lifecycle.ts";
import {
  NOTICE_OPTION_NAMES,
  noticeSections,
  choice,
  componentStatuses,
  listFilter,
  nextUpdate,
  noMoreArgs,
  notify,
  requireArg,
  requireBody,
  requireOption,
  restAsText,
  ROLE_OPTION_NAMES,
  roles,
  severity,
} from "../arguments.ts";
import type { IncidentJson } from "../client.ts";
import { show, UsageError, type Command, type CommandGroup, type Values } from "../command.ts";
import * as fmt from "../format.ts";

/** `--started ISO` → `started_at`; the zone is required, so the time never depends on this machine's zone. */
function startedAt(values: Values): { started_at?: string } {
  const raw = values.started;
  if (raw === undefined) return {};
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(raw.trim()) || Number.isNaN(Date.parse(raw))) {
    throw new UsageError(`--started takes an ISO-8601 time with a zone, e.g. 2026-11-27T14:05:00Z; got "${raw}"`);
  }
  return { started_at: new Date(raw).toISOString() };
}

const commands: Command[] = [
  {
    name: "incident create",
    synopsis: 'SEVERITY "TITLE" --body TEXT [--component ID=STATUS]... [--status STATUS] [--next-update 30m|14:30] [--started ISO] [--commander @WHO] [--tech-lead @WHO] [--comms-lead @WHO] [--scribe @WHO] [--bridge URL] [--channel #NAME] [--no-notify]  |  [SEVERITY] ["TITLE"] --template SLUG [--body TEXT] …',
    summary: "Declare an incident. SEVERITY is SEV1..SEV4 (sev1 or 1 work too); status defaults to investigating. With --template, what you leave out comes from the template. Roles, bridge and channel are internal (never published).",
    example: 'herald incident create SEV1 "API Gateway Down" --body "Requests to the API are failing; we are investigating." --component k2j4h5g6f7d8=major_outage --next-update 30m --commander @alice',
    options: ["body", "component", "status", "no-notify", "template", "next-update", "started", ...ROLE_OPTION_NAMES],
    api: true,
    async run(ctx) {
      const template = ctx.values.template;
      let fields: { name?: string; severity?: string; body?: string };
      if (template === undefined) {
        const sev = severity(requireArg(ctx, 0, 'severity and title, e.g. SEV1 "API Gateway Down" (or --template SLUG)'));
        fields = { severity: sev, name: restAsText(ctx, 1, 'incident title, e.g. "API Gateway Down"'), body: requireBody(ctx.values) };
      } else {
        // With a template everything is optional: a leading SEV word is the severity, the rest the title.
        const leadingSeverity = ctx.args[0] !== undefined && /^(?:sev)?[\s-]?[1-4]$/i.test(ctx.args[0].trim());
        const title = ctx.args.slice(leadingSeverity ? 1 : 0).join(" ").trim();
        fields = {
          template,
          ...(leadingSeverity ? { severity: severity(ctx.args[0]!) } : {}),
          ...(title ? { name: title } : {}),
          ...(ctx.values.body !== undefined ? { body: requireBody(ctx.values) } : {}),
        } as typeof fields;
      }
      const status = ctx.values.status === undefined ? undefined : choice(ctx.values.status, INCIDENT_STATUSES, "status");
      const components = await componentStatuses(ctx);
      const response = await ctx.client().createIncident({
        ...fields, ...(status ? { status } : {}), ...(components ? { components } : {}), ...notify(ctx.values),
        ...nextUpdate(ctx.values), ...startedAt(ctx.values), ...roles(ctx.values),
      });
      show(ctx, response, (i) => [...fmt.describeChange(fmt.incidentHeadline("Declared", i), i), ...fmt.internalLines(i)]);
    },
  },
  {
    name: "incident update",
    synopsis: "ID --status STATUS --body TEXT [--component ID=STATUS]... [--next-update 30m|14:30] [--reopen] [--no-notify] [--impact MD --root-cause MD --resolution MD --prevention MD (with resolved)]",
    summary: `Post an update. STATUS is ${INCIDENT_STATUSES.join(", ")}; --reopen moves a resolved incident back; --next-update promises the next one.`,
    example: 'herald incident update h3k2m4n5p6q7 --status identified --body "A bad deploy of the gateway; rolling back." --next-update 14:30',
    options: ["status", "body", "component", "reopen", "no-notify", "next-update", ...NOTICE_OPTION_NAMES],
    api: true,
    async run(ctx) {
      const id = requireArg(ctx, 0, "incident id (see: herald incident list)");
      noMoreArgs(ctx, 1);
      const status = choice(requireOption(ctx.values, "status", `(${INCIDENT_STATUSES.join(", ")})`), INCIDENT_STATUSES, "status");
      const body = requireBody(ctx.values);
      const components = await componentStatuses(ctx);
      const response = await ctx.client().postIncidentUpdate(id, {
        status, body, ...(components ? { components } : {}), ...(ctx.values.reopen ? { reopen: true } : {}), ...notify(ctx.values),
        ...nextUpdate(ctx.values), ...noticeSections(ctx.values),
      });
      const verb = status === "resolved" ? "Resolved" : ctx.values.reopen ? "Reopened" : "Updated";
      show(ctx, response, (i) => fmt.describeChange(fmt.incidentHeadline(verb, i), i));
    },
  },
  {
    name: "incident resolve",
    synopsis: "ID --body TEXT [--impact MD] [--root-cause MD] [--resolution MD] [--prevention MD] [--component ID=STATUS]... [--no-notify]",
    summary: "Resolve an incident; its components return to operational unless --component says otherwise. --impact, --root-cause, --resolution and --prevention are the customer notice's sections (Markdown), shown under the resolution on the page, in the feeds and in the [RESOLVED] mail.",
    example: 'herald incident resolve INC-2026-001 --body "The gateway is healthy again." --root-cause "Database connection pool exhaustion due to a traffic spike" --prevention "- Alerts on pool usage"',
    options: ["body", "component", "no-notify", ...NOTICE_OPTION_NAMES],
    api: true,
    async run(ctx) {
      const id = requireArg(ctx, 0, "incident id (see: herald incident list)");
      noMoreArgs(ctx, 1);
      const body = requireBody(ctx.values);
      const components = await componentStatuses(ctx);
      const response = await ctx.client().postIncidentUpdate(id, {
        status: "resolved", body, ...(components ? { components } : {}), ...notify(ctx.values), ...noticeSections(ctx.values),
      });
      show(ctx, response, (i) => fmt.describeChange(fmt.incidentHeadline("Resolved", i), i));
    },
  },
  {
    name: "incident publish",
    synopsis: "ID [--name TITLE] [--body TEXT] [--no-notify]",
    summary: "Publish a draft incident an alert opened (see: herald incident list): customers and subscribers see it now, in your words if you give them.",
    example: 'herald incident publish h3k2m4n5p6q7 --body "Some API requests fail; we are rolling back the last deploy."',
    options: ["name", "body", "no-notify"],
    api: true,
    async run(ctx) {
      const id = requireArg(ctx, 0, "draft incident id (see: herald incident list)");
      noMoreArgs(ctx, 1);
      const response = await ctx.client().publishIncident(id, {
        ...(ctx.values.name !== undefined ? { name: ctx.values.name } : {}),
        ...(ctx.values.body !== undefined ? { body: ctx.values.body } : {}),
        ...notify(ctx.values),
      });
      show(ctx, response, (i) => [...fmt.describeChange(fmt.incidentHeadline("Published", i), i), i.shortlink]);
    },
  },
  {
    name: "incident list",
    synopsis: "[--open | --resolved]",
    summary: "List incidents, newest first.",
    example: "herald incident list --open",
    options: ["open", "resolved"],
    api: true,
    async run(ctx) {
      noMoreArgs(ctx, 0);
      const filter = listFilter(ctx.values);
      show(ctx, await ctx.client().listIncidents(filter), (list) => fmt.incidentTable(list));
    },
  },
  {
    name: "incident show",
    synopsis: "ID",
    summary: "One incident with all its updates.",
    example: "herald incident show h3k2m4n5p6q7",
    options: [],
    api: true,
    async run(ctx) {
      const id = requireArg(ctx, 0, "incident id (see: herald incident list)");
      noMoreArgs(ctx, 1);
      show(ctx, await ctx.client().getIncident(id), (i: IncidentJson) => fmt.incidentDetail(i));
    },
  },
  {
    name: "incident set",
    synopsis: "ID [--name TEXT] [--severity SEV] [--commander @WHO] [--tech-lead @WHO] [--comms-lead @WHO] [--scribe @WHO] [--bridge URL] [--channel #NAME]",
    summary: 'Rename an incident, change its severity, or set its roles, bridge and channel (internal; "" clears one).',
    example: 'herald incident set h3k2m4n5p6q7 --commander @alice --bridge https://zoom.us/j/123456789 --channel "#incident-2024-001"',
    options: ["name", "severity", ...ROLE_OPTION_NAMES],
    api: true,
    async run(ctx) {
      const id = requireArg(ctx, 0, "incident id (see: herald incident list)");
      noMoreArgs(ctx, 1);
      const body: Record<string, unknown> = { ...roles(ctx.values) };
      if (ctx.values.name !== undefined) body.name = ctx.values.name;
      if (ctx.values.severity !== undefined) body.severity = severity(ctx.values.severity);
      if (Object.keys(body).length === 0) throw new UsageError("nothing to change; give --name, --severity or a role option (see: herald help incident)");
      const response = await ctx.client().patchIncident(id, body);
      show(ctx, response, (i) => [`Changed incident ${i.id} "${i.name}" — ${[i.severity, i.status].filter(Boolean).join(" ")}`, ...fmt.internalLines(i)]);
    },
  },
];

export const incidentCommands: CommandGroup = { word: "incident", title: "Incidents", commands };
