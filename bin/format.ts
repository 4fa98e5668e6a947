/**
 * Human output of the CLI: a few lines saying what changed, and aligned tables for lists.
 * Pure functions from API JSON to lines, so they are easy to read and to test.
 */
import type { AffectedComponentJson, ComponentJson, DrillReportJson, IncidentJson, PostmortemJson, TemplateJson, WebhookJson } from "./client.ts";

/** `2026-11-27T14:03:12.345Z` → `2026-11-27 14:03Z`; anything unparsable is shown as given. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "-";
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return new Date(ms).toISOString().slice(0, 16).replace("T", " ") + "Z";
}

/** A short human duration: `45s`, `12m`, `1h 12m`, `2d 3h`. */
export function formatDuration(fromIso: string, toIso: string): string {
  const seconds = Math.max(0, Math.round((Date.parse(toIso) - Date.parse(fromIso)) / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${minutes % 60}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

/** Left-aligned columns separated by two spaces; the last column is not padded. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

export function componentChangeLine(a: AffectedComponentJson): string {
  return a.old_status === a.new_status ? `  ${a.name}: ${a.new_status} (unchanged)` : `  ${a.name}: ${a.old_status} → ${a.new_status}`;
}

/**
 * What an incident or maintenance write did, e.g.
 *   Declared SEV1 incident h3k2m4n5p6q7 "API Gateway Down" — investigating
 *     API: operational → major_outage
 *   https://status.example.com/incidents/h3k2m4n5p6q7
 * The components listed are those the newest update (the one just posted) changed.
 */
export function describeChange(headline: string, incident: IncidentJson): string[] {
  const latest = incident.incident_updates[0];
  const lines = [latest && latest.deliver_notifications === false ? `${headline} (subscribers not notified)` : headline];
  for (const a of latest?.affected_components ?? []) lines.push(componentChangeLine(a));
  // A drill has no public page (its shortlink is a 404): point at its unlisted preview.
  lines.push(incident.drill ? `preview (unlisted, for the team only): ${incident.preview_url ?? "-"}` : incident.shortlink);
  return lines;
}

export function incidentHeadline(verb: "Declared" | "Updated" | "Reopened" | "Resolved" | "Published", incident: IncidentJson): string {
  const what = `incident ${incident.id} "${incident.name}"`;
  switch (verb) {
    case "Declared":
      return `Declared ${incident.severity ? `${incident.severity} ` : ""}${what} — ${incident.status}`;
    case "Resolved":
      return incident.resolved_at
        ? `Resolved ${what} after ${formatDuration(incident.started_at, incident.resolved_at)}`
        : `Resolved ${what}`;
    default:
      return `${verb} ${what} — ${incident.status}`;
  }
}

export function maintenanceScheduledLines(m: IncidentJson, verb = "Scheduled"): string[] {
  const lines = [`${verb} maintenance ${m.id} "${m.name}" — ${formatTime(m.scheduled_for)} → ${formatTime(m.scheduled_until)}`];
  if (m.components.length > 0) lines.push(`  affects: ${m.components.map((c) => c.name).join(", ")}`);
  lines.push(m.shortlink);
  return lines;
}

export function incidentTable(incidents: readonly IncidentJson[]): string[] {
  if (incidents.length === 0) return ["No incidents."];
  return table(
    ["ID", "NUMBER", "SEV", "STATUS", "STARTED", "UPDATED", "NAME"],
    incidents.map((i) => [i.id, i.number ?? "-", i.severity ?? "-", i.status, formatTime(i.started_at), formatTime(i.updated_at), i.drill ? `[DRILL] ${i.name}` : i.draft ? `[DRAFT] ${i.name}` : i.name]),
  );
}

export function maintenanceTable(maintenances: readonly IncidentJson[]): string[] {
  if (maintenances.length === 0) return ["No maintenances."];
  return table(
    ["ID", "STATUS", "START", "END", "NAME"],
    maintenances.map((m) => [m.id, m.status, formatTime(m.scheduled_for), formatTime(m.scheduled_until), m.name]),
  );
}

/** Components in page order, each group followed by its components (indented). */
export function componentTable(components: readonly ComponentJson[]): string[] {
  if (components.length === 0) return ["No components yet. Add one with: herald component add NAME"];
  const byGroup = new Map<string, ComponentJson[]>();
  for (const c of components) if (c.group_id) byGroup.set(c.group_id, [...(byGroup.get(c.group_id) ?? []), c]);
  const known = new Set(components.map((c) => c.id));
  const rows: string[][] = [];
  for (const c of components) {
    if (c.group_id && known.has(c.group_id)) continue; // listed under its group
    rows.push([c.id, c.name, c.group ? `${c.status} (group)` : c.status]);
    for (const child of c.group ? (byGroup.get(c.id) ?? []) : []) rows.push([child.id, `  ${child.name}`, child.status]);
  }
  return table(["ID", "NAME", "STATUS"], rows);
}

export function incidentDetail(i: IncidentJson): string[] {
  const kind = i.scheduled_for !== undefined ? "maintenance" : "incident";
  const head = kind === "incident" ? `${i.severity ? `${i.severity} ` : ""}incident` : "maintenance";
  const lines = [`${head} ${i.id} "${i.name}" — ${i.status}${i.number ? ` · ${i.number}` : ""}`];
  if (kind === "incident") {
    const end = i.resolved_at ? ` · resolved ${formatTime(i.resolved_at)} (${formatDuration(i.started_at, i.resolved_at)})` : "";
    lines.push(`impact ${i.impact} · started ${formatTime(i.started_at)}${end}`);
  } else {
    lines.push(`scheduled ${formatTime(i.scheduled_for)} → ${formatTime(i.scheduled_until)}`);
  }
  lines.push(i.drill ? `DRILL (practice; never public) · preview ${i.preview_url ?? "-"}` : i.shortlink);
  if (i.components.length > 0) lines.push(`components: ${i.components.map((c) => `${c.name} (${c.status})`).join(", ")}`);
  lines.push(...internalLines(i));
  for (const u of i.incident_updates) {
    lines.push("");
    lines.push(`${formatTime(u.display_at)}  ${u.status}${u.author ? `  by ${u.author}` : ""}${u.deliver_notifications ? "" : "  (not notified)"}`);
    for (const a of u.affected_components ?? []) lines.push(componentChangeLine(a));
    for (const bodyLine of u.body.split("\n")) lines.push(`    ${bodyLine}`.trimEnd());
  }
  return lines;
}

/** `  [ ] Add pool alerts (@bob, due 2024-01-18)` per action item. */
export function actionItemLines(p: PostmortemJson): string[] {
  if (p.action_items.length === 0) return [];
  return [
    `Action items (${p.action_items.filter((a) => a.done).length}/${p.action_items.length} done):`,
    ...p.action_items.map((a) => `  [${a.done ? "x" : " "}] ${a.description}${a.owner ? ` (${a.owner}` : ""}${a.due_date ? `${a.owner ? ", " : " ("}due ${a.due_date})` : a.owner ? ")" : ""}`),
  ];
}

/** What `postmortem show` says about the text it prints. */
export function postmortemHeader(p: PostmortemJson): string[] {
  const state =
    p.status === "published"
      ? `published ${formatTime(p.published_at)}${p.updated_at > (p.published_at ?? "") ? `, edited ${formatTime(p.updated_at)}` : ""}${p.notified_subscribers ? ", subscribers notified" : ""}`
      : `draft, edited ${formatTime(p.updated_at)} by ${p.author}`;
  return [`Postmortem of incident ${p.incident_id} — ${state}`, ...actionItemLines(p)];
}

export function publishedLines(p: PostmortemJson, notify: boolean): string[] {
  const lines = [`Published the postmortem of incident ${p.incident_id} (${formatTime(p.published_at)}).`];
  if (notify) {
    const n = p.notifications_enqueued ?? 0;
    lines.push(
      n > 0
        ? `Mailing it to ${n} subscriber${n === 1 ? "" : "s"}.`
        : "Nobody new to mail: no subscriber follows its components, or they were mailed when it was first published with --notify.",
    );
  }
  return lines;
}

const ROLE_LABELS = [
  ["incident_commander", "incident commander"],
  ["technical_lead", "technical lead"],
  ["communications_lead", "communications lead"],
  ["scribe", "scribe"],
  ["bridge_url", "bridge"],
  ["channel", "channel"],
] as const;

/** Roles, the promised next update and response-time lapses: the internal part of an incident. */
export function internalLines(i: IncidentJson): string[] {
  const lines: string[] = [];
  const roles = ROLE_LABELS.flatMap(([key, label]) => (i[key] ? [`${label} ${i[key]}`] : []));
  if (roles.length > 0) lines.push(`team: ${roles.join(" · ")}`);
  if (i.next_update_at) lines.push(`next update promised by ${formatTime(i.next_update_at)}`);
  for (const l of i.response_lapses ?? []) {
    const what = l.kind === "first_update" ? "first update late" : "promised update late";
    lines.push(`LAPSE: ${what} (due ${formatTime(l.due_at)}; ${l.resolved_at ? `came ${formatTime(l.resolved_at)}` : "still overdue"})`);
  }
  return lines;
}

const seconds = (s: number | null): string => (s === null ? "-" : formatDuration(new Date(0).toISOString(), new Date(s * 1000).toISOString()));

/** `herald drill report`: each measure against the severity's target. */
export function drillReportLines(r: DrillReportJson): string[] {
  const first = r.first_update;
  const verdict = first.met === null ? "pending" : first.met ? "MET" : "MISSED";
  const lines = [
    `Drill ${r.incident_id} "${r.name}" — ${r.severity}, ${r.status}${r.complete ? "" : " (not ended yet)"}`,
    `target: first public update ${r.target} (due ${formatTime(first.due_at)})`,
    `first update:  ${seconds(first.after_seconds)}  ${verdict}`,
    `identified:    ${r.identified ? seconds(r.identified.after_seconds) : "-"}`,
    `monitoring:    ${r.monitoring ? seconds(r.monitoring.after_seconds) : "-"}`,
    `resolved:      ${r.resolved ? seconds(r.resolved.after_seconds) : "-"}`,
  ];
  const kept = r.next_updates.filter((p) => p.kept === true).length;
  const broken = r.next_updates.filter((p) => p.kept === false);
  lines.push(`next-update promises: ${r.next_updates.length} made, ${kept} kept, ${broken.length} broken`);
  for (const p of broken) lines.push(`  due ${formatTime(p.due_at)}: ${p.next_at ? `came ${seconds(p.late_seconds)} late` : `overdue by ${seconds(p.late_seconds)}`}`);
  return lines;
}

export function templateTable(templates: readonly TemplateJson[]): string[] {
  if (templates.length === 0) return ["No templates. Add one with: herald template add SLUG --name NAME --severity SEV1 --body TEXT"];
  return table(
    ["SLUG", "SEV", "COMPONENTS", "NAME"],
    templates.map((t) => [t.slug, t.severity, String(Object.keys(t.components).length), `${t.name}${t.builtin ? " (built-in)" : ""}`]),
  );
}

export function templateDetail(t: TemplateJson): string[] {
  const lines = [`template ${t.slug} "${t.name}"${t.builtin ? " (built-in)" : ""} — ${t.severity}`, `incident title: ${t.title ?? t.name}`];
  const components = Object.entries(t.components);
  if (components.length > 0) lines.push(`components: ${components.map(([id, status]) => `${id}=${status}`).join(", ")}`);
  lines.push("", ...t.body.split("\n").map((line) => `    ${line}`.trimEnd()));
  return lines;
}

export function webhookTable(webhooks: readonly WebhookJson[]): string[] {
  if (webhooks.length === 0) return ["No webhook subscriptions."];
  return table(
    ["ID", "STATUS", "FAILURES/H", "PENDING", "DELIVERED", "CONTACT", "ENDPOINT"],
    webhooks.map((w) => [w.id, w.status, String(w.failures_last_hour), String(w.pending_deliveries), String(w.delivered), w.email, w.endpoint]),
  );
}
