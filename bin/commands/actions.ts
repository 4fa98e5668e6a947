/** `herald actions …`: postmortem action items across incidents (the seed's follow-through). */
import { noMoreArgs, requireArg } from "../arguments.ts";
import { show, UsageError, type Command, type CommandGroup } from "../command.ts";
import * as fmt from "../format.ts";

const commands: Command[] = [
  {
    name: "actions list",
    synopsis: "[--overdue | --done]",
    summary: "Open postmortem action items across incidents, by due date (--overdue: due before today; --done: finished ones).",
    example: "herald actions list --overdue",
    options: ["overdue", "done"],
    api: true,
    async run(ctx) {
      noMoreArgs(ctx, 0);
      if (ctx.values.overdue && ctx.values.done) throw new UsageError("give --overdue or --done, not both");
      const status = ctx.values.overdue ? "overdue" : ctx.values.done ? "done" : "open";
      show(ctx, await ctx.client().listActionItems(status), (items) =>
        items.length === 0
          ? [status === "overdue" ? "No overdue action items." : status === "done" ? "No action item is done yet." : "No open action items."]
          : fmt.table(
              ["ID", "DUE", "OWNER", "ACTION", "INCIDENT"],
              items.map((i) => [i.id, `${i.due_date ?? "-"}${i.overdue ? " OVERDUE" : ""}`, i.owner ?? "-", i.description, i.incident_name]),
            ),
      );
    },
  },
  {
    name: "actions done",
    synopsis: "ID",
    summary: "Mark an action item done; its ID is the incident's number (or id) and its place in the list, as `herald actions list` shows it.",
    example: "herald actions done INC-2026-001.2",
    options: [],
    api: true,
    async run(ctx) {
      const ref = requireArg(ctx, 0, "action item id, e.g. INC-2026-001.2 (see: herald actions list)");
      noMoreArgs(ctx, 1);
      const m = /^(.+)\.(\d{1,4})$/.exec(ref.trim());
      if (!m) throw new UsageError(`an action item id is INCIDENT.POSITION, e.g. INC-2026-001.2; got "${ref}"`);
      show(ctx, await ctx.client().markActionItem(m[1]!, Number(m[2]), true), (i) => [`Done: ${i.id} ${i.description}${i.owner ? ` (${i.owner})` : ""}`]);
    },
  },
];

export const actionsCommands: CommandGroup = { word: "actions", title: "Action items (postmortem follow-through)", commands };
