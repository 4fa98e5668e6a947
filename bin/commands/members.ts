/**
 * `herald members …` and `herald console link`: the comms console's team members, managed on the
 * local database (DATABASE_URL) like API keys, and a sign-in link for one of them.
 */
import type { MemberRole } from "../../db/records.ts";
import { choice, noMoreArgs, requireArg, requireOption } from "../arguments.ts";
import { CliError, UsageError, type Command, type CommandGroup } from "../command.ts";
import * as fmt from "../format.ts";
import { addMemberLocally, listMembersLocally, removeMemberLocally, signInTokenLocally } from "../local-members.ts";

const MEMBER_ROLES: readonly MemberRole[] = ["admin", "comms"];

/** Where the console is: PAGE_URL as the server reads it (default http://localhost:$PORT). */
async function pageUrl(env: NodeJS.ProcessEnv): Promise<string> {
  const { readConfig } = await import("../../api/config.ts");
  return readConfig(env).page.url;
}

const memberCommands: Command[] = [
  {
    name: "members add",
    synopsis: "--name NAME --email EMAIL --role admin|comms",
    summary: "Add a team member who may sign in to the console (admin: everything; comms: incidents, maintenances, postmortems, templates).",
    example: 'herald members add --name "Cole" --email cole@example.com --role comms',
    options: ["name", "email", "role"],
    api: false,
    async run(ctx) {
      noMoreArgs(ctx, 0);
      const name = requireOption(ctx.values, "name", "NAME (as the audit log will show it)");
      const email = ctx.values.email;
      if (!email) throw new UsageError("give the member's address with --email EMAIL");
      const role = choice<MemberRole>(requireOption(ctx.values, "role", "admin|comms"), MEMBER_ROLES, "role");
      const { singleLine, LIMITS } = await import("../../api/schemas.ts");
      const checked = singleLine("name", LIMITS.name).safeParse(name);
      if (!checked.success) throw new UsageError(checked.error.issues.map((i) => i.message).join("; "));
      const member = await addMemberLocally(ctx.database(), { name: checked.data, email, role });
      if (ctx.values.json) return ctx.print(JSON.stringify(member, null, 2));
      ctx.print([`Added ${member.role} member ${member.id} "${member.name}" <${member.email}>.`, `Sign-in link: herald console link ${member.email}`]);
    },
  },
  {
    name: "members list",
    synopsis: "",
    summary: "List the team members (not those removed).",
    example: "herald members list",
    options: [],
    api: false,
    async run(ctx) {
      noMoreArgs(ctx, 0);
      const members = await listMembersLocally(ctx.database());
      if (ctx.values.json) return ctx.print(JSON.stringify(members, null, 2));
      if (members.length === 0) return ctx.print('No members. Add one with: herald members add --name NAME --email EMAIL --role admin');
      ctx.print(fmt.table(["ID", "NAME", "EMAIL", "ROLE", "ADDED"], members.map((m) => [m.id, m.name, m.email, m.role, fmt.formatTime(m.created_at)])));
    },
  },
  {
    name: "members remove",
    synopsis: "ID|EMAIL",
    summary: "Remove a team member: their sessions and sign-in links end at once.",
    example: "herald members remove cole@example.com",
    options: [],
    api: false,
    async run(ctx) {
      const who = requireArg(ctx, 0, "member id or address (see: herald members list)");
      noMoreArgs(ctx, 1);
      const member = await removeMemberLocally(ctx.database(), who);
      if (ctx.values.json) return ctx.print(JSON.stringify(member, null, 2));
      ctx.print(`Removed member ${member.id} "${member.name}" <${member.email}>; their sessions are over.`);
    },
  },
];

const consoleCommands: Command[] = [
  {
    name: "console link",
    synopsis: "EMAIL",
    summary: "Print a single-use sign-in link (15 minutes) to the console for a member — the first admin, or a machine without mail.",
    example: "herald console link ada@example.com",
    options: [],
    api: false,
    async run(ctx) {
      const email = requireArg(ctx, 0, "the member's address (see: herald members list)");
      noMoreArgs(ctx, 1);
      const made = await signInTokenLocally(ctx.database(), email);
      if (!made) throw new CliError(`${email} is not a member; add them with: herald members add --name NAME --email ${email} --role comms`);
      const link = `${await pageUrl(ctx.env)}/console/sign-in/${made.token}`;
      if (ctx.values.json) return ctx.print(JSON.stringify({ member: made.member, link, expires_at: made.expiresAt }, null, 2));
      ctx.io.err(`Sign-in link for ${made.member.name} <${made.member.email}>, works once until ${fmt.formatTime(made.expiresAt)}:`);
      ctx.print(link);
    },
  },
];

export const membersCommands: CommandGroup = { word: "members", title: "Team members of the console (local database, like keys)", commands: memberCommands };
export const consoleCommandsGroup: CommandGroup = { word: "console", title: "The comms console", commands: consoleCommands };
