/** `herald template …`: the incident templates `herald incident create --template SLUG` starts from. */
import { componentStatuses, noMoreArgs, requireArg, requireBody, requireOption, severity } from "../arguments.ts";
import { show, type Command, type CommandGroup } from "../command.ts";
import * as fmt from "../format.ts";

const commands: Command[] = [
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
];

export const templateCommands: CommandGroup = { word: "template", title: "Incident templates", commands };
