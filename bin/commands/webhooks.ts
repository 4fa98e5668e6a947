/** `herald webhooks …`: webhook subscriptions, their registration and quarantine (admin key). */
import { noMoreArgs, requireArg, resolveComponent } from "../arguments.ts";
import { show, UsageError, type Command, type CommandGroup } from "../command.ts";
import * as fmt from "../format.ts";

const commands: Command[] = [
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
    synopsis: "ENDPOINT --email CONTACT [--component NAME|ID]...",
    summary: "Register a webhook subscriber: Herald POSTs a challenge the endpoint must echo, then prints the signing secret (shown once). CONTACT is mailed if the endpoint gets quarantined.",
    example: "herald webhooks add https://hooks.example.com/herald --email ops@example.com",
    options: ["email", "component"],
    api: true,
    async run(ctx) {
      const endpoint = requireArg(ctx, 0, "the endpoint URL (https://…)");
      noMoreArgs(ctx, 1);
      const email = ctx.values.email;
      if (!email) throw new UsageError("--email CONTACT is required: the address told when the endpoint fails");
      const refs = ctx.values.component ?? [];
      const client = ctx.client();
      const components = refs.length > 0 ? (await client.listComponents()).data : [];
      const componentIds = refs.map((ref) => resolveComponent(ref.trim(), components));
      const response = await client.registerWebhook({ endpoint, email, ...(componentIds.length ? { component_ids: componentIds } : {}) });
      show(ctx, response, (w) => w.status === "pending" ? [
        `Asked the ${w.format} channel to confirm: ${w.detail}`,
      ] : [
        `Registered webhook ${w.id} → ${w.endpoint} (${w.status}); contact ${w.email}`,
        `signing secret (shown once; verify the ${w.signature_header} header with it):`,
        w.secret,
        "the same key for a Standard Webhooks library (webhook-signature header):",
        w.standard_webhooks_secret,
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
];

export const webhooksCommands: CommandGroup = { word: "webhooks", title: "Webhook subscriptions", commands };
