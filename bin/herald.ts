#!/usr/bin/env node
/**
 * herald — the comms lead's command line for Herald.
 *
 *   herald incident create SEV1 "API Gateway Down" --body "We are investigating." --component <id>=major_outage
 *
 * API keys are managed on the local database (DATABASE_URL); everything else goes through the
 * HTTP API (--url / HERALD_URL, --token / HERALD_TOKEN). `herald help` lists every command.
 *
 * This file parses argv, finds the command, prints help and turns errors into exit codes; the
 * commands themselves are in bin/commands/, one module per noun.
 *
 * Exit codes: 0 done, 1 refused by Herald (or unreachable), 2 usage error.
 */
import { fileURLToPath } from "node:url";
import { ApiError, createHeraldClient, UnreachableError, type HeraldClient } from "./client.ts";
import { CliError, parseArgv, UsageError, type Command, type CommandGroup, type Ctx, type Io, type Values } from "./command.ts";
import { alertsCommands } from "./commands/alerts.ts";
import { reportCommands } from "./commands/report.ts";
import { actionsCommands } from "./commands/actions.ts";
import { componentCommands } from "./commands/component.ts";
import { drillCommands } from "./commands/drill.ts";
import { incidentCommands } from "./commands/incident.ts";
import { keysCommands } from "./commands/keys.ts";
import { consoleCommandsGroup, membersCommands } from "./commands/members.ts";
import { maintenanceCommands } from "./commands/maintenance.ts";
import { postmortemCommands } from "./commands/postmortem.ts";
import { templateCommands } from "./commands/template.ts";
import { webhooksCommands } from "./commands/webhooks.ts";
import { importCommands } from "./commands/import.ts";

const DEFAULT_URL = "http://localhost:8080";

/**
 * Where Herald is: HERALD_URL when set; else the local Herald `npm start` runs with the same
 * `PORT` (a newcomer who started it on another port need set nothing more); else the default.
 */
export function heraldUrl(env: NodeJS.ProcessEnv): string {
  if (env.HERALD_URL) return env.HERALD_URL.replace(/\/+$/, "");
  if (env.PORT && /^\d{1,5}$/.test(env.PORT)) return `http://localhost:${Number(env.PORT)}`;
  return DEFAULT_URL;
}
/**
 * `npm start` runs in the project root and opens file:data/herald.db there; so does this CLI
 * by default, even when started from a subdirectory (a cwd-relative path would quietly make a
 * second, empty database). An explicit DATABASE_URL is used exactly as given.
 */
const DEFAULT_DATABASE_URL = `file:${fileURLToPath(new URL("../data/herald.db", import.meta.url))}`;

/** In the order `herald help` shows them. */
const GROUPS: CommandGroup[] = [
  incidentCommands,
  drillCommands,
  postmortemCommands,
  componentCommands,
  maintenanceCommands,
  templateCommands,
  alertsCommands,
  reportCommands,
  actionsCommands,
  webhooksCommands,
  importCommands,
  keysCommands,
  membersCommands,
  consoleCommandsGroup,
];

function helpText(topic?: string): string {
  const lines = ["Herald — status page and incident communications from the command line.", "", "Usage: herald <command> [options]"];
  const groups = GROUPS.filter(({ word }) => !topic || word === topic);
  for (const { title, commands } of groups.length > 0 ? groups : GROUPS) {
    lines.push("", `${title}`);
    for (const c of commands) {
      lines.push(`  herald ${c.name}${c.synopsis ? ` ${c.synopsis}` : ""}`, `      ${c.summary}`, `      e.g. ${c.example}`);
    }
  }
  lines.push(
    "",
    "Options for incident, postmortem, component, maintenance, template and webhooks commands",
    `  --url URL      Herald's address (env HERALD_URL; else http://localhost:$PORT when PORT is set; else ${DEFAULT_URL})`,
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

/** The command the first words name: three words (`alerts rules add`) before two (`alerts rules`), before one (`report`). */
function findCommand(words: string[]): Command | undefined {
  const commands = GROUPS.find(({ word }) => word === words[0])?.commands ?? [];
  return (
    commands.find((c) => c.name === words.slice(0, 3).join(" ")) ??
    commands.find((c) => c.name === `${words[0]} ${words[1]}`) ??
    commands.find((c) => c.name === words[0])
  );
}

async function main(argv: string[], env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  const url = heraldUrl(env);
  const databaseUrl = env.DATABASE_URL || DEFAULT_DATABASE_URL;
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgv(argv));
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
      const group = GROUPS.find(({ word }) => word === first);
      if (!group) throw new UsageError(`unknown command "${first}"; commands: ${GROUPS.map(({ word }) => word).join(", ")} (see: herald help)`);
      const subs = group.commands.map((c) => c.name.split(" ").slice(1).join(" "));
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
      args: positionals.slice(command.name.split(" ").length),
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
