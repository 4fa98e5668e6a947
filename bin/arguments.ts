/** Argument helpers shared by the commands of more than one noun (bin/commands/*). */
import { COMPONENT_STATUSES } from "../domain/components.ts";
import { isId } from "../domain/ids.ts";
import { parseNextUpdate } from "../domain/next-update.ts";
import { SEVERITIES } from "../domain/severity.ts";
import type { ComponentJson } from "./client.ts";
import { CliError, UsageError, type Ctx, type Values } from "./command.ts";

const normalizeWord = (raw: string) => raw.trim().toLowerCase().replace(/[\s-]+/g, "_");

export function choice<T extends string>(raw: string, choices: readonly T[], what: string): T {
  const value = normalizeWord(raw);
  if (!(choices as readonly string[]).includes(value)) throw new UsageError(`${what} must be one of ${choices.join(", ")}; got "${raw}"`);
  return value as T;
}

/** SEV1, sev1, Sev-1 and 1 all mean SEV1. */
export function severity(raw: string): string {
  const match = /^(?:sev)?[\s-]?([1-4])$/i.exec(raw.trim());
  if (!match) throw new UsageError(`severity must be ${SEVERITIES.join(", ")} (or sev1, 1, …); got "${raw}"`);
  return `SEV${match[1]}`;
}

export function requireOption(values: Values, name: "body" | "status" | "start" | "end" | "name" | "role" | "severity" | "page" | "api-key", hint: string): string {
  const value = values[name];
  if (value === undefined) throw new UsageError(`missing --${name} ${hint}`);
  if (value.trim() === "") throw new UsageError(`--${name} must not be empty`);
  return value;
}

export const requireBody = (values: Values): string => requireOption(values, "body", '"…" (the text customers will read)');

export function requireArg(ctx: Ctx, index: number, what: string): string {
  const value = ctx.args[index];
  if (value === undefined || value.trim() === "") throw new UsageError(`missing ${what}`);
  return value;
}

export function noMoreArgs(ctx: Ctx, count: number): void {
  if (ctx.args.length > count) throw new UsageError(`unexpected argument "${ctx.args[count]}" (quote text that contains spaces)`);
}

/** Free text made of the remaining words, so an unquoted title still works. */
export function restAsText(ctx: Ctx, from: number, what: string): string {
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
export function resolveComponent(ref: string, components: readonly ComponentJson[]): string {
  if (components.some((c) => c.id === ref)) return ref;
  const named = components.filter((c) => c.name.toLowerCase() === ref.toLowerCase());
  const leaves = named.filter((c) => !c.group);
  if (leaves.length === 1) return leaves[0]!.id;
  if (leaves.length > 1) throw new CliError(`${leaves.length} components are named "${ref}"; use an id (see: herald component list)`);
  if (isId(ref)) return ref;
  if (named.length > 0) throw new CliError(`"${ref}" is a group; name its components instead (see: herald component list)`);
  throw new CliError(`no component "${ref}" (see: herald component list)`);
}

/** The `--component ID=STATUS` options as the API's `components` map, names resolved to ids. */
export async function componentStatuses(ctx: Ctx): Promise<Record<string, string> | undefined> {
  const pairs = componentStatusArgs(ctx.values);
  if (pairs.length === 0) return undefined;
  const { data: components } = await ctx.client().listComponents();
  return Object.fromEntries(pairs.map(([ref, status]) => [resolveComponent(ref, components), status]));
}

export function notify(values: Values): { deliver_notifications?: false } {
  return values["no-notify"] ? { deliver_notifications: false } : {};
}

/** The customer notice's sections (`--impact`, `--root-cause`, `--resolution`, `--prevention`) as API fields. */
export const NOTICE_OPTION_NAMES = ["impact", "root-cause", "resolution", "prevention"] as const;
export function noticeSections(values: Values): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const option of NOTICE_OPTION_NAMES) {
    const value = values[option];
    if (typeof value === "string") fields[option.replace("-", "_")] = value;
  }
  return fields;
}

/** `--next-update 30m | 1h30m | 14:30 | 14:30Z | ISO` → `next_update_at`. */
export function nextUpdate(values: Values): { next_update_at?: string } {
  const raw = values["next-update"];
  if (raw === undefined) return {};
  const at = parseNextUpdate(raw, new Date());
  if (!at) throw new UsageError(`--next-update takes 30m, 1h30m, 14:30 (this machine's clock), 14:30Z or an ISO-8601 time; got "${raw}"`);
  return { next_update_at: at };
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
export const ROLE_OPTION_NAMES = ROLE_OPTIONS.map(([option]) => option);

/** The role options given; an empty value ("") clears that role. */
export function roles(values: Values): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [option, field] of ROLE_OPTIONS) {
    const value = values[option];
    if (value !== undefined) out[field] = value.trim() === "" ? null : value;
  }
  return out;
}

export function listFilter(values: Values): "open" | "resolved" | undefined {
  if (values.open && values.resolved) throw new UsageError("give --open or --resolved, not both");
  return values.open ? "open" : values.resolved ? "resolved" : undefined;
}
