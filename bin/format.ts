/**
 * Human output of the CLI: a few lines saying what changed, and aligned tables for lists.
 * Pure functions from API JSON to lines, so they are easy to read and to test.
 */
import type { AffectedComponentJson, ComponentJson, IncidentJson, TemplateJson, WebhookJson } from "./client.ts";

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
  lines.push(incident.shortlink);
  return lines;
}

export function incidentHeadline(verb: "Declared" | "Updated" | "Reopened" | "Resolved", incident: IncidentJson): string {
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

export function maintenanceScheduledLines(m: IncidentJson): string[] {
  const lines = [`Scheduled maintenance ${m.id} "${m.name}" — ${formatTime(m.scheduled_for)} → ${formatTime(m.scheduled_until)}`];
  if (m.components.length > 0) lines.push(`  affects: ${m.components.map((c) => c.name).join(", ")}`);
  lines.push(m.shortlink);
  return lines;
}

export function incidentTable(incidents: readonly IncidentJson[]): string[] {
  if (incidents.length === 0) return ["No incidents."];
  return table(
    ["ID", "SEV", "STATUS", "STARTED", "UPDATED", "NAME"],
    incidents.map((i) => [i.id, i.severity ?? "-", i.status, formatTime(i.started_at), formatTime(i.updated_at), i.name]),
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
  const lines = [`${head} ${i.id} "${i.name}" — ${i.status}`];
  if (kind === "incident") {
    const end = i.resolved_at ? ` · resolved ${formatTime(i.resolved_at)} (${formatDuration(i.started_at, i.resolved_at)})` : "";
    lines.push(`impact ${i.impact} · started ${formatTime(i.started_at)}${end}`);
  } else {
    lines.push(`scheduled ${formatTime(i.scheduled_for)} → ${formatTime(i.scheduled_until)}`);
  }
  lines.push(i.shortlink);
  if (i.components.length > 0) lines.push(`components: ${i.components.map((c) => `${c.name} (${c.status})`).join(", ")}`);
  for (const u of i.incident_updates) {
    lines.push("");
    lines.push(`${formatTime(u.display_at)}  ${u.status}${u.author ? `  by ${u.author}` : ""}${u.deliver_notifications ? "" : "  (not notified)"}`);
    for (const a of u.affected_components ?? []) lines.push(componentChangeLine(a));
    for (const bodyLine of u.body.split("\n")) lines.push(`    ${bodyLine}`.trimEnd());
  }
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
