/**
 * Detect: alerts from the systems teams already run (normalized by api/routes/alerts.ts) move
 * component statuses and may open draft incidents. The rules themselves are in domain/alerts.ts;
 * here they meet the database, inside one write:
 *  - each alert's state is stored by its sender's identity; the same state again changes nothing;
 *  - the components an alert names are re-evaluated: the most degraded firing alert wins, a
 *    person's word is kept, a hold-down stops flapping (a held move is made later by `settleAlerts`);
 *  - a rule with a template opens one draft incident while its alerts fire — words for a comms lead
 *    to approve, never sent to customers until published (POST /api/v1/incidents/:id/publish);
 *  - the team channel hears of every automated change.
 */
import { automationMay, DEFAULT_HOLD_DOWN_SECONDS, desiredStatus, mapAlert, type AlertLabels, type AlertStatus } from "../../domain/alerts.ts";
import { COMPONENT_STATUS_LABELS, type ComponentStatus } from "../../domain/components.ts";
import {
  componentsUnderAlerts,
  alertsOn,
  getAlerts,
  listAlertRules,
  openIncidentOfRule,
  saveAlert,
  type AlertRecord,
  type AlertSource,
} from "../../db/queries/alerts.ts";
import { automationStates, getComponentsByIds, listComponents } from "../../db/queries/components.ts";
import { getTemplate } from "../../db/queries/templates.ts";
import type { Actor } from "../../db/records.ts";
import { setStatusByAutomation } from "./components.ts";
import type { BackgroundWriteDeps } from "../app-deps.ts";
import type { WriteContext } from "./context.ts";
import { createIncident } from "./incidents.ts";

/** One alert as every receiver hands it over. */
export interface ReceivedAlert {
  /** The sender's identity of the alert (Alertmanager's fingerprint, PagerDuty's incident id). */
  fingerprint: string;
  /** alertname, or the PagerDuty incident's title. */
  name: string;
  labels: AlertLabels;
  status: "firing" | "resolved";
  startsAt: string;
  endsAt: string | null;
}

export interface ComponentMove {
  component_id: string;
  name: string;
  from: ComponentStatus;
  to: ComponentStatus;
  /** The rule that decided, or "component label". */
  by: string;
}

export interface AlertReport {
  received: number;
  /** Alerts whose state changed (the rest were the same state again). */
  changed: number;
  /** Alerts that name no component (no rule matched, no `component` label). */
  unmatched: number;
  moves: ComponentMove[];
  /** Moves not made: a person's word, a maintenance, or the hold-down (made later). */
  held: { component_id: string; name: string; wanted: ComponentStatus; reason: string; retry_at: string | null }[];
  /** Draft incidents opened by this report. */
  drafts: string[];
}

/** Who decided a move when no rule did: the alert's own `component` label, or every alert on it having resolved. */
const BY_LABEL = "component label";
const BY_RESOLVE = "alerts resolved";
/** Alerts that changed this recently still count for a component's hold-down, and are settled in the background. */
const RECENT_MS = 24 * 60 * 60 * 1000;

/** Who automated changes are made by when no request carries them (the hold-down's later moves). */
export const ALERTS_ACTOR: Actor = { id: null, name: "Herald (alerts)", role: "automation" };

/** Applies one report of alerts (inside the caller's write). */
export async function receiveAlerts(ctx: WriteContext, source: AlertSource, alerts: readonly ReceivedAlert[]): Promise<AlertReport> {
  const report: AlertReport = { received: alerts.length, changed: 0, unmatched: 0, moves: [], held: [], drafts: [] };
  // The same alert twice in one payload: the last word counts.
  const latest = new Map(alerts.map((a) => [a.fingerprint, a]));
  const [rules, components, known] = await Promise.all([listAlertRules(ctx.tx), listComponents(ctx.tx), getAlerts(ctx.tx, source, [...latest.keys()])]);
  const leaves = components.filter((c) => !c.isGroup);
  const ids = new Set(leaves.map((c) => c.id));
  const byName = new Map(leaves.map((c) => [c.name.toLowerCase(), c.id]));
  const findComponent = (nameOrId: string) => (ids.has(nameOrId) ? nameOrId : (byName.get(nameOrId.toLowerCase()) ?? null));
  const touched = new Set<string>();
  const notes: string[] = [];
  const draftOfRule = new Map<string, string | null>();

  for (const alert of latest.values()) {
    const before = known.get(alert.fingerprint);
    const sameFiring = before && before.startsAt === alert.startsAt;
    if (before && before.status === alert.status && sameFiring) continue; // re-sent: nothing new
    report.changed++;
    const firingAnew = alert.status === "firing" && !(before?.status === "firing" && sameFiring);
    const mapping = alert.status === "firing" || !before ? mapAlert(alert.labels, rules, findComponent) : null;
    const record: AlertRecord = {
      source,
      fingerprint: alert.fingerprint,
      name: alert.name,
      labels: { ...alert.labels },
      status: alert.status,
      startsAt: alert.startsAt,
      endsAt: alert.status === "resolved" ? alert.endsAt ?? ctx.now : null,
      // A resolve keeps what the firing was mapped to: the components it held are the ones to release.
      ruleId: mapping ? mapping.rule?.id ?? null : before!.ruleId,
      ruleName: mapping ? mapping.rule?.name ?? null : before!.ruleName,
      componentIds: mapping ? mapping.componentIds : before!.componentIds,
      targetStatus: mapping ? mapping.status : before!.targetStatus,
      holdDownSeconds: mapping ? mapping.holdDownSeconds : before!.holdDownSeconds,
      draftIncidentId: firingAnew ? null : before?.draftIncidentId ?? null,
      receivedAt: firingAnew || !before ? ctx.now : before.receivedAt,
      updatedAt: ctx.now,
    };
    if (record.componentIds.length === 0) report.unmatched++;
    for (const id of [...record.componentIds, ...(before?.componentIds ?? [])]) touched.add(id);
    const rule = mapping?.rule;
    if (alert.status === "firing" && rule?.template) {
      if (!draftOfRule.has(rule.id)) draftOfRule.set(rule.id, await openIncidentOfRule(ctx.tx, rule.id));
      let incidentId = draftOfRule.get(rule.id) ?? null;
      if (!incidentId) {
        incidentId = await openDraft(ctx, rule.template, rule.name, record);
        if (incidentId) report.drafts.push(incidentId);
        draftOfRule.set(rule.id, incidentId);
      }
      record.draftIncidentId = incidentId;
    }
    await saveAlert(ctx.tx, record);
    notes.push(`${record.name} ${alert.status}${record.componentIds.length === 0 ? " (names no component: no rule matched, no component label)" : ""}`);
  }

  if (touched.size > 0) {
    const settled = await settleComponents(ctx, [...touched]);
    report.moves.push(...settled.moves);
    report.held.push(...settled.held);
  }
  if (report.changed > 0) await tellTheTeam(ctx, report, notes);
  return report;
}

/** Opens a draft incident from a rule's template; null when the template is gone (the move still happens). */
async function openDraft(ctx: WriteContext, slug: string, ruleName: string, alert: AlertRecord): Promise<string | null> {
  const template = await getTemplate(ctx.tx, slug);
  if (!template) return null;
  const statuses: Record<string, ComponentStatus> = {};
  const present = new Set((await getComponentsByIds(ctx.tx, alert.componentIds)).filter((c) => !c.isGroup).map((c) => c.id));
  for (const id of alert.componentIds) if (present.has(id) && alert.targetStatus) statuses[id] = alert.targetStatus;
  const incident = await createIncident(ctx, {
    name: template.title ?? template.name,
    severity: template.severity,
    body: template.body,
    components: statuses,
    // The response clock runs from detection: the alert's start — never later than now, and not
    // a placeholder from a sender's broken clock (more than a week back reads as "now").
    started_at: alert.startsAt < ctx.now && Date.parse(ctx.now) - Date.parse(alert.startsAt) < 7 * 24 * 60 * 60 * 1000 ? alert.startsAt : ctx.now,
    template: slug,
    draft: { rule: ruleName },
  });
  return incident.id;
}

/**
 * Re-evaluates components against the alerts firing on them and moves those automation may move
 * now. Returns the moves made and those held (with why; the hold-down's with when to try again).
 */
async function settleComponents(ctx: WriteContext, componentIds: readonly string[]): Promise<Pick<AlertReport, "moves" | "held">> {
  const since = new Date(Date.parse(ctx.now) - RECENT_MS).toISOString();
  const [components, alerts, states] = await Promise.all([getComponentsByIds(ctx.tx, componentIds), alertsOn(ctx.tx, componentIds, since), automationStates(ctx.tx, componentIds)]);
  const moves: ComponentMove[] = [];
  const held: AlertReport["held"] = [];
  for (const component of components) {
    if (component.isGroup) continue;
    const onIt = alerts.filter((a) => a.componentId === component.id).sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
    const mine = onIt.filter((a) => a.status === "firing" && a.targetStatus !== null);
    const wanted = desiredStatus(mine.map((a) => a.targetStatus as AlertStatus));
    // The alert that decides: the most degraded, and the newest among equals.
    const deciding = mine.filter((a) => a.targetStatus === wanted).sort((a, b) => b.receivedAt.localeCompare(a.receivedAt))[0];
    const state = states.get(component.id) ?? { lastChange: null, lastAutomatedAt: null };
    const newestFiringSince = mine.reduce<string | null>((max, a) => (max === null || a.receivedAt > max ? a.receivedAt : max), null);
    // The deciding alert's hold-down; with none firing, that of the alert that changed last (its resolve).
    const holdDownSeconds = (deciding ?? onIt[0])?.holdDownSeconds ?? DEFAULT_HOLD_DOWN_SECONDS;
    const decision = automationMay({ status: component.status, ...state }, wanted, { now: ctx.now, holdDownSeconds, newestFiringSince });
    if (decision.apply) {
      const by = deciding ? deciding.ruleName ?? BY_LABEL : BY_RESOLVE;
      await setStatusByAutomation(ctx, component, wanted, by);
      moves.push({ component_id: component.id, name: component.name, from: component.status, to: wanted, by });
    } else if (decision.reason !== "unchanged") {
      held.push({ component_id: component.id, name: component.name, wanted, reason: decision.reason, retry_at: decision.reason === "hold-down" ? decision.retryAt : null });
    }
  }
  return { moves, held };
}

/** One short message for the team channel per report (or per later move). */
async function tellTheTeam(ctx: WriteContext, report: Pick<AlertReport, "moves" | "held" | "drafts">, notes: readonly string[]): Promise<void> {
  const label = (s: ComponentStatus) => COMPONENT_STATUS_LABELS[s].toLowerCase();
  const lines = [
    ...notes.slice(0, 10),
    ...(notes.length > 10 ? [`… and ${notes.length - 10} more alerts`] : []),
    ...report.moves.map((m) => `→ ${m.name}: ${label(m.to)} (was ${label(m.from)}; ${m.by === BY_LABEL || m.by === BY_RESOLVE ? m.by : `rule ${m.by}`})`),
    ...report.held.map((h) => `→ ${h.name} kept: wanted ${label(h.wanted)}, ${h.reason === "hold-down" ? `held down until ${h.retry_at}` : h.reason === "held by a person" ? "a person set its status (a person's word wins)" : h.reason}`),
  ];
  if (lines.length === 0) return;
  await ctx.hooks.automationNote?.(ctx, { lines, draftIncidentIds: report.drafts });
}

/**
 * The moves the hold-down postponed (Node: every 15 s; Workers: the cron): components named by
 * firing alerts, or by alerts that changed in the last day, are re-evaluated. Returns the moves.
 */
export async function settleAlerts(deps: BackgroundWriteDeps): Promise<number> {
  const since = new Date(deps.clock.now().getTime() - RECENT_MS).toISOString();
  const candidates = await componentsUnderAlerts(deps.db.client, since);
  if (candidates.length === 0) return 0;
  const result = await deps.db.write(async (tx) => {
    const ctx: WriteContext = { tx, actor: ALERTS_ACTOR, now: deps.clock.now().toISOString(), hooks: deps.hooks };
    const settled = await settleComponents(ctx, candidates);
    // Only moves are news here: a component still held down was reported when its alert came in.
    if (settled.moves.length > 0) await tellTheTeam(ctx, { moves: settled.moves, held: [], drafts: [] }, []);
    return settled;
  });
  for (const move of result.moves) deps.onChange?.({ type: "component", id: move.component_id });
  if (result.moves.length > 0) deps.log?.(`alerts: ${result.moves.length} held move(s) made`);
  return result.moves.length;
}
