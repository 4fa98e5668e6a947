import type { Row } from "@libsql/client";
import type { AlertRuleSpec, AlertStatus, Matcher } from "../../domain/alerts.ts";
import type { Executor } from "../database.ts";
import { num, str, strOrNull } from "./rows.ts";

export type AlertSource = "alertmanager" | "grafana" | "pagerduty";

export interface AlertRuleRecord extends AlertRuleSpec {
  position: number;
  createdAt: string;
  updatedAt: string;
}

const RULE_COLUMNS = "id, name, position, matchers, components, status, template, hold_down_seconds, created_at, updated_at";

function toRule(row: Row): AlertRuleRecord {
  return {
    id: str(row, "id"),
    name: str(row, "name"),
    position: num(row, "position"),
    matchers: JSON.parse(str(row, "matchers")) as Matcher[],
    componentIds: JSON.parse(str(row, "components")) as string[],
    status: strOrNull(row, "status") as AlertStatus | null,
    template: strOrNull(row, "template"),
    holdDownSeconds: num(row, "hold_down_seconds"),
    createdAt: str(row, "created_at"),
    updatedAt: str(row, "updated_at"),
  };
}

/** Rules in the order they are tried. */
export async function listAlertRules(ex: Executor): Promise<AlertRuleRecord[]> {
  const result = await ex.execute(`SELECT ${RULE_COLUMNS} FROM alert_rules ORDER BY position, created_at, id`);
  return result.rows.map(toRule);
}

/** A rule by id. */
export async function getAlertRule(ex: Executor, id: string): Promise<AlertRuleRecord | null> {
  const result = await ex.execute({ sql: `SELECT ${RULE_COLUMNS} FROM alert_rules WHERE id = ?`, args: [id] });
  return result.rows[0] ? toRule(result.rows[0]) : null;
}

export async function nextAlertRulePosition(ex: Executor): Promise<number> {
  const result = await ex.execute("SELECT COALESCE(MAX(position), 0) + 1 AS next FROM alert_rules");
  return num(result.rows[0]!, "next");
}

export async function saveAlertRule(ex: Executor, rule: AlertRuleRecord): Promise<void> {
  await ex.execute({
    sql: `INSERT INTO alert_rules (${RULE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          ON CONFLICT (id) DO UPDATE SET name = excluded.name, position = excluded.position, matchers = excluded.matchers,
            components = excluded.components, status = excluded.status, template = excluded.template,
            hold_down_seconds = excluded.hold_down_seconds, updated_at = excluded.updated_at`,
    args: [
      rule.id, rule.name, rule.position, JSON.stringify(rule.matchers), JSON.stringify(rule.componentIds), rule.status,
      rule.template, rule.holdDownSeconds, rule.createdAt, rule.updatedAt,
    ],
  });
}

export async function deleteAlertRule(ex: Executor, id: string): Promise<void> {
  await ex.execute({ sql: "DELETE FROM alert_rules WHERE id = ?", args: [id] });
}

export interface AlertRecord {
  source: AlertSource;
  fingerprint: string;
  name: string;
  labels: Record<string, string>;
  status: "firing" | "resolved";
  startsAt: string;
  endsAt: string | null;
  ruleId: string | null;
  ruleName: string | null;
  componentIds: string[];
  targetStatus: AlertStatus | null;
  holdDownSeconds: number;
  draftIncidentId: string | null;
  /** When Herald first heard the current firing (a person's word yields to an alert that fired after it). */
  receivedAt: string;
  updatedAt: string;
}

const ALERT_COLUMNS =
  "source, fingerprint, name, labels, status, starts_at, ends_at, rule_id, rule_name, components, target_status, hold_down_seconds, draft_incident_id, received_at, updated_at";

function toAlert(row: Row): AlertRecord {
  return {
    source: str(row, "source") as AlertSource,
    fingerprint: str(row, "fingerprint"),
    name: str(row, "name"),
    labels: JSON.parse(str(row, "labels")) as Record<string, string>,
    status: str(row, "status") as AlertRecord["status"],
    startsAt: str(row, "starts_at"),
    endsAt: strOrNull(row, "ends_at"),
    ruleId: strOrNull(row, "rule_id"),
    ruleName: strOrNull(row, "rule_name"),
    componentIds: JSON.parse(str(row, "components")) as string[],
    targetStatus: strOrNull(row, "target_status") as AlertStatus | null,
    holdDownSeconds: num(row, "hold_down_seconds"),
    draftIncidentId: strOrNull(row, "draft_incident_id"),
    receivedAt: str(row, "received_at"),
    updatedAt: str(row, "updated_at"),
  };
}

/** The stored state of these alerts of one source, by fingerprint. */
export async function getAlerts(ex: Executor, source: AlertSource, fingerprints: readonly string[]): Promise<Map<string, AlertRecord>> {
  const result = await ex.execute({
    sql: `SELECT ${ALERT_COLUMNS} FROM alerts WHERE source = ? AND fingerprint IN (SELECT value FROM json_each(?))`,
    args: [source, JSON.stringify(fingerprints)],
  });
  return new Map(result.rows.map((row) => [str(row, "fingerprint"), toAlert(row)]));
}

export async function saveAlert(ex: Executor, a: AlertRecord): Promise<void> {
  await ex.execute({
    sql: `INSERT INTO alerts (${ALERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          ON CONFLICT (source, fingerprint) DO UPDATE SET name = excluded.name, labels = excluded.labels, status = excluded.status,
            starts_at = excluded.starts_at, ends_at = excluded.ends_at, rule_id = excluded.rule_id, rule_name = excluded.rule_name,
            components = excluded.components, target_status = excluded.target_status, hold_down_seconds = excluded.hold_down_seconds,
            draft_incident_id = excluded.draft_incident_id, received_at = excluded.received_at, updated_at = excluded.updated_at`,
    args: [
      a.source, a.fingerprint, a.name, JSON.stringify(a.labels), a.status, a.startsAt, a.endsAt, a.ruleId, a.ruleName,
      JSON.stringify(a.componentIds), a.targetStatus, a.holdDownSeconds, a.draftIncidentId, a.receivedAt, a.updatedAt,
    ],
  });
}

/** Alerts on any of these components that fire or changed since `since` (each alert once per component it names). */
export async function alertsOn(ex: Executor, componentIds: readonly string[], since: string): Promise<Array<AlertRecord & { componentId: string }>> {
  const result = await ex.execute({
    sql: `SELECT ${ALERT_COLUMNS.split(", ").map((c) => `a.${c}`).join(", ")}, c.value AS component_id
          FROM alerts a, json_each(a.components) c
          WHERE (a.status = 'firing' OR a.updated_at >= ?) AND c.value IN (SELECT value FROM json_each(?))`,
    args: [since, JSON.stringify(componentIds)],
  });
  return result.rows.map((row) => ({ ...toAlert(row), componentId: str(row, "component_id") }));
}

/**
 * Components automation may still owe a move: named by a firing alert, or by one that changed
 * since `since` (a resolve whose move was held down).
 */
export async function componentsUnderAlerts(ex: Executor, since: string): Promise<string[]> {
  const result = await ex.execute({
    sql: `SELECT DISTINCT c.value AS component_id FROM alerts a, json_each(a.components) c WHERE a.status = 'firing' OR a.updated_at >= ?`,
    args: [since],
  });
  return result.rows.map((row) => str(row, "component_id"));
}

/** The open (not resolved) incident a rule's alerts opened, if any: one draft per rule while it lasts. */
export async function openIncidentOfRule(ex: Executor, ruleId: string): Promise<string | null> {
  const result = await ex.execute({
    sql: `SELECT a.draft_incident_id AS id FROM alerts a JOIN incidents i ON i.id = a.draft_incident_id
          WHERE a.rule_id = ? AND i.status <> 'resolved' ORDER BY a.updated_at DESC LIMIT 1`,
    args: [ruleId],
  });
  return result.rows[0] ? str(result.rows[0], "id") : null;
}

/** Alerts as the team sees them: firing first, newest first. */
export async function listAlerts(ex: Executor, limit: number): Promise<AlertRecord[]> {
  const result = await ex.execute({
    sql: `SELECT ${ALERT_COLUMNS} FROM alerts ORDER BY status = 'firing' DESC, updated_at DESC LIMIT ?`,
    args: [limit],
  });
  return result.rows.map(toAlert);
}
