/**
 * The first draft of a postmortem: the seed's Blameless Postmortem Template
 * (shared/seed/incident-management.md, "Postmortems") with its exact sections, pre-filled with what
 * Herald knows — the date, duration, severity, affected components, the timeline of updates with
 * their times in the page's zone (with its label), and the time to identify / monitor / resolve
 * (domain/postmortem.ts). What only people know is left as short prompts in italics.
 *
 * Pure (no I/O, no clock): the API serves it (GET /api/v1/incidents/:id/postmortem/template) and the
 * CLI saves it as the draft (`herald postmortem init`).
 */
import { COMPONENT_STATUS_LABELS, COMPONENT_STATUSES, type ComponentStatus } from "../domain/components.ts";
import { formatIncidentNumber } from "../domain/incident-number.ts";
import { STATUS_LABELS } from "../domain/lifecycle.ts";
import { actionItemsMarkdown, ACTION_HORIZONS, responseMetrics, type ActionItem } from "../domain/postmortem.ts";
import { SEVERITY_LEVELS } from "../domain/severity.ts";
import type { IncidentRecord } from "../db/records.ts";
import { dayKey, formatDuration, formatRange, timeZoneLabel, wallClock } from "../domain/time.ts";
import { renderMarkdownToText } from "./markdown.ts";

export interface DraftInput {
  incident: IncidentRecord;
  /** Current names of components by id (the incident's own records keep names only for changed ones). */
  componentNames: ReadonlyMap<string, string>;
  page: { url: string; timeZone: string };
  /** Tracked action items, if the postmortem already has some. */
  actionItems?: readonly ActionItem[];
  /** Earlier incidents that hit the same components, newest first (the seed's "Related Incidents"). */
  related?: readonly Pick<IncidentRecord, "id" | "name" | "status" | "number" | "startedAt">[];
}

const pad = (n: number) => String(n).padStart(2, "0");

/** "January 15, 2024" in the page's zone, as the seed's title. */
function longDate(instant: string, timeZone: string): string {
  return new Intl.DateTimeFormat("en-US", { month: "long", day: "numeric", year: "numeric", timeZone }).format(new Date(instant));
}

function durationText(ms: number | null): string {
  return ms === null ? "not reached" : formatDuration(ms);
}

/** One line of plain text from an update's Markdown. */
function oneLine(markdown: string): string {
  return renderMarkdownToText(markdown).replace(/\s+/g, " ").trim();
}

/** The worst status each component reached during the incident (by the order of COMPONENT_STATUSES), by id. */
function worstStatuses(incident: IncidentRecord): Map<string, { name: string; status: ComponentStatus }> {
  const rank = (s: ComponentStatus) => (s === "under_maintenance" ? 0 : COMPONENT_STATUSES.indexOf(s));
  const worst = new Map<string, { name: string; status: ComponentStatus }>();
  for (const update of incident.updates) {
    for (const a of update.affected) {
      const seen = worst.get(a.componentId);
      if (!seen || rank(a.newStatus) > rank(seen.status)) worst.set(a.componentId, { name: a.name, status: a.newStatus });
    }
  }
  return worst;
}

/** "API (major outage), Database" — linked components in the incident's order, each with the worst status it had. */
function affectedText(input: DraftInput): string | null {
  const worst = worstStatuses(input.incident);
  const ids = [...new Set([...input.incident.componentIds, ...worst.keys()])];
  if (ids.length === 0) return null;
  return ids
    .map((id) => {
      const name = input.componentNames.get(id) ?? worst.get(id)?.name ?? id;
      const status = worst.get(id)?.status;
      return status && status !== "operational" ? `${name} (${COMPONENT_STATUS_LABELS[status].toLowerCase()})` : name;
    })
    .join(", ");
}

/**
 * Timeline lines, oldest first: `- 14:05: Identified - Database connection issues identified (API: major outage)`.
 * Times are the page zone's wall clock; a line whose zone label differs from the heading's (a DST
 * change) says its own, and an incident over several days puts the date before each time.
 */
function timelineLines(incident: IncidentRecord, timeZone: string, headingLabel: string): string[] {
  const updates = [...incident.updates].sort((a, b) => a.seq - b.seq);
  const days = new Set(updates.map((u) => dayKey(u.displayAt, timeZone)));
  return updates.map((u) => {
    const w = wallClock(u.displayAt, timeZone);
    const label = timeZoneLabel(u.displayAt, timeZone);
    const date = days.size > 1 ? `${new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", timeZone }).format(new Date(u.displayAt))}, ` : "";
    const time = `${date}${pad(w.hour)}:${pad(w.minute)}${label === headingLabel ? "" : ` ${label}`}`;
    const changes = u.affected.filter((a) => a.oldStatus !== a.newStatus).map((a) => `${a.name}: ${COMPONENT_STATUS_LABELS[a.newStatus].toLowerCase()}`);
    const text = oneLine(u.body);
    return `- ${time}: ${STATUS_LABELS[u.status]}${text ? ` - ${text}` : ""}${changes.length > 0 ? ` (${changes.join("; ")})` : ""}`;
  });
}

/**
 * The draft's prompts: what the author is asked to replace. Publishing refuses a postmortem that
 * still holds any of them (api/service/postmortems.ts), so "Root Cause: _one sentence._" never
 * reaches customers.
 */
export const DRAFT_PROMPTS = [
  "who was affected and how (error rate, failed requests).",
  "one sentence.",
  "The chain of events, in plain words.",
  'Ask "how" and "why", not "who": systems and processes, not individuals.',
  "What made it more likely, bigger or longer.",
  "Failed requests, customers affected, support tickets.",
  "Detection, escalation, communication, the fix.",
  "Gaps in monitoring, process or tooling.",
  "Track them as action items (owner, due date, done): when the postmortem has any, they are this section once published.",
  "Action",
  "What we now know.",
  "Earlier incidents with a similar cause, if any.",
  "same cause or different?",
  "Dashboards, logs, the incident channel.",
] as const;

type DraftPrompt = (typeof DRAFT_PROMPTS)[number];

const prompt = (text: DraftPrompt) => `_${text}_`;

/** The action item placeholder the draft carries until real items are tracked. */
const ACTION_PLACEHOLDER = "(@owner, YYYY-MM-DD)";

/** The draft's prompts still in `markdown`, as written there ("_one sentence._"), in template order. */
export function promptsLeft(markdown: string): string[] {
  const left: string[] = DRAFT_PROMPTS.map((text) => `_${text}_`).filter((p) => markdown.includes(p));
  if (markdown.includes(ACTION_PLACEHOLDER)) left.push(ACTION_PLACEHOLDER);
  return left;
}

/** The pre-filled Markdown draft. */
export function postmortemDraft(input: DraftInput): string {
  const { incident, page } = input;
  const tz = page.timeZone;
  const metrics = responseMetrics(
    incident.startedAt,
    incident.status,
    incident.updates.map((u) => ({ status: u.status, at: u.displayAt, seq: u.seq })),
  );
  const level = incident.severity ? SEVERITY_LEVELS[incident.severity] : null;
  const label = timeZoneLabel(incident.startedAt, tz);
  const duration = metrics.resolvedAt
    ? `${formatDuration(metrics.timeToResolveMs!)} (${formatRange(incident.startedAt, metrics.resolvedAt, tz)})`
    : `ongoing (${formatRange(incident.startedAt, null, tz)})`;
  const affected = affectedText(input);
  const severity = level ? `${level.level} (${level.name})` : "-";
  const items = input.actionItems ?? [];

  const lines: string[] = [
    `# Postmortem: ${incident.number ? `${formatIncidentNumber(incident.number)} ` : ""}${incident.name} - ${longDate(incident.startedAt, tz)}`,
    "",
    "## Incident Summary",
    `**Date:** ${dayKey(incident.startedAt, tz)}`,
    `**Duration:** ${duration}`,
    `**Severity:** ${severity}`,
    `**Impact:** ${prompt("who was affected and how (error rate, failed requests).")}${affected ? ` Affected components: ${affected}.` : ""}`,
    `**Root Cause:** ${prompt("one sentence.")}`,
    `**Time to identify:** ${durationText(metrics.timeToIdentifyMs)}`,
    `**Time to monitor:** ${durationText(metrics.timeToMonitorMs)}`,
    `**Time to resolve:** ${durationText(metrics.timeToResolveMs)}`,
    "",
    `## Timeline (${label})`,
    ...timelineLines(incident, tz, label),
    "",
    "## Root Cause Analysis",
    "",
    "### What Happened",
    prompt("The chain of events, in plain words."),
    "",
    "### Why It Happened",
    `1. ${prompt("Ask \"how\" and \"why\", not \"who\": systems and processes, not individuals.")}`,
    "",
    "### Contributing Factors",
    `- ${prompt("What made it more likely, bigger or longer.")}`,
    "",
    "## Impact",
    `- ${metrics.resolvedAt ? `Duration: ${formatDuration(metrics.timeToResolveMs!)}` : "Duration: ongoing"}`,
    ...(affected ? [`- Affected components: ${affected}`] : []),
    ...(level ? [`- Severity: ${level.level} - ${level.impact}`] : []),
    `- ${prompt("Failed requests, customers affected, support tickets.")}`,
    "",
    "## What Went Well",
    `- ${prompt("Detection, escalation, communication, the fix.")}`,
    "",
    "## What Went Wrong",
    `- ${prompt("Gaps in monitoring, process or tooling.")}`,
    "",
    "## Action Items",
    "",
    ...(items.length > 0
      ? [actionItemsMarkdown(items, (metrics.resolvedAt ?? incident.startedAt).slice(0, 10))]
      : [
          prompt("Track them as action items (owner, due date, done): when the postmortem has any, they are this section once published."),
          ...ACTION_HORIZONS.flatMap(({ heading }) => ["", `### ${heading}`, `- [ ] ${prompt("Action")} ${ACTION_PLACEHOLDER}`]),
        ]),
    "",
    "## Lessons Learned",
    `1. ${prompt("What we now know.")}`,
    "",
    "## Related Incidents",
    // Earlier incidents on the same components, as the seed lists them; whether the cause was the same is for people to say.
    ...(input.related ?? []).map((r) => `- ${r.number ? formatIncidentNumber(r.number) : r.id}: ${r.name} (${STATUS_LABELS[r.status].toLowerCase()}, ${dayKey(r.startedAt, tz)}) ${prompt("same cause or different?")}`),
    ...(input.related?.length ? [] : [`- ${prompt("Earlier incidents with a similar cause, if any.")}`]),
    "",
    "## Appendix",
    `- [Status page](${page.url}/incidents/${incident.id})`,
    `- ${prompt("Dashboards, logs, the incident channel.")}`,
  ];
  return lines.join("\n");
}
