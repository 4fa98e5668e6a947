/**
 * The internal (Slack) update: the seed's "Incident Slack Update Template", kept as an editable
 * file, templates/internal-update.md, written in Slack's mrkdwn (`*bold*`). Placeholders are
 * `{{name}}`; an unknown one is refused when Herald starts.
 *
 * | placeholder | value |
 * | --- | --- |
 * | `{{severity}}` | `SEV1` … `SEV4` |
 * | `{{incident_name}}` | the incident's name |
 * | `{{change}}` | what just happened: `declared by Cole`, `Identified, posted by Cole`, `changed by Ada: incident commander` |
 * | `{{status}}` | `Investigating`, `Identified`, `Monitoring`, `Resolved` |
 * | `{{impact}}` | the components and the status the latest updates gave them, else the severity's impact |
 * | `{{started}}` | `Jan 15, 14:05 UTC` in the page's zone |
 * | `{{incident_commander}}`, `{{technical_lead}}`, `{{communications_lead}}`, `{{scribe}}`, `{{bridge}}`, `{{channel}}` | the roles, or `not set` |
 * | `{{timeline}}` | one line per update, oldest first: `14:05 - Investigating: We're looking into it.` |
 * | `{{next_update}}` | `14:30 UTC or sooner if status changes`, `not promised`, or `none (resolved)` |
 * | `{{incident_url}}` | the incident's page; a drill's unlisted preview page |
 *
 * Every value is escaped for Slack (`&`, `<`, `>`), so nothing typed into Herald can become a
 * mention (`<!channel>`) or a link. A drill's messages always start with a DRILL line, whatever
 * the template says.
 */
import { COMPONENT_STATUS_LABELS } from "../../domain/components.ts";
import { STATUS_LABELS } from "../../domain/lifecycle.ts";
import { SEVERITY_LEVELS } from "../../domain/severity.ts";
import type { Lapse } from "../../domain/response.ts";
import type { IncidentRoles } from "../../db/queries/internal.ts";
import type { IncidentRecord, UpdateRecord } from "../../db/records.ts";
import { dayKey, formatDateTime, formatTime } from "../../domain/time.ts";
import { formatIncidentNumber, suggestedChannel } from "../../domain/incident-number.ts";
import { renderMarkdownToText } from "../../templates/markdown.ts";
import type { IncidentChange } from "../service/context.ts";

export const INTERNAL_PLACEHOLDERS = [
  "severity", "incident_number", "incident_name", "change", "status", "impact", "started", "incident_commander", "technical_lead",
  "communications_lead", "scribe", "bridge", "channel", "timeline", "next_update", "incident_url",
] as const;
export type InternalPlaceholder = (typeof INTERNAL_PLACEHOLDERS)[number];

export class InternalTemplateError extends Error {}

const PLACEHOLDER = /\{\{\s*([a-z_]+)\s*\}\}/g;

/** A checked template: its text, known to use only known placeholders. */
export interface InternalTemplate {
  source: string;
}

export function parseInternalTemplate(source: string, name = "templates/internal-update.md"): InternalTemplate {
  const normalized = source.replace(/\r\n?/g, "\n").trim();
  if (!normalized) throw new InternalTemplateError(`${name}: is empty.`);
  for (const [, key] of normalized.matchAll(PLACEHOLDER)) {
    if (!(INTERNAL_PLACEHOLDERS as readonly string[]).includes(key!)) {
      throw new InternalTemplateError(`${name}: unknown placeholder {{${key}}}; known: ${INTERNAL_PLACEHOLDERS.map((p) => `{{${p}}}`).join(", ")}.`);
    }
  }
  return { source: normalized };
}

/** Slack's three control characters; everything else is shown as typed. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function fillInternalTemplate(template: InternalTemplate, values: Readonly<Record<InternalPlaceholder, string>>): string {
  return template.source.replace(PLACEHOLDER, (_, key: string) => escapeSlack(values[key as InternalPlaceholder]));
}

/** What every drill message starts with, word for word as the README documents it, for people's filters. */
export const DRILL_MARKER = ":test_tube: *DRILL: practice incident, not real.*";
export const DRILL_BANNER = `${DRILL_MARKER} Customers see nothing of it.`;

/** What a message for the internal channel looks like on the wire (Slack incoming webhook). */
export interface InternalPayload {
  text: string;
}

export interface InternalPage {
  /** Public base URL, no trailing slash. */
  url: string;
  timeZone: string;
}

/** What every message about a draft starts with: the team must publish it before customers hear. */
export const DRAFT_BANNER = ":memo: *DRAFT: opened by an alert, not public.* Customers see nothing until a comms lead publishes it.";

/** The incident's link in internal messages: a drill's unlisted preview, a draft's console page, else its public page. */
export function internalLink(page: InternalPage, incident: Pick<IncidentRecord, "id" | "drill" | "previewToken" | "draft">): string {
  if (incident.draft) return `${page.url}/console/incidents/${incident.id}`;
  return incident.drill && incident.previewToken ? `${page.url}/preview/${incident.previewToken}` : `${page.url}/incidents/${incident.id}`;
}

/** A drill's or a draft's banner before a message's text. */
function bannered(incident: Pick<IncidentRecord, "drill" | "draft">, text: string): InternalPayload {
  return { text: incident.drill ? `${DRILL_BANNER}\n${text}` : incident.draft ? `${DRAFT_BANNER}\n${text}` : text };
}

function oneLine(markdown: string, max = 140): string {
  const text = renderMarkdownToText(markdown).replace(/\s+/g, " ").trim();
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

const ROLE_LABELS: Readonly<Record<keyof IncidentRoles, string>> = {
  incident_commander: "incident commander",
  technical_lead: "technical lead",
  communications_lead: "communications lead",
  scribe: "scribe",
  bridge_url: "bridge",
  channel: "channel",
};

function changeText(change: IncidentChange, actor: string, drill: boolean): string {
  switch (change.kind) {
    case "created":
      return `${drill ? "drill started" : "declared"} by ${actor}`;
    case "updated":
      return `${STATUS_LABELS[change.update.status]}, posted by ${actor}`;
    case "resolved":
      return `${drill ? "drill resolved" : "resolved"} by ${actor}`;
    case "reopened":
      return `reopened as ${STATUS_LABELS[change.update.status]} by ${actor}`;
    case "published":
      return `published by ${actor}: customers and subscribers see it now`;
    case "patched":
      return `changed by ${actor}: ${change.fields.map((f) => ROLE_LABELS[f as keyof IncidentRoles] ?? f).join(", ")}`;
  }
}

/** Components as the newest update naming each left them (drills: as rehearsed). */
function impactText(incident: IncidentRecord): string {
  const latest = new Map<string, string>();
  for (const u of [...incident.updates].sort((a, b) => a.seq - b.seq)) {
    for (const a of u.affected) latest.set(a.name, COMPONENT_STATUS_LABELS[a.newStatus]);
  }
  const parts = [...latest].map(([name, status]) => `${name}: ${status}`);
  return parts.length > 0 ? parts.join(", ") : SEVERITY_LEVELS[incident.severity ?? "SEV4"].impact;
}

/** The latest update's promise, shown while the incident is open. */
export function currentPromise(incident: IncidentRecord): string | null {
  if (incident.status === "resolved") return null;
  const latest = [...incident.updates].sort((a, b) => b.seq - a.seq)[0];
  return latest?.nextUpdateAt ?? null;
}

/** Updates' times: "14:05 UTC" when the whole incident is one day in the page's zone, else "Jan 15, 14:05 UTC". */
function timeFormatter(incident: IncidentRecord, timeZone: string): (iso: string) => string {
  const days = new Set([incident.startedAt, ...incident.updates.map((u) => u.createdAt)].map((t) => dayKey(t, timeZone)));
  return days.size === 1 ? (iso) => formatTime(iso, timeZone) : (iso) => formatDateTime(iso, timeZone);
}

const MAX_TIMELINE = 25;

function timelineText(updates: readonly UpdateRecord[], at: (iso: string) => string): string {
  const ordered = [...updates].sort((a, b) => a.seq - b.seq);
  const shown = ordered.slice(-MAX_TIMELINE);
  const lines = shown.map((u) => `${at(u.createdAt)} - ${STATUS_LABELS[u.status]}: ${oneLine(u.body)}`);
  if (ordered.length > shown.length) lines.unshift(`(${ordered.length - shown.length} earlier updates not shown)`);
  return lines.join("\n");
}

/** The internal update for one change of an incident. */
export function internalUpdate(
  template: InternalTemplate,
  page: InternalPage,
  incident: IncidentRecord,
  roles: IncidentRoles,
  change: IncidentChange,
  actor: string,
): InternalPayload {
  const at = timeFormatter(incident, page.timeZone);
  const promise = currentPromise(incident);
  const role = (value: string | null) => value ?? "not set";
  const text = fillInternalTemplate(template, {
    severity: incident.severity ?? "SEV4",
    incident_number: incident.number ? formatIncidentNumber(incident.number) : "-",
    incident_name: incident.name,
    change: changeText(change, actor, incident.drill === true),
    status: STATUS_LABELS[incident.status],
    impact: impactText(incident),
    started: formatDateTime(incident.startedAt, page.timeZone),
    incident_commander: role(roles.incident_commander),
    technical_lead: role(roles.technical_lead),
    communications_lead: role(roles.communications_lead),
    scribe: role(roles.scribe),
    bridge: role(roles.bridge_url),
    // The seed names the channel after the incident: suggest it until one is set.
    channel: roles.channel ?? (incident.number ? `not set (suggested: ${suggestedChannel(incident.number)})` : "not set"),
    timeline: timelineText(incident.updates, at),
    next_update: incident.status === "resolved" ? "none (resolved)" : promise ? `${formatTime(promise, page.timeZone)} or sooner if status changes` : "not promised",
    incident_url: internalLink(page, incident),
  });
  return bannered(incident, text);
}

/** The reminder for one lapse: what was due, since when, and how to act on it. */
export function lapseReminder(page: InternalPage, incident: IncidentRecord, roles: IncidentRoles, lapse: Lapse): InternalPayload {
  const name = escapeSlack(incident.name);
  const severity = incident.severity ?? "SEV4";
  const due = formatDateTime(lapse.dueAt, page.timeZone);
  const who = roles.communications_lead ? ` ${escapeSlack(roles.communications_lead)}:` : "";
  const lines =
    lapse.kind === "first_update"
      ? [
          `:alarm_clock: *Response time missed*${who} the first public update of ${severity} "${name}" was due by ${due} (${escapeSlack(SEVERITY_LEVELS[severity].responseTime)} from its start).`,
          lapse.resolvedAt ? `It was posted at ${formatDateTime(lapse.resolvedAt, page.timeZone)}.` : "Nothing has been posted yet.",
        ]
      : [
          `:alarm_clock: *Next update overdue*${who} ${severity} "${name}" promised its next update by ${due}.`,
          lapse.resolvedAt
            ? `The next update came at ${formatDateTime(lapse.resolvedAt, page.timeZone)}.`
            : `Post one now: herald incident update ${incident.id} --status … --body "…" --next-update 30m`,
        ];
  lines.push(escapeSlack(internalLink(page, incident)));
  return bannered(incident, lines.join("\n"));
}

/** An automated change (alerts) for the team: what fired or resolved, what moved, the drafts to publish. */
export function automationMessage(page: InternalPage, note: { lines: readonly string[]; draftIncidentIds: readonly string[] }): InternalPayload {
  const lines = [":rotating_light: *Alerts* (automation)", ...note.lines.map(escapeSlack)];
  for (const id of note.draftIncidentIds) lines.push(`:memo: Draft incident ready — review and publish: ${escapeSlack(`${page.url}/console/incidents/${id}`)}`);
  return { text: lines.join("\n") };
}
