/**
 * What a `herald` command is: the option table every command picks from, the context a command
 * runs with, the two errors a command throws and how it prints an API response. bin/herald.ts
 * dispatches to the commands in bin/commands/; the argument helpers they share are in
 * bin/arguments.ts.
 */
import { parseArgs } from "node:util";
import type { ApiResponse, HeraldClient } from "./client.ts";
import type { KeyDatabase } from "./local-keys.ts";

// Every option of every command; each command says which of them it accepts.
export const OPTIONS = {
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
  match: { type: "string", multiple: true },
  "hold-down": { type: "string" },
  from: { type: "string" },
  overdue: { type: "boolean" },
  done: { type: "boolean" },
  to: { type: "string" },
  impact: { type: "string" },
  "root-cause": { type: "string" },
  resolution: { type: "string" },
  prevention: { type: "string" },
  page: { type: "string" },
  "api-key": { type: "string" },
  since: { type: "string" },
  "dry-run": { type: "boolean" },
  "base-url": { type: "string" },
} as const;

export type OptionName = keyof typeof OPTIONS;

/** Splits argv into option values and positionals; throws parseArgs' own error on an unknown or malformed option. */
export function parseArgv(argv: string[]) {
  return parseArgs({ args: attachDashedValues(argv), options: OPTIONS, allowPositionals: true, strict: true });
}

/**
 * `--prevention "- Canary deploys"`: a Markdown list is a value that starts with a dash, which
 * parseArgs takes for an option. A string option's next word that starts with "-" and holds
 * whitespace is no option (no option has a space), so it is attached as `--prevention=- Canary…`.
 */
function attachDashedValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    const next = argv[i + 1];
    const name = word.startsWith("--") ? word.slice(2) : null;
    if (name && name in OPTIONS && OPTIONS[name as OptionName].type === "string" && next?.startsWith("-") && /\s/.test(next)) {
      out.push(`${word}=${next}`);
      i++;
      continue;
    }
    out.push(word);
  }
  return out;
}

export type Values = ReturnType<typeof parseArgv>["values"];

/** Wrong invocation: exit 2. */
export class UsageError extends Error {}
/** Refused locally (unknown component name, bad key id, …): exit 1. */
export class CliError extends Error {}

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** All of stdin, or null when it is a terminal (nothing piped). */
  stdin(): Promise<string | null>;
}

export interface Ctx {
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

export interface Command {
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

/** The commands of one noun (`herald incident …`), with the heading `herald help` shows them under. */
export interface CommandGroup {
  /** The first command word, e.g. "incident". */
  word: string;
  title: string;
  commands: Command[];
}

/** `--json` prints the API's response as is; otherwise the human lines. */
export function show<T>(ctx: Ctx, response: ApiResponse<T>, lines: (data: T) => string[]): void {
  if (response.replayed) ctx.io.err("herald: note: Herald had already applied this request; showing its stored result.");
  ctx.print(ctx.values.json ? JSON.stringify(response.data, null, 2) : lines(response.data));
}
