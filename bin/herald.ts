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
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { COMPONENT_STATUSES } from "../domain/components.ts";
import { isId } from "../domain/ids.ts";
import { INCIDENT_STATUSES, MAINTENANCE_STATUSES } from "../domain/lifecycle.ts";
import { ROLES, type Role } from "../domain/roles.ts";
import { SEVERITIES } from "../domain/severity.ts";
import {
  ApiError,
  createHeraldClient,
  UnreachableError,
  type ApiResponse,
  type ComponentJson,
  type HeraldClient,
  type IncidentJson,
  type PostmortemJson,
} from "./client.ts";
import * as fmt from "./format.ts";
import { parseNextUpdate } from "../domain/next-update.ts";
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
  severity: { type: "string" },
  "next-update": { type: "string" },
  started: { type: "string" },
  commander: { type: "string" },
  "tech-lead": { type: "string" },
  "comms-lead": { type: "string" },
  scribe: { type: "string" },
  bridge: { type: "string" },
  channel: { type: "string" },
  file: { type: "string" },
  "action-items": { type: "string" },
  force: { type: "boolean" },
  notify: { type: "boolean" },
  template: { type: "string" },
  title: { type: "string" },
  email: { type: "string" },
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
  /** All of stdin, or null when it is a terminal (nothing piped). */
  stdin(): Promise<string | null>;
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

const requireBody = (values: Values): string => requireOption(values, "body", '"…" (the text customers will read)');

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

/** `--next-update 30m | 1h30m | 14:30 | 14:30Z | ISO` → `next_update_at`. */
function nextUpdate(values: Values): { next_update_at?: string } {
  const raw = values["next-update"];
  if (raw === undefined) return {};
  const at = parseNextUpdate(raw, new Date());
  if (!at) throw new UsageError(`--next-update takes 30m, 1h30m, 14:30 (this machine's clock), 14:30Z or an ISO-8601 time; got "${raw}"`);
  return { next_update_at: at };
}

function startedAt(values: Values): { started_at?: string } {
  const raw = values.started;
  if (raw === undefined) return {};
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(raw.trim()) || Number.isNaN(Date.parse(raw))) {
    throw new UsageError(`--started takes an ISO-8601 time with a zone, e.g. 2026-11-27T14:05:00Z; got "${raw}"`);
  }
  return { started_at: new Date(raw).toISOString() };
}

/** Internal roles: CLI option → API field. Never published. */
const ROLE_OPTIONS = [
  ["commander", "incident_commander"],
  ["tech-lead", "technical_lead"],
  ["comms-lead", "communications_lead"],
  ["scribe", "scribe"],
  ["bridge", "bridge_url"],
  ["channel", "channel"],
] as const;
const ROLE_OPTION_NAMES = ROLE_OPTIONS.map(([option]) => option);

/** The role options given; an empty value ("") clears that role. */
function roles(values: Values): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [option, field] of ROLE_OPTIONS) {
    const value = values[option];
    if (value !== undefined) out[field] = value.trim() === "" ? null : value;
  }
  return out;
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

/** `--file F` (`-` = stdin), else stdin when something is piped; a usage error otherwise. */
async function readBodyText(ctx: Ctx): Promise<string> {
  const file = ctx.values.file;
  const text = file !== undefined && file !== "-" ? await readLocalFile(file, "--file") : await ctx.io.stdin();
  if (text === null) throw new UsageError("give the postmortem text with --file FILE, or pipe it on stdin");
  if (text.trim() === "") throw new UsageError("the postmortem text is empty");
  return text;
}

async function readLocalFile(path: string, option: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    throw new CliError(`cannot read ${option} ${path}: ${(error as NodeJS.ErrnoException)?.code ?? (error as Error)?.message}`);
  }
}

/** `--action-items F`: a JSON array of {description, owner?, due_date?, done?} (Herald checks each field). */
async function actionItemsOption(ctx: Ctx): Promise<{ action_items?: unknown[] }> {
  const file = ctx.values["action-items"];
  if (file === undefined) return {};
  let items: unknown;
  try {
    items = JSON.parse(await readLocalFile(file, "--action-items"));
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new UsageError(`--action-items ${file} is not JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(items)) throw new UsageError('--action-items takes a JSON array, e.g. [{"description": "Add pool alerts", "owner": "@bob", "due_date": "2024-01-18"}]');
  return { action_items: items };
}

/** A GET that may answer 404 (nothing there yet): null instead of an error. */
async function orNull<T>(request: Promise<ApiResponse<T>>): Promise<T | null> {
  try {
    return (await request).data;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Commands

const COMMANDS: Command[] = [
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
    synopsis: "ID --status STATUS --body TEXT [--component ID=STATUS]... [--next-update 30m|14:30] [--reopen] [--no-notify]",
    summary: `Post an update. STATUS is ${INCIDENT_STATUSES.join(", ")}; --reopen moves a resolved incident back; --next-update promises the next one.`,
    example: 'herald incident update h3k2m4n5p6q7 --status identified --body "A bad deploy of the gateway; rolling back." --next-update 14:30',
    options: ["status", "body", "component", "reopen", "no-notify", "next-update"],
    api: true,
    async run(ctx) {
      const id = requireArg(ctx, 0, "incident id (see: herald incident list)");
      noMoreArgs(ctx, 1);
      const status = choice(requireOption(ctx.values, "status", `(${INCIDENT_STATUSES.join(", ")})`), INCIDENT_STATUSES, "status");
      const body = requireBody(ctx.values);
      const components = await componentStatuses(ctx);
      const response = await ctx.client().postIncidentUpdate(id, {
        status, body, ...(components ? { components } : {}), ...(ctx.values.reopen ? { reopen: true } : {}), ...notify(ctx.values),
        ...nextUpdate(ctx.values),
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
    name: "postmortem init",
    synopsis: "ID [--force]",
    summary: "Save a postmortem draft from the blameless postmortem template, pre-filled with the incident's date, duration, severity, timeline and response times. --force replaces an existing draft.",
    example: "herald postmortem init h3k2m4n5p6q7",
    options: ["force"],
    api: true,
    async run(ctx) {
      const id = requireArg(ctx, 0, "incident id (see: herald incident list)");
      noMoreArgs(ctx, 1);
      const client = ctx.client();
      // The template first: it answers 404 for an unknown incident or a maintenance.
      const { data: template } = await client.getPostmortemTemplate(id);
      const existing = await orNull(client.getPostmortem(id));
      if (existing?.status === "published") {
        throw new CliError(`incident ${id} already has a published postmortem; change it with: herald postmortem edit ${id} --file FILE`);
      }
      if (existing && !ctx.values.force) {
        throw new CliError(`incident ${id} already has a postmortem draft (edited ${fmt.formatTime(existing.updated_at)}); add --force to replace it with a fresh template`);
      }
      const response = await client.putPostmortem(id, { body: template.body });
      show(ctx, response, () => [
        `Saved a postmortem draft for incident ${id} from the template (${template.body.split("\n").length} lines).`,
        `Edit it: herald postmortem show ${id} > postmortem.md, then herald postmortem edit ${id} --file postmortem.md`,
      ]);
    },
  },
  {
    name: "postmortem show",
    synopsis: "ID",
    summary: "Print the postmortem's Markdown on stdout (its state and action items go to stderr), so it can be saved, edited and sent back.",
    example: "herald postmortem show h3k2m4n5p6q7 > postmortem.md",
    options: [],
    api: true,
    async run(ctx) {
      const id = requireArg(ctx, 0, "incident id (see: herald incident list)");
      noMoreArgs(ctx, 1);
      const response = await ctx.client().getPostmortem(id);
      if (ctx.values.json) return ctx.print(JSON.stringify(response.data, null, 2));
      ctx.io.err(fmt.postmortemHeader(response.data).join("\n"));
      ctx.print(response.data.body.replace(/\n$/, ""));
    },
  },
  {
    name: "postmortem edit",
    synopsis: "ID [--file FILE | < FILE] [--action-items JSON_FILE]",
    summary: "Replace the postmortem's text (from --file, or stdin) and, with --action-items, its whole list of action items. A published postmortem changes on the page at once.",
    example: "herald postmortem edit h3k2m4n5p6q7 --file postmortem.md --action-items actions.json",
    options: ["file", "action-items"],
    api: true,
    async run(ctx) {
      const id = requireArg(ctx, 0, "incident id (see: herald incident list)");
      noMoreArgs(ctx, 1);
      const body = await readBodyText(ctx);
      const response = await ctx.client().putPostmortem(id, { body, ...(await actionItemsOption(ctx)) });
      show(ctx, response, (p: PostmortemJson) => [
        p.status === "published"
          ? `Updated the published postmortem of incident ${id}; the page shows it now (subscribers are not mailed again).`
          : `Saved the postmortem draft of incident ${id}. Publish it with: herald postmortem publish ${id} [--notify]`,
        ...fmt.actionItemLines(p),
      ]);
    },
  },
  {
    name: "postmortem publish",
    synopsis: "ID [--notify]",
    summary: "Publish the postmortem of a resolved incident on the page, feeds and JSON; --notify also mails it to subscribers (once).",
    example: "herald postmortem publish h3k2m4n5p6q7 --notify",
    options: ["notify"],
    api: true,
    async run(ctx) {
      const id = requireArg(ctx, 0, "incident id (see: herald incident list)");
      noMoreArgs(ctx, 1);
      const response = await ctx.client().publishPostmortem(id, { notify_subscribers: ctx.values.notify ?? false });
      show(ctx, response, (p) => fmt.publishedLines(p, ctx.values.notify ?? false));
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
  {
    name: "drill start",
    synopsis: 'SEVERITY "TITLE" [--body TEXT] [--component ID=STATUS]... [--next-update 30m|14:30] [--commander @WHO] [--tech-lead @WHO] [--comms-lead @WHO] [--scribe @WHO] [--bridge URL] [--channel #NAME]',
    summary: "Start a practice incident: the usual lifecycle, shown only on an unlisted preview page and the internal channel; never public, never mailed, never changes a component.",
    example: 'herald drill start SEV1 "Simulated database failure" --commander @alice --next-update 15m',
    options: ["body", "component", "status", "next-update", ...ROLE_OPTION_NAMES],
    api: true,
    async run(ctx) {
      const sev = severity(requireArg(ctx, 0, 'severity and title, e.g. SEV1 "Simulated database failure"'));
      const name = restAsText(ctx, 1, 'drill title, e.g. "Simulated database failure"');
      const body = ctx.values.body?.trim() ? ctx.values.body : `Practice incident: we are rehearsing our response to "${name}".`;
      const status = ctx.values.status === undefined ? undefined : choice(ctx.values.status, INCIDENT_STATUSES, "status");
      const components = await componentStatuses(ctx);
      const response = await ctx.client().createIncident({
        name, severity: sev, body, drill: true, ...(status ? { status } : {}), ...(components ? { components } : {}),
        ...nextUpdate(ctx.values), ...roles(ctx.values),
      });
      show(ctx, response, (i) => [
        `Started ${i.severity} drill ${i.id} "${i.name}" — ${i.status}`,
        `preview (unlisted, for the team only): ${i.preview_url ?? "-"}`,
        ...fmt.internalLines(i),
        `update it: herald incident update ${i.id} --status identified --body "…" --next-update 15m`,
        `end it:    herald drill end ${i.id}`,
      ]);
    },
  },
  {
    name: "drill end",
    synopsis: "ID [--body TEXT]",
    summary: "Resolve a drill and print its response times against the severity's targets.",
    example: "herald drill end h3k2m4n5p6q7",
    options: ["body"],
    api: true,
    async run(ctx) {
      const id = requireArg(ctx, 0, "drill id (see: herald drill list)");
      noMoreArgs(ctx, 1);
      const client = ctx.client();
      const { data: drill } = await client.getIncident(id);
      if (!drill.drill) throw new CliError(`incident ${id} is not a drill; resolve real incidents with: herald incident resolve ${id}`);
      if (drill.status !== "resolved") {
        await client.postIncidentUpdate(id, { status: "resolved", body: ctx.values.body?.trim() ? ctx.values.body : "Drill ended." });
      }
      show(ctx, await client.drillReport(id), (r) => fmt.drillReportLines(r));
    },
  },
  {
    name: "drill report",
    synopsis: "ID",
    summary: "A drill's response times: first update, identified, monitoring, resolved, and its next-update promises.",
    example: "herald drill report h3k2m4n5p6q7",
    options: [],
    api: true,
    async run(ctx) {
      const id = requireArg(ctx, 0, "drill id (see: herald drill list)");
      noMoreArgs(ctx, 1);
      show(ctx, await ctx.client().drillReport(id), (r) => fmt.drillReportLines(r));
    },
  },
  {
    name: "drill list",
    synopsis: "[--open | --resolved]",
    summary: "List drills, newest first.",
    example: "herald drill list",
    options: ["open", "resolved"],
    api: true,
    async run(ctx) {
      noMoreArgs(ctx, 0);
      show(ctx, await ctx.client().listDrills(listFilter(ctx.values)), (list) => (list.length === 0 ? ["No drills."] : fmt.incidentTable(list)));
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
    name: "webhooks add",
    synopsis: "ENDPOINT --email CONTACT [--component ID]...",
    summary: "Register a webhook subscriber: Herald POSTs a challenge the endpoint must echo, then prints the signing secret (shown once). CONTACT is mailed if the endpoint gets quarantined.",
    example: "herald webhooks add https://hooks.example.com/herald --email ops@example.com",
    options: ["email", "component"],
    api: true,
    async run(ctx) {
      const endpoint = requireArg(ctx, 0, "the endpoint URL (https://…)");
      noMoreArgs(ctx, 1);
      const email = ctx.values.email;
      if (!email) throw new UsageError("--email CONTACT is required: the address told when the endpoint fails");
      const componentIds = ctx.values.component;
      const response = await ctx.client().registerWebhook({ endpoint, email, ...(componentIds?.length ? { component_ids: componentIds } : {}) });
      show(ctx, response, (w) => [
        `Registered webhook ${w.id} → ${w.endpoint} (${w.status}); contact ${w.email}`,
        `signing secret (shown once; verify the ${w.signature_header} header with it):`,
        w.secret,
        `unsubscribe: ${w.unsubscribe_url}`,
      ]);
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
  ["drill", "Drills (practice incidents: never public, never mailed)"],
  ["postmortem", "Postmortems"],
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
    "Options for incident, postmortem, component, maintenance, template and webhooks commands",
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
  async stdin() {
    if (process.stdin.isTTY) return null;
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  },
});
