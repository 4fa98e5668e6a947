#!/usr/bin/env node
/**
 * herald — the comms lead's command line for Herald.
 *
 *   herald incident create SEV1 "API Gateway Down" --body "We are investigating." --component <id>=major_outage
 *
 * API keys are managed on the local database (DATABASE_URL); everything else goes through the
 * HTTP API (--url / HERALD_URL, --token / HERALD_TOKEN). `herald help` lists every command.
 *
 * Exit codes: 0 done, 1 refused by Herald (or unreachable), 2 usage error.
 */
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { COMPONENT_STATUSES } from "../api/domain/components.ts";
import { isId } from "../api/domain/ids.ts";
import { INCIDENT_STATUSES, MAINTENANCE_STATUSES } from "../api/domain/lifecycle.ts";
import { ROLES, type Role } from "../api/domain/roles.ts";
import { SEVERITIES } from "../api/domain/severity.ts";
import { ApiError, createHeraldClient, UnreachableError, type ApiResponse, type ComponentJson, type HeraldClient, type IncidentJson } from "./client.ts";
import * as fmt from "./format.ts";
import { createKeyLocally, listKeysLocally, revokeKeyLocally, type KeyDatabase } from "./keys.ts";

const DEFAULT_URL = "http://localhost:8080";
/**
 * `npm start` runs in the project root and opens file:data/herald.db there; so does this CLI
 * by default, even when started from a subdirectory (a cwd-relative path would quietly make a
 * second, empty database). An explicit DATABASE_URL is used exactly as given.
 */
const DEFAULT_DATABASE_URL = `file:${fileURLToPath(new URL("../data/herald.db", import.meta.url))}`;

// Every option of every command; each command says below which of them it accepts.
const OPTIONS = {
  help: { type: "boolean", short: "h" },
  json: { type: "boolean" },
  url: { type: "string" },
  token: { type: "string" },
  body: { type: "string" },
  status: { type: "string" },
  component: { type: "string", multiple: true },
  "no-notify": { type: "boolean" },
  reopen: { type: "boolean" },
  open: { type: "boolean" },
  resolved: { type: "boolean" },
  group: { type: "string" },
  description: { type: "string" },
  start: { type: "string" },
  end: { type: "string" },
  name: { type: "string" },
  role: { type: "string" },
  template: { type: "string" },
  severity: { type: "string" },
  title: { type: "string" },
} as const;

type OptionName = keyof typeof OPTIONS;

function parse(argv: string[]) {
  return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
}

type Values = ReturnType<typeof parse>["values"];

/** Wrong invocation: exit 2. */
class UsageError extends Error {}
/** Refused locally (unknown component name, bad key id, …): exit 1. */
class CliError extends Error {}

interface Io {
  out(text: string): void;
  err(text: string): void;
}

interface Ctx {
  /** Positional arguments after the command words. */
  args: string[];
  values: Values;
  env: NodeJS.ProcessEnv;
  io: Io;
  /** Writes lines (or one JSON text) to stdout. */
  print(lines: string | string[]): void;
  client(): HeraldClient;
  database(): KeyDatabase;
}

interface Command {
  /** The command words, e.g. "incident create". */
  name: string;
  /** Arguments after the command words, for the usage line. */
  synopsis: string;
  summary: string;
  example: string;
  /** Options it accepts besides --help and --json (API commands also take --url and --token). */
  options: OptionName[];
  api: boolean;
  run(ctx: Ctx): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Argument helpers

const normalizeWord = (raw: string) => raw.trim().toLowerCase().replace(/[\s-]+/g, "_");

function choice<T extends string>(raw: string, choices: readonly T[], what: string): T {
  const value = normalizeWord(raw);
  if (!(choices as readonly string[]).includes(value)) throw new UsageError(`${what} must be one of ${choices.join(", ")}; got "${raw}"`);
  return value as T;
}

/** SEV1, sev1, Sev-1 and 1 all mean SEV1. */
function severity(raw: string): string {
  const match = /^(?:sev)?[\s-]?([1-4])$/i.exec(raw.trim());
  if (!match) throw new UsageError(`severity must be ${SEVERITIES.join(", ")} (or sev1, 1, …); got "${raw}"`);
  return `SEV${match[1]}`;
}

function requireOption(values: Values, name: "body" | "status" | "start" | "end" | "name" | "role" | "severity", hint: string): string {
  const value = values[name];
  if (value === undefined) throw new UsageError(`missing --${name} ${hint}`);
  if (value.trim() === "") throw new UsageError(`--${name} must not be empty`);
  return value;
}

const requireBody = (values: Values) => requireOption(values, "body", '"…" (the text customers will read)');

function requireArg(ctx: Ctx, index: number, what: string): string {
  const value = ctx.args[index];
  if (value === undefined || value.trim() === "") throw new UsageError(`missing ${what}`);
  return value;
}

function noMoreArgs(ctx: Ctx, count: number): void {
  if (ctx.args.length > count) throw new UsageError(`unexpected argument "${ctx.args[count]}" (quote text that contains spaces)`);
}

/** Free text made of the remaining words, so an unquoted title still works. */
function restAsText(ctx: Ctx, from: number, what: string): string {
  const text = ctx.args.slice(from).join(" ").trim();
  if (text === "") throw new UsageError(`missing ${what}`);
  return text;
}

/** `--component ID=STATUS` (repeatable) → [ref, status] pairs; ref is an id or a component name. */
function componentStatusArgs(values: Values): Array<[string, string]> {
  return (values.component ?? []).map((arg) => {
    const at = arg.lastIndexOf("=");
    if (at <= 0) throw new UsageError(`--component takes ID=STATUS, e.g. --component k2j4h5g6f7d8=major_outage; got "${arg}"`);
    return [arg.slice(0, at).trim(), choice(arg.slice(at + 1), COMPONENT_STATUSES, "component status")];
  });
}

/**
 * Turns component refs (ids, or exact names as `herald component list` shows them) into ids.
 * An unknown id-shaped ref is passed on, so Herald's own error names it.
 */
function resolveComponent(ref: string, components: readonly ComponentJson[]): string {
  if (components.some((c) => c.id === ref)) return ref;
  const named = components.filter((c) => c.name.toLowerCase() === ref.toLowerCase());
  const leaves = named.filter((c) => !c.group);
  if (leaves.length === 1) return leaves[0]!.id;
  if (leaves.length > 1) throw new CliError(`${leaves.length} components are named "${ref}"; use an id (see: herald component list)`);
  if (isId(ref)) return ref;
  if (named.length > 0) throw new CliError(`"${ref}" is a group; name its components instead (see: herald component list)`);
  throw new CliError(`no component "${ref}" (see: herald component list)`);
}

async function componentStatuses(ctx: Ctx): Promise<Record<string, string> | undefined> {
  const pairs = componentStatusArgs(ctx.values);
  if (pairs.length === 0) return undefined;
  const { data: components } = await ctx.client().listComponents();
  return Object.fromEntries(pairs.map(([ref, status]) => [resolveComponent(ref, components), status]));
}

function notify(values: Values): { deliver_notifications?: false } {
  return values["no-notify"] ? { deliver_notifications: false } : {};
}

function listFilter(values: Values): "open" | "resolved" | undefined {
  if (values.open && values.resolved) throw new UsageError("give --open or --resolved, not both");
  return values.open ? "open" : values.resolved ? "resolved" : undefined;
}

/** `--json` prints the API's response as is; otherwise the human lines. */
function show<T>(ctx: Ctx, response: ApiResponse<T>, lines: (data: T) => string[]): void {
  if (response.replayed) ctx.io.err("herald: note: Herald had already applied this request; showing its stored result.");
  ctx.print(ctx.values.json ? JSON.stringify(response.data, null, 2) : lines(response.data));
}

// ---------------------------------------------------------------------------------------------
// Commands

const COMMANDS: Command[] = [
  {
    name: "incident create",
    synopsis: 'SEVERITY "TITLE" --body TEXT [--component ID=STATUS]... [--status STATUS] [--no-notify]  |  [SEVERITY] ["TITLE"] --template SLUG [--body TEXT] …',
    summary: "Declare an incident. SEVERITY is SEV1..SEV4 (sev1 or 1 work too); status defaults to investigating. With --template, what you leave out comes from the template.",
    example: 'herald incident create SEV1 "API Gateway Down" --body "Requests to the API are failing; we are investigating." --component k2j4h5g6f7d8=major_outage',
    options: ["body", "component", "status", "no-notify", "template"],
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
      });
      show(ctx, response, (i) => fmt.describeChange(fmt.incidentHeadline("Declared", i), i));
    },
  },
  {
    name: "incident update",
    synopsis: "ID --status STATUS --body TEXT [--component ID=STATUS]... [--reopen] [--no-notify]",
    summary: `Post an update. STATUS is ${INCIDENT_STATUSES.join(", ")}; --reopen moves a resolved incident back.`,
    example: 'herald incident update h3k2m4n5p6q7 --status identified --body "A bad deploy of the gateway; rolling back."',
    options: ["status", "body", "component", "reopen", "no-notify"],
    api: true,
    async run(ctx) {
      const id = requireArg(ctx, 0, "incident id (see: herald incident list)");
      noMoreArgs(ctx, 1);
      const status = choice(requireOption(ctx.values, "status", `(${INCIDENT_STATUSES.join(", ")})`), INCIDENT_STATUSES, "status");
      const body = requireBody(ctx.values);
      const components = await componentStatuses(ctx);
      const response = await ctx.client().postIncidentUpdate(id, {
        status, body, ...(components ? { components } : {}), ...(ctx.values.reopen ? { reopen: true } : {}), ...notify(ctx.values),
      });
      const verb = status === "resolved" ? "Resolved" : ctx.values.reopen ? "Reopened" : "Updated";
      show(ctx, response, (i) => fmt.describeChange(fmt.incidentHeadline(verb, i), i));
    },
  },
  {
    name: "incident resolve",
    synopsis: "ID --body TEXT [--component ID=STATUS]... [--no-notify]",
    summary: "Resolve an incident; its components return to operational unless --component says otherwise.",
    example: 'herald incident resolve h3k2m4n5p6q7 --body "The gateway is healthy again. Sorry for the disruption."',
    options: ["body", "component", "no-notify"],
    api: true,
    async run(ctx) {
      const id = requireArg(ctx, 0, "incident id (see: herald incident list)");
      noMoreArgs(ctx, 1);
      const body = requireBody(ctx.values);
      const components = await componentStatuses(ctx);
      const response = await ctx.client().postIncidentUpdate(id, {
        status: "resolved", body, ...(components ? { components } : {}), ...notify(ctx.values),
      });
      show(ctx, response, (i) => fmt.describeChange(fmt.incidentHeadline("Resolved", i), i));
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
    name: "component add",
    synopsis: 'NAME [--group GROUP] [--description TEXT] [--status STATUS]',
    summary: "Add a component (admin key). A --group that does not exist yet is created.",
    example: 'herald component add "API" --group "Core" --description "Public REST API"',
    options: ["group", "description", "status"],
    api: true,
    async run(ctx) {
      const name = restAsText(ctx, 0, 'component name, e.g. herald component add "API"');
      const status = ctx.values.status === undefined ? undefined : choice(ctx.values.status, COMPONENT_STATUSES, "status");
      const { group, description } = ctx.values;
      const response = await ctx.client().createComponent({
        name, ...(group !== undefined ? { group } : {}), ...(description !== undefined ? { description } : {}), ...(status ? { status } : {}),
      });
      show(ctx, response, (c) => [`Added component ${c.id} "${c.name}"${group !== undefined ? ` in group "${group}"` : ""} — ${c.status}`]);
    },
  },
  {
    name: "component set",
    synopsis: "ID STATUS",
    summary: `Set a component's status (admin key): ${COMPONENT_STATUSES.join(", ")}.`,
    example: "herald component set k2j4h5g6f7d8 degraded_performance",
    options: [],
    api: true,
    async run(ctx) {
      const ref = requireArg(ctx, 0, "component id and status, e.g. herald component set k2j4h5g6f7d8 major_outage");
      const status = choice(requireArg(ctx, 1, `status (${COMPONENT_STATUSES.join(", ")})`), COMPONENT_STATUSES, "status");
      noMoreArgs(ctx, 2);
      const client = ctx.client();
      const { data: components } = await client.listComponents();
      const id = resolveComponent(ref, components);
      const before = components.find((c) => c.id === id);
      const response = await client.patchComponent(id, { status });
      show(ctx, response, (c) => [
        `Set component ${c.id} "${c.name}": ${before && before.status !== c.status ? `${before.status} → ${c.status}` : `${c.status} (unchanged)`}`,
      ]);
    },
  },
  {
    name: "component list",
    synopsis: "",
    summary: "List components and groups with their status.",
    example: "herald component list",
    options: [],
    api: true,
    async run(ctx) {
      noMoreArgs(ctx, 0);
      show(ctx, await ctx.client().listComponents(), (list) => fmt.componentTable(list));
    },
  },
  {
    name: "maintenance schedule",
    synopsis: "NAME --start ISO --end ISO --body TEXT [--component ID]... [--no-notify]",
    summary: "Schedule a maintenance; times are ISO-8601 with a zone.",
    example: 'herald maintenance schedule "Database upgrade" --start 2026-11-27T14:00:00Z --end 2026-11-27T16:00:00Z --body "Brief read-only periods." --component k2j4h5g6f7d8',
    options: ["start", "end", "body", "component", "no-notify"],
    api: true,
    async run(ctx) {
      const name = restAsText(ctx, 0, 'maintenance name, e.g. "Database upgrade"');
      const start = requireOption(ctx.values, "start", "ISO-8601 time, e.g. 2026-11-27T14:00:00Z");
      const end = requireOption(ctx.values, "end", "ISO-8601 time, e.g. 2026-11-27T16:00:00Z");
      const body = requireBody(ctx.values);
      const refs = ctx.values.component ?? [];
      const client = ctx.client();
      const components = refs.length > 0 ? (await client.listComponents()).data : [];
      const ids = refs.map((ref) => resolveComponent(ref.trim(), components));
      const response = await client.createMaintenance({
        name, body, scheduled_for: start, scheduled_until: end, component_ids: ids, ...notify(ctx.values),
      });
      show(ctx, response, (m) => fmt.maintenanceScheduledLines(m));
    },
  },
  {
    name: "maintenance update",
    synopsis: "ID --status STATUS --body TEXT [--component ID=STATUS]... [--no-notify]",
    summary: `Post a maintenance update. STATUS is ${MAINTENANCE_STATUSES.join(", ")}.`,
    example: 'herald maintenance update m4n5p6q7r8s9 --status in_progress --body "The upgrade has started."',
    options: ["status", "body", "component", "no-notify"],
    api: true,
    async run(ctx) {
      const id = requireArg(ctx, 0, "maintenance id (see: herald maintenance list)");
      noMoreArgs(ctx, 1);
      const status = choice(requireOption(ctx.values, "status", `(${MAINTENANCE_STATUSES.join(", ")})`), MAINTENANCE_STATUSES, "status");
      const body = requireBody(ctx.values);
      const components = await componentStatuses(ctx);
      const response = await ctx.client().postMaintenanceUpdate(id, {
        status, body, ...(components ? { components } : {}), ...notify(ctx.values),
      });
      show(ctx, response, (m) => fmt.describeChange(`Updated maintenance ${m.id} "${m.name}" — ${m.status}`, m));
    },
  },
  {
    name: "maintenance list",
    synopsis: "[--open | --resolved]",
    summary: "List scheduled maintenances.",
    example: "herald maintenance list --open",
    options: ["open", "resolved"],
    api: true,
    async run(ctx) {
      noMoreArgs(ctx, 0);
      const filter = listFilter(ctx.values);
      show(ctx, await ctx.client().listMaintenances(filter), (list) => fmt.maintenanceTable(list));
    },
  },
  {
    name: "template list",
    synopsis: "",
    summary: "List incident templates (the built-in ones come from the incident playbooks).",
    example: "herald template list",
    options: [],
    api: true,
    async run(ctx) {
      noMoreArgs(ctx, 0);
      show(ctx, await ctx.client().listTemplates(), (list) => fmt.templateTable(list));
    },
  },
  {
    name: "template show",
    synopsis: "SLUG",
    summary: "One template with its body.",
    example: "herald template show database-outage",
    options: [],
    api: true,
    async run(ctx) {
      const slug = requireArg(ctx, 0, "template slug (see: herald template list)");
      noMoreArgs(ctx, 1);
      show(ctx, await ctx.client().getTemplate(slug), (t) => fmt.templateDetail(t));
    },
  },
  {
    name: "template add",
    synopsis: "SLUG --name NAME --severity SEV --body TEXT [--title TITLE] [--component ID=STATUS]...",
    summary: "Add an incident template (comms or admin key). Use it with: herald incident create --template SLUG",
    example: 'herald template add payments-down --name "Payments outage" --severity SEV1 --body "Payments are failing; we are investigating." --component Payments=major_outage',
    options: ["name", "severity", "body", "title", "component"],
    api: true,
    async run(ctx) {
      const slug = requireArg(ctx, 0, "template slug, e.g. payments-down");
      noMoreArgs(ctx, 1);
      const name = requireOption(ctx.values, "name", '"…" (what the template is for)');
      const sev = severity(requireOption(ctx.values, "severity", "SEV1..SEV4"));
      const body = requireBody(ctx.values);
      const components = await componentStatuses(ctx);
      const response = await ctx.client().createTemplate({
        slug, name, severity: sev, body, ...(ctx.values.title !== undefined ? { title: ctx.values.title } : {}), ...(components ? { components } : {}),
      });
      show(ctx, response, (t) => [`Added template ${t.slug} "${t.name}" — ${t.severity}`, `Use it with: herald incident create --template ${t.slug}`]);
    },
  },
  {
    name: "template rm",
    synopsis: "SLUG",
    summary: "Delete an incident template (built-in ones too; they are not brought back).",
    example: "herald template rm payments-down",
    options: [],
    api: true,
    async run(ctx) {
      const slug = requireArg(ctx, 0, "template slug (see: herald template list)");
      noMoreArgs(ctx, 1);
      show(ctx, await ctx.client().deleteTemplate(slug), (t) => [`Deleted template ${t.slug} "${t.name}"`]);
    },
  },
  {
    name: "webhooks list",
    synopsis: "",
    summary: "List webhook subscriptions with their status and failures in the last hour (admin key).",
    example: "herald webhooks list",
    options: [],
    api: true,
    async run(ctx) {
      noMoreArgs(ctx, 0);
      show(ctx, await ctx.client().listWebhooks(), (list) => fmt.webhookTable(list));
    },
  },
  {
    name: "webhooks reactivate",
    synopsis: "ID",
    summary: "Lift a quarantine: deliveries resume with the next event (admin key).",
    example: "herald webhooks reactivate w1x2y3z4a5b6",
    options: [],
    api: true,
    async run(ctx) {
      const id = requireArg(ctx, 0, "webhook subscription id (see: herald webhooks list)");
      noMoreArgs(ctx, 1);
      show(ctx, await ctx.client().reactivateWebhook(id), (w) => [`Webhook ${w.id} (${w.endpoint}) is ${w.status}`]);
    },
  },
  {
    name: "keys create",
    synopsis: "--name NAME --role admin|comms",
    summary: "Create an API key in the local database; prints only the token, which is shown once.",
    example: 'export HERALD_TOKEN=$(herald keys create --name "Cole (comms)" --role comms)',
    options: ["name", "role"],
    api: false,
    async run(ctx) {
      noMoreArgs(ctx, 0);
      const name = requireOption(ctx.values, "name", "NAME (who or what uses the key)");
      const role = choice<Role>(requireOption(ctx.values, "role", "admin|comms"), ROLES, "role");
      const { NewKeySchema } = await import("../api/schemas.ts");
      const checked = NewKeySchema.safeParse({ name, role });
      if (!checked.success) throw new UsageError(checked.error.issues.map((i) => i.message).join("; "));
      const { key, token } = await createKeyLocally(ctx.database(), checked.data.name, checked.data.role);
      if (ctx.values.json) {
        ctx.print(JSON.stringify({ ...key, token }, null, 2));
        return;
      }
      ctx.io.err(`Created ${key.role} key ${key.id} "${key.name}". The token below is shown once: store it now.`);
      ctx.print(token);
    },
  },
  {
    name: "keys list",
    synopsis: "",
    summary: "List API keys in the local database (never their tokens).",
    example: "herald keys list",
    options: [],
    api: false,
    async run(ctx) {
      noMoreArgs(ctx, 0);
      const keys = await listKeysLocally(ctx.database());
      if (ctx.values.json) return ctx.print(JSON.stringify(keys, null, 2));
      if (keys.length === 0) return ctx.print("No API keys. Create one with: herald keys create --name NAME --role admin");
      ctx.print(
        fmt.table(
          ["ID", "NAME", "ROLE", "CREATED", "REVOKED", "LAST USED"],
          keys.map((k) => [k.id, k.name, k.role, fmt.formatTime(k.created_at), fmt.formatTime(k.revoked_at), fmt.formatTime(k.last_used_at)]),
        ),
      );
    },
  },
  {
    name: "keys revoke",
    synopsis: "ID",
    summary: "Revoke an API key in the local database; its token stops working at once.",
    example: "herald keys revoke a1b2c3d4e5f6",
    options: [],
    api: false,
    async run(ctx) {
      const id = requireArg(ctx, 0, "key id (see: herald keys list)");
      noMoreArgs(ctx, 1);
      const { key, alreadyRevoked } = await revokeKeyLocally(ctx.database(), id);
      if (ctx.values.json) return ctx.print(JSON.stringify(key, null, 2));
      ctx.print(
        alreadyRevoked
          ? `Key ${key.id} "${key.name}" was already revoked (${fmt.formatTime(key.revoked_at)}).`
          : `Revoked ${key.role} key ${key.id} "${key.name}".`,
      );
    },
  },
];

const GROUPS: Array<[string, string]> = [
  ["incident", "Incidents"],
  ["component", "Components"],
  ["maintenance", "Scheduled maintenance"],
  ["template", "Incident templates"],
  ["webhooks", "Webhook subscriptions"],
  ["keys", "API keys (local database: DATABASE_URL, default the project's data/herald.db as npm start uses; DATABASE_AUTH_TOKEN for libsql://)"],
];

function helpText(topic?: string): string {
  const lines = ["Herald — status page and incident communications from the command line.", "", "Usage: herald <command> [options]"];
  const groups = GROUPS.filter(([word]) => !topic || word === topic);
  for (const [word, title] of groups.length > 0 ? groups : GROUPS) {
    lines.push("", `${title}`);
    for (const c of COMMANDS.filter((c) => c.name.startsWith(`${word} `))) {
      lines.push(`  herald ${c.name}${c.synopsis ? ` ${c.synopsis}` : ""}`, `      ${c.summary}`, `      e.g. ${c.example}`);
    }
  }
  lines.push(
    "",
    "Options for incident, component, maintenance, template and webhooks commands",
    `  --url URL      Herald's address (env HERALD_URL, default ${DEFAULT_URL})`,
    "  --token TOKEN  API key (env HERALD_TOKEN); make one with: herald keys create",
    "  --json         print the JSON response instead of a summary",
    "  --component    takes a component id or its exact name (see: herald component list)",
    "",
    "Writes carry an Idempotency-Key and are retried on network errors, so a flaky connection never posts twice.",
    "Exit status: 0 done, 1 refused by Herald or Herald unreachable, 2 usage error.",
  );
  return lines.join("\n");
}

// ---------------------------------------------------------------------------------------------
// Main

function problemLines(error: ApiError): string[] {
  // Herald speaks JSON; the CLI's spelling of `"reopen": true` is --reopen.
  const detail = error.detail.replace(/Send "reopen": true to reopen it\./, "Add --reopen to reopen it.");
  const lines = [`herald: ${detail}`];
  for (const e of error.errors) {
    if (e.message === error.detail) continue; // already said on the first line
    lines.push(e.field ? `  ${e.field}: ${e.message}` : `  ${e.message}`);
  }
  return lines;
}

function errorLines(error: unknown, ctx: { url: string; databaseUrl: string }): { lines: string[]; code: number } {
  if (error instanceof UsageError) return { lines: [`herald: ${error.message}`], code: 2 };
  if (error instanceof CliError) return { lines: [`herald: ${error.message}`], code: 1 };
  if (error instanceof ApiError) return { lines: problemLines(error), code: 1 };
  if (error instanceof UnreachableError) {
    return error.timedOut
      ? { lines: [`herald: Herald at ${error.url} did not answer in time; check with "herald incident list" whether the change was made before retrying`], code: 1 }
      : { lines: [`herald: cannot reach Herald at ${error.url} — is it running? (npm start)`], code: 1 };
  }
  // A Problem thrown by the services the keys commands call (e.g. an unknown key id).
  const problem = error as { status?: unknown; detail?: unknown };
  if (typeof problem?.status === "number" && typeof problem.detail === "string") return { lines: [`herald: ${problem.detail}`], code: 1 };
  const message = error instanceof Error ? error.message : String(error);
  if (/libsql|sqlite|SQLITE_|database/i.test(message + String((error as { code?: unknown })?.code ?? ""))) {
    return { lines: [`herald: cannot use the database ${ctx.databaseUrl.replace(/\?.*$/, "")}: ${message}`], code: 1 };
  }
  return { lines: [`herald: ${message}`], code: 1 };
}

function findCommand(words: string[]): Command | undefined {
  return COMMANDS.find((c) => c.name === `${words[0]} ${words[1]}`);
}

async function main(argv: string[], env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  const url = (env.HERALD_URL || DEFAULT_URL).replace(/\/+$/, "");
  const databaseUrl = env.DATABASE_URL || DEFAULT_DATABASE_URL;
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parse(argv));
  } catch (error) {
    // parseArgs messages are long; their first sentence says it.
    const message = error instanceof Error ? error.message.split(/\.\s/)[0]!.replace(/\.$/, "") : String(error);
    io.err(`herald: ${message} (see: herald help)`);
    return 2;
  }

  const [first, second] = positionals;
  if (first === undefined || first === "help") {
    io.out(helpText(second));
    return 0;
  }
  const command = findCommand(positionals);
  if (values.help) {
    io.out(helpText(first));
    return 0;
  }
  const effectiveUrl = (values.url ?? url).replace(/\/+$/, "");
  try {
    if (!command) {
      const group = GROUPS.find(([word]) => word === first);
      if (!group) throw new UsageError(`unknown command "${first}"; commands: ${GROUPS.map(([w]) => w).join(", ")} (see: herald help)`);
      const subs = COMMANDS.filter((c) => c.name.startsWith(`${first} `)).map((c) => c.name.split(" ")[1]);
      throw new UsageError(
        second === undefined
          ? `"${first}" needs a subcommand: ${subs.join(", ")} (see: herald help ${first})`
          : `unknown command "${first} ${second}"; try ${subs.map((s) => `"${first} ${s}"`).join(", ")}`,
      );
    }
    const allowed = new Set<string>(["help", "json", ...command.options, ...(command.api ? ["url", "token"] : [])]);
    for (const given of Object.keys(values)) {
      if (!allowed.has(given)) {
        throw new UsageError(
          !command.api && (given === "url" || given === "token")
            ? `"herald ${command.name}" works on the local database (DATABASE_URL), so --${given} does not apply`
            : `--${given} is not an option of "herald ${command.name}" (see: herald help ${first})`,
        );
      }
    }
    let client: HeraldClient | undefined;
    const ctx: Ctx = {
      args: positionals.slice(2),
      values,
      env,
      io,
      print: (lines) => io.out(Array.isArray(lines) ? lines.join("\n") : lines),
      client() {
        if (client) return client;
        const token = values.token ?? env.HERALD_TOKEN;
        if (!token) {
          throw new UsageError("no API token; pass --token TOKEN or set HERALD_TOKEN (make one with: herald keys create --name NAME --role comms)");
        }
        let parsed: URL;
        try {
          parsed = new URL(effectiveUrl);
        } catch {
          throw new UsageError(`--url / HERALD_URL must be an http(s) URL such as ${DEFAULT_URL}; got "${effectiveUrl}"`);
        }
        if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
          throw new UsageError(`--url / HERALD_URL must be an http(s) URL such as ${DEFAULT_URL}; got "${effectiveUrl}"`);
        }
        client = createHeraldClient({ url: effectiveUrl, token });
        return client;
      },
      database: () => ({ url: databaseUrl, authToken: env.DATABASE_AUTH_TOKEN || undefined }),
    };
    await command.run(ctx);
    return 0;
  } catch (error) {
    const { lines, code } = errorLines(error, { url: effectiveUrl, databaseUrl });
    io.err(lines.join("\n"));
    return code;
  }
}

process.exitCode = await main(process.argv.slice(2), process.env, {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
});
