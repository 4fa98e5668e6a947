/**
 * Postmortem rules (shared/seed/incident-management.md, "Postmortems"): plain TypeScript, no I/O.
 *
 *  - Only an incident can have a postmortem (maintenances are planned work; they have none).
 *  - A draft may be written at any time; only a RESOLVED incident can have a PUBLISHED one.
 *  - A published postmortem is shown while its incident is resolved. Reopening the incident hides
 *    it (the page, feed and JSON show an open incident again) until it is resolved again; it is not
 *    unpublished and its subscribers are not notified a second time.
 *  - Response metrics come from the update history: time to identify, to monitor, to resolve.
 */
import type { IncidentStatus } from "./lifecycle.ts";

export type PublishCheck = { ok: true } | { ok: false; message: string };

/** Whether a postmortem may be published for an incident in this status (a drill's never is: nothing of a drill is public). */
export function checkPublish(kind: "incident" | "maintenance", status: string, drill = false, draft = false): PublishCheck {
  if (draft) {
    return { ok: false, message: "This incident is still a draft (opened by an alert): publish the incident first (POST /api/v1/incidents/:id/publish); its postmortem can follow." };
  }
  if (kind !== "incident") return { ok: false, message: "Scheduled maintenances do not have postmortems." };
  if (drill) {
    return { ok: false, message: "This incident is a drill: its postmortem stays a draft for the team and is never published. Its measured response times are at GET /api/v1/drills/:id/report." };
  }
  if (status !== "resolved") {
    return { ok: false, message: `Only a resolved incident can have a published postmortem; this one is ${status}. Resolve it first.` };
  }
  return { ok: true };
}

/** A published postmortem is shown (page, feed, JSON status "postmortem") only while its incident is resolved. */
export function isPostmortemShown(incidentStatus: string, publishedAt: string | null | undefined): boolean {
  return incidentStatus === "resolved" && typeof publishedAt === "string";
}

/** One update as the metrics need it. */
export interface UpdatePoint {
  status: IncidentStatus | string;
  /** The update's user-visible time (display_at), ISO UTC. */
  at: string;
  /** Posting order. */
  seq: number;
}

export interface ResponseMilestones {
  /** The incident's start (its first update / started_at). */
  startedAt: string;
  /** First update at or past "identified" (a move that skips a stage reached it no later than that). */
  identifiedAt: string | null;
  /** First update at or past "monitoring". */
  monitoringAt: string | null;
  /** The final resolution: the last "resolved" update, while the incident is resolved; null when open. */
  resolvedAt: string | null;
}

export interface ResponseMetrics extends ResponseMilestones {
  /** Milliseconds from the start; null when the stage was not reached. */
  timeToIdentifyMs: number | null;
  timeToMonitorMs: number | null;
  timeToResolveMs: number | null;
}

const STAGE: Readonly<Record<string, number>> = { investigating: 0, identified: 1, monitoring: 2, resolved: 3 };

/**
 * Time to identify / monitor / resolve from an incident's updates (any order; sorted by `seq`).
 * Each stage is reached by the first update whose status is that stage or a later one; a reopened
 * incident's resolution is its last one. Durations are never negative (a backdated update counts
 * as reached at the start).
 */
export function responseMetrics(startedAt: string, currentStatus: string, updates: readonly UpdatePoint[]): ResponseMetrics {
  const ordered = [...updates].sort((a, b) => a.seq - b.seq);
  const firstAtOrPast = (stage: number): string | null => ordered.find((u) => (STAGE[u.status] ?? -1) >= stage)?.at ?? null;
  const lastResolved = ordered.filter((u) => u.status === "resolved").at(-1)?.at ?? null;
  const milestones: ResponseMilestones = {
    startedAt,
    identifiedAt: firstAtOrPast(STAGE.identified!),
    monitoringAt: firstAtOrPast(STAGE.monitoring!),
    resolvedAt: currentStatus === "resolved" ? lastResolved : null,
  };
  const since = (at: string | null) => (at === null ? null : Math.max(0, Date.parse(at) - Date.parse(startedAt)));
  return {
    ...milestones,
    timeToIdentifyMs: since(milestones.identifiedAt),
    timeToMonitorMs: since(milestones.monitoringAt),
    timeToResolveMs: since(milestones.resolvedAt),
  };
}

/** An action item of a postmortem. */
export interface ActionItem {
  description: string;
  owner: string | null;
  /** yyyy-mm-dd */
  dueDate: string | null;
  done: boolean;
}

export type ActionHorizon = "immediate" | "short" | "long";

/** The seed template's three groups of action items, with its headings. */
export const ACTION_HORIZONS: readonly { horizon: ActionHorizon; heading: string }[] = [
  { horizon: "immediate", heading: "Immediate (This Week)" },
  { horizon: "short", heading: "Short-term (This Month)" },
  { horizon: "long", heading: "Long-term (This Quarter)" },
];

/**
 * Which of the seed's groups an item falls in, by its due date counted from `fromDay` (yyyy-mm-dd,
 * the day the postmortem is written): within 7 days immediate, within 31 days short-term, later
 * or undated long-term.
 */
export function actionHorizon(dueDate: string | null, fromDay: string): ActionHorizon {
  if (dueDate === null) return "long";
  const days = (Date.parse(`${dueDate}T00:00:00Z`) - Date.parse(`${fromDay}T00:00:00Z`)) / 86_400_000;
  if (days <= 7) return "immediate";
  if (days <= 31) return "short";
  return "long";
}

/** How a published postmortem is shown: owners are team names (`@bob`), shown only when the team says so. */
export interface ShowOptions {
  showOwners: boolean;
}

/** The practice's action item line: `- [ ] Implement circuit breakers (@alice, 2024-01-25)`; without owners `(2024-01-25)`. */
export function actionItemLine(item: ActionItem, show: ShowOptions = { showOwners: true }): string {
  const owner = show.showOwners && item.owner ? (item.owner.startsWith("@") ? item.owner : `@${item.owner}`) : null;
  const detail = [owner, item.dueDate].filter(Boolean).join(", ");
  return `- [${item.done ? "x" : " "}] ${item.description}${detail ? ` (${detail})` : ""}`;
}

/** The heading the seed template gives the action items (level 2). */
const ACTION_ITEMS_HEADING = /^ {0,3}##[ \t]+Action Items[ \t#]*$/i;
/** A heading that ends that section: level 1 or 2. */
const SECTION_END = /^ {0,3}#{1,2}(?:[ \t]|$)/;
const FENCE = /^ {0,3}(```|~~~)/;

/** The tracked action items in the seed's layout: one `###` group per horizon that has items. */
export function actionItemsMarkdown(items: readonly ActionItem[], fromDay: string, show: ShowOptions = { showOwners: true }): string {
  const lines: string[] = [];
  for (const { horizon, heading } of ACTION_HORIZONS) {
    const group = items.filter((item) => actionHorizon(item.dueDate, fromDay) === horizon);
    if (group.length === 0) continue;
    if (lines.length > 0) lines.push("");
    lines.push(`### ${heading}`, ...group.map((item) => actionItemLine(item, show)));
  }
  return lines.join("\n");
}

/**
 * The postmortem as published: its body, with the tracked action items as its "## Action Items"
 * section. When there are tracked items they replace whatever that section says (so the list is
 * never shown twice); a body without the section gets it appended. Without tracked items the
 * body is shown as written. `fromDay` (yyyy-mm-dd) groups the items by due date (see actionHorizon).
 */
export function publishedMarkdown(body: string, items: readonly ActionItem[], fromDay: string, show: ShowOptions = { showOwners: true }): string {
  if (items.length === 0) return body;
  const section = actionItemsMarkdown(items, fromDay, show);
  const lines = body.split("\n");
  let inFence = false;
  let start = -1;
  let end = lines.length;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (FENCE.test(line)) inFence = !inFence;
    if (inFence) continue;
    if (start < 0 && ACTION_ITEMS_HEADING.test(line)) start = i;
    else if (start >= 0 && SECTION_END.test(line)) {
      end = i;
      break;
    }
  }
  if (start < 0) return `${body.trimEnd()}\n\n## Action Items\n\n${section}\n`;
  const after = lines.slice(end);
  return [...lines.slice(0, start + 1), "", section, ...(after.length > 0 ? ["", ...after] : [])].join("\n");
}

/**
 * The text a reader sees: the body with the tracked action items (publishedMarkdown), grouped by
 * due date from the day the incident was resolved (UTC; its start while it is open).
 */
export function postmortemText(
  postmortem: { body: string; actionItems: readonly ActionItem[] },
  incident: { resolvedAt: string | null; startedAt: string },
  show: ShowOptions,
): string {
  return publishedMarkdown(postmortem.body, postmortem.actionItems, (incident.resolvedAt ?? incident.startedAt).slice(0, 10), show);
}
