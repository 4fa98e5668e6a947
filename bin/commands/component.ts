/** `herald component …`: add components, set their status, list them (admin key for changes). */
import { COMPONENT_STATUSES } from "../../domain/components.ts";
import { choice, noMoreArgs, requireArg, resolveComponent, restAsText } from "../arguments.ts";
import { show, type Command, type CommandGroup } from "../command.ts";
import * as fmt from "../format.ts";

const commands: Command[] = [
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
];

export const componentCommands: CommandGroup = { word: "component", title: "Components", commands };
