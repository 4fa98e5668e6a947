/** `herald report`: the response report (GET /api/v1/reports/response) as tables. */
import { noMoreArgs } from "../arguments.ts";
import { show, UsageError, type Command, type CommandGroup } from "../command.ts";
import * as fmt from "../format.ts";
import type { ReportGroup, ResponseReport } from "../../domain/report.ts";
import { SEVERITIES } from "../../domain/severity.ts";
import { formatDuration } from "../../domain/time.ts";

const time = (seconds: number | null) => (seconds === null ? "-" : formatDuration(seconds * 1000));

function groupRow(label: string, g: ReportGroup): string[] {
  return [
    label,
    String(g.incidents),
    `${time(g.first_update.median_seconds)} / ${time(g.first_update.p90_seconds)}`,
    `${g.first_update.met}/${g.first_update.missed}`,
    `${time(g.identified.median_seconds)} / ${time(g.identified.p90_seconds)}`,
    `${time(g.resolved.median_seconds)} / ${time(g.resolved.p90_seconds)}`,
    String(g.lapses),
    g.postmortems.required ? `${g.postmortems.on_time}/${g.postmortems.late}/${g.postmortems.missing}${g.postmortems.not_yet_due ? ` (+${g.postmortems.not_yet_due} not due)` : ""}` : "-",
    `${g.action_items.open}/${g.action_items.overdue}`,
  ];
}

const HEADER = ["", "INCIDENTS", "1ST UPDATE MED/P90", "MET/MISSED", "IDENTIFIED MED/P90", "RESOLVED MED/P90", "LAPSES", "POSTMORTEMS ON TIME/LATE/MISSING", "ITEMS OPEN/OVERDUE"];

export function reportLines(r: ResponseReport): string[] {
  const lines = [`Response report ${r.from} → ${r.to} (${r.time_zone}); targets: ${SEVERITIES.map((s) => `${s} ${r.by_severity[s].first_update.target}`).join(", ")}`, ""];
  lines.push(...fmt.table(HEADER, SEVERITIES.map((s) => groupRow(s, r.by_severity[s]))));
  if (r.by_month.length > 0) {
    lines.push("", "By month:");
    lines.push(...fmt.table(HEADER, r.by_month.flatMap((m) => SEVERITIES.filter((s) => m.by_severity[s]).map((s) => groupRow(`${m.month} ${s}`, m.by_severity[s]!)))));
  }
  lines.push("", r.drills.count === 0 ? "Drills: none in this window (the seed: run one each quarter)." : `Drills: ${r.drills.count} (counted apart)`);
  if (r.drills.count > 0) lines.push(...fmt.table(HEADER, SEVERITIES.filter((s) => r.drills.by_severity[s]).map((s) => groupRow(`drill ${s}`, r.drills.by_severity[s]!))));
  return lines;
}

const commands: Command[] = [
  {
    name: "report",
    synopsis: "[--from YYYY-MM-DD] [--to YYYY-MM-DD] [--json]",
    summary: "How the response measured up against the seed's targets, per severity and month (default: the last 90 days, in the page's zone); drills apart.",
    example: "herald report --from 2026-10-01 --to 2026-12-31",
    options: ["from", "to"],
    api: true,
    async run(ctx) {
      noMoreArgs(ctx, 0);
      for (const name of ["from", "to"] as const) {
        const value = ctx.values[name];
        if (value !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new UsageError(`--${name} takes a day as YYYY-MM-DD; got "${value}"`);
      }
      show(ctx, await ctx.client().responseReport({ from: ctx.values.from, to: ctx.values.to }), reportLines);
    },
  },
];

export const reportCommands: CommandGroup = { word: "report", title: "Reports (Learn)", commands };
