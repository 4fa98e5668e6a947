/** `herald maintenance …`: schedule maintenances, post their updates, list them. */
import { MAINTENANCE_STATUSES } from "../../domain/lifecycle.ts";
import { choice, componentStatuses, listFilter, noMoreArgs, notify, requireArg, requireBody, requireOption, resolveComponent, restAsText } from "../arguments.ts";
import { show, UsageError, type Command, type CommandGroup } from "../command.ts";
import * as fmt from "../format.ts";

const commands: Command[] = [
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
    name: "maintenance reschedule",
    synopsis: "ID [--start ISO] [--end ISO] [--name NAME] [--body TEXT] [--no-notify]",
    summary: "Move a maintenance's window (its start only before it begins) or rename it; --body tells subscribers. Calendars that subscribed to /maintenances.ics move the event.",
    example: 'herald maintenance reschedule m4n5p6q7r8s9 --start 2026-11-28T14:00:00Z --end 2026-11-28T16:00:00Z --body "Moved to Saturday."',
    options: ["start", "end", "name", "body", "no-notify"],
    api: true,
    async run(ctx) {
      const id = requireArg(ctx, 0, "maintenance id (see: herald maintenance list)");
      noMoreArgs(ctx, 1);
      const change: Record<string, unknown> = { ...notify(ctx.values) };
      if (ctx.values.start !== undefined) change.scheduled_for = ctx.values.start;
      if (ctx.values.end !== undefined) change.scheduled_until = ctx.values.end;
      if (ctx.values.name !== undefined) change.name = ctx.values.name;
      if (ctx.values.body !== undefined) change.body = requireBody(ctx.values);
      if (change.scheduled_for === undefined && change.scheduled_until === undefined && change.name === undefined) {
        throw new UsageError("nothing to change; give --start, --end or --name (see: herald help maintenance)");
      }
      show(ctx, await ctx.client().changeMaintenance(id, change), (m) => fmt.maintenanceScheduledLines(m, "Rescheduled"));
    },
  },
  {
    name: "maintenance cancel",
    synopsis: "ID [--body TEXT] [--no-notify]",
    summary: "Cancel a maintenance that has not begun: the page says Cancelled, subscribers get [CANCELLED], calendars drop the event.",
    example: 'herald maintenance cancel m4n5p6q7r8s9 --body "No longer needed: the vendor fixed it on their side."',
    options: ["body", "no-notify"],
    api: true,
    async run(ctx) {
      const id = requireArg(ctx, 0, "maintenance id (see: herald maintenance list)");
      noMoreArgs(ctx, 1);
      const body = ctx.values.body !== undefined ? { body: requireBody(ctx.values) } : {};
      show(ctx, await ctx.client().cancelMaintenance(id, { ...body, ...notify(ctx.values) }), (m) => [`Cancelled maintenance ${m.id} "${m.name}"`, m.shortlink]);
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
];

export const maintenanceCommands: CommandGroup = { word: "maintenance", title: "Scheduled maintenance", commands };
