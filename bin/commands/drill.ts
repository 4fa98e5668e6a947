/** `herald drill …`: practice incidents, never public and never mailed, and their response times. */
import { INCIDENT_STATUSES } from "../../domain/lifecycle.ts";
import { choice, componentStatuses, listFilter, nextUpdate, noMoreArgs, requireArg, restAsText, ROLE_OPTION_NAMES, roles, severity } from "../arguments.ts";
import { CliError, show, type Command, type CommandGroup } from "../command.ts";
import * as fmt from "../format.ts";

const commands: Command[] = [
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
];

export const drillCommands: CommandGroup = { word: "drill", title: "Drills (practice incidents: never public, never mailed)", commands };
