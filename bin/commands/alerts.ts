/** `herald alerts …`: what the monitoring systems reported, and the rules that map alerts to components. */
import { noMoreArgs, requireArg, resolveComponent } from "../arguments.ts";
import { CliError, show, UsageError, type Command, type CommandGroup } from "../command.ts";
import * as fmt from "../format.ts";
import { formatMatcher, parseMatcher, type Matcher } from "../../domain/alerts.ts";

/** `--match label=value` (also !=, =~, !~; Alertmanager's syntax) → a matcher. */
function matcherOf(text: string): Matcher {
  const matcher = parseMatcher(text);
  if (!matcher) throw new UsageError(`--match takes label=value, label!=value, label=~regex or label!~regex; got "${text}"`);
  return matcher;
}

const commands: Command[] = [
  {
    name: "alerts list",
    synopsis: "",
    summary: "Alerts as last reported by Alertmanager, Grafana and PagerDuty, firing first.",
    example: "herald alerts list",
    options: [],
    api: true,
    async run(ctx) {
      noMoreArgs(ctx, 0);
      show(ctx, await ctx.client().listAlerts(), (alerts) =>
        alerts.length === 0
          ? ["No alert has been reported yet."]
          : fmt.table(
              ["STATE", "ALERT", "FROM", "SETS", "RULE", "DRAFT", "CHANGED"],
              alerts.map((a) => [a.status, a.name, a.source, a.component_status ?? "-", a.rule ?? (a.components.length ? "component label" : "-"), a.draft_incident_id ?? "-", fmt.formatTime(a.updated_at)]),
            ),
      );
    },
  },
  {
    name: "alerts rules",
    synopsis: "",
    summary: "The alert rules, in the order they are tried (the first match decides).",
    example: "herald alerts rules",
    options: [],
    api: true,
    async run(ctx) {
      noMoreArgs(ctx, 0);
      const { data: components } = await ctx.client().listComponents();
      const nameOf = new Map(components.map((c) => [c.id, c.name]));
      show(ctx, await ctx.client().listAlertRules(), (rules) =>
        rules.length === 0
          ? ["No rules: alerts set the component their `component` label names, from their `severity` label."]
          : fmt.table(
              ["#", "NAME", "MATCHES", "COMPONENTS", "STATUS", "DRAFT FROM", "HOLD-DOWN"],
              rules.map((r) => [String(r.position), r.name, r.matchers.map(formatMatcher).join(" ") || "every alert", r.components.map((id) => nameOf.get(id) ?? id).join(", "), r.status ?? "from severity", r.template ?? "-", `${r.hold_down_seconds}s`]),
            ),
      );
    },
  },
  {
    name: "alerts rules add",
    synopsis: "NAME --component NAME|ID... [--match LABEL=VALUE]... [--status STATUS] [--template SLUG] [--hold-down SECONDS]",
    summary: "Add a rule (admin key): alerts whose labels match set these components; with --template, a draft incident opens while they fire.",
    example: 'herald alerts rules add api-errors --match alertname=~"HighErrorRate|ApiDown" --match job=api --component API --status partial_outage --template database-outage',
    options: ["component", "match", "status", "template", "hold-down"],
    api: true,
    async run(ctx) {
      const name = requireArg(ctx, 0, "rule name, e.g. api-errors");
      noMoreArgs(ctx, 1);
      const refs = ctx.values.component ?? [];
      if (refs.length === 0) throw new UsageError("missing --component NAME|ID (the component the rule sets; repeat for several)");
      const { data: components } = await ctx.client().listComponents();
      const hold = ctx.values["hold-down"];
      if (hold !== undefined && !/^\d+$/.test(hold)) throw new UsageError(`--hold-down takes a number of seconds; got "${hold}"`);
      const response = await ctx.client().createAlertRule({
        name,
        matchers: (ctx.values.match ?? []).map(matcherOf),
        components: refs.map((ref) => resolveComponent(ref, components)),
        ...(ctx.values.status !== undefined ? { status: ctx.values.status } : {}),
        ...(ctx.values.template !== undefined ? { template: ctx.values.template } : {}),
        ...(hold !== undefined ? { hold_down_seconds: Number(hold) } : {}),
      });
      show(ctx, response, (r) => [`Added alert rule ${r.name} (${r.id}), tried ${r.position === 1 ? "first" : `at position ${r.position}`}`]);
    },
  },
  {
    name: "alerts rules rm",
    synopsis: "NAME|ID",
    summary: "Delete an alert rule (admin key).",
    example: "herald alerts rules rm api-errors",
    options: [],
    api: true,
    async run(ctx) {
      const ref = requireArg(ctx, 0, "rule name or id (see: herald alerts rules)");
      noMoreArgs(ctx, 1);
      const rule = (await ctx.client().listAlertRules()).data.find((r) => r.id === ref || r.name === ref);
      if (!rule) throw new CliError(`no alert rule "${ref}" (see: herald alerts rules)`);
      show(ctx, await ctx.client().deleteAlertRule(rule.id), (r) => [`Deleted alert rule ${r.name}`]);
    },
  },
];

export const alertsCommands: CommandGroup = { word: "alerts", title: "Alerts (Detect)", commands };
