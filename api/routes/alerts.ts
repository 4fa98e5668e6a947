/**
 * Detect: receivers for the alerting systems teams already run — Prometheus Alertmanager (webhook
 * payload version 4), Grafana alerting's webhook contact point, PagerDuty V3 webhooks — and the
 * rules that map alerts to components. Receivers take an `automation` key (or an admin's); each
 * payload is normalized to `ReceivedAlert`s and handed to api/service/alerts.ts in one write.
 */
import { z } from "zod";
import { listAlertRules, listAlerts } from "../../db/queries/alerts.ts";
import { ALERT_STATUSES, DEFAULT_HOLD_DOWN_SECONDS, MATCHER_OPS, type AlertLabels } from "../../domain/alerts.ts";
import { sha256Hex } from "../../domain/digest.ts";
import type { ChangeEvent } from "../app-deps.ts";
import { constantTimeEqual, hex, hmacSha256 } from "../encoding.ts";
import { Problem } from "../problem.ts";
import { componentId, isoDateTime, templateSlug } from "../schemas.ts";
import { receiveAlerts, type AlertReport, type ReceivedAlert } from "../service/alerts.ts";
import { alertJson, alertRuleJson, createAlertRule, removeAlertRule, updateAlertRule } from "../service/alert-rules.ts";
import { idParam, ResourceRoutes, type RouteContext } from "./kit.ts";

/** At most this many alerts in one payload (Alertmanager's group can be large; 1,000 is handled in well under a second). */
const MAX_ALERTS = 5000;

const labelMap = z.record(z.string().max(256), z.string().max(4096));
const timestamp = isoDateTime;

/** One alert as Alertmanager (and Grafana) send it; fields we do not read are allowed and ignored. */
const PrometheusAlert = z.looseObject({
  status: z.enum(["firing", "resolved"]),
  labels: labelMap,
  annotations: labelMap.optional(),
  startsAt: timestamp,
  endsAt: timestamp.optional(),
  generatorURL: z.string().max(4096).optional(),
  fingerprint: z.string().min(1).max(128).optional(),
});

export const AlertmanagerSchema = z
  .looseObject({
    version: z.string().max(16).optional(),
    groupKey: z.string().max(4096).optional(),
    truncatedAlerts: z.int().min(0).optional(),
    status: z.enum(["firing", "resolved"]),
    receiver: z.string().max(256).optional(),
    groupLabels: labelMap.optional(),
    commonLabels: labelMap.optional(),
    commonAnnotations: labelMap.optional(),
    externalURL: z.string().max(4096).optional(),
    alerts: z.array(PrometheusAlert).max(MAX_ALERTS),
  })
  .describe("Prometheus Alertmanager's webhook payload (version 4), as `webhook_configs` sends it.");

export const GrafanaSchema = AlertmanagerSchema.extend({
  orgId: z.int().min(0).optional(),
  title: z.string().max(4096).optional(),
  state: z.string().max(64).optional(),
  message: z.string().max(65536).optional(),
}).describe("Grafana alerting's webhook contact point payload (Alertmanager's shape plus title, state, message).");

export const PagerDutySchema = z
  .looseObject({
    event: z.looseObject({
      id: z.string().max(128),
      event_type: z.string().max(128),
      resource_type: z.string().max(64),
      occurred_at: timestamp,
      data: z.looseObject({
        id: z.string().min(1).max(128),
        type: z.string().max(64).optional(),
        title: z.string().max(1024).optional(),
        status: z.string().max(64).optional(),
        created_at: timestamp.optional(),
        urgency: z.string().max(32).optional(),
        service: z.looseObject({ id: z.string().max(128).optional(), summary: z.string().max(1024).optional() }).nullable().optional(),
        priority: z.looseObject({ summary: z.string().max(64).optional() }).nullable().optional(),
      }),
    }),
  })
  .describe("A PagerDuty V3 webhook event (incident.triggered, incident.acknowledged, incident.resolved, incident.reopened; others are accepted and ignored).");

const matcher = z.strictObject({
  label: z.string().min(1).max(256),
  op: z.enum(MATCHER_OPS).default("="),
  value: z.string().max(1024),
});
const ruleName = z
  .string()
  .max(64, "A rule name has at most 64 characters.")
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "A rule name is lowercase words joined by hyphens, e.g. api-errors.");

export const NewAlertRuleSchema = z.strictObject({
  name: ruleName,
  matchers: z.array(matcher).max(32).describe("All must hold (Alertmanager's operators: =, !=, =~, !~; regexes are anchored)."),
  components: z.array(componentId).min(1).max(100).describe("The components the rule sets while its alerts fire."),
  status: z.enum(ALERT_STATUSES).nullable().optional().describe("The status while firing; null or absent: from the alert's component_status or severity label."),
  template: templateSlug.nullable().optional().describe("Open a draft incident from this template while the rule's alerts fire."),
  hold_down_seconds: z.int().min(0).max(86_400).optional().describe(`No automated move of the same component again within this time (default ${DEFAULT_HOLD_DOWN_SECONDS}).`),
  position: z.int().min(1).max(1_000_000).optional().describe("Rules are tried in position order; the first match decides."),
});

export const AlertRulePatchSchema = NewAlertRuleSchema.partial()
  .refine((v) => Object.keys(v).length > 0, "Give at least one field to change.")
  .meta({ minProperties: 1 });

const ruleRules = [
  { field: "components.*", rule: "Each must be the id of an existing component that is not a group." },
  { field: "template", rule: "Must be the slug of an existing incident template." },
  { field: "matchers.*.value", rule: "A regex (=~, !~) must compile." },
  { field: "name", rule: "Must be unique." },
] as const;

/** Alertmanager's and Grafana's alerts, normalized; a missing fingerprint is made from the labels. */
async function prometheusAlerts(alerts: z.output<typeof AlertmanagerSchema>["alerts"]): Promise<ReceivedAlert[]> {
  return Promise.all(
    alerts.map(async (a) => {
      const labels: AlertLabels = a.labels;
      const sorted = Object.keys(labels).sort().map((k) => [k, labels[k]]);
      return {
        fingerprint: a.fingerprint ?? (await sha256Hex(JSON.stringify(sorted))).slice(0, 16),
        name: labels.alertname || "alert",
        labels,
        status: a.status,
        startsAt: new Date(a.startsAt).toISOString(),
        endsAt: a.status === "resolved" && a.endsAt && Date.parse(a.endsAt) > 0 ? new Date(a.endsAt).toISOString() : null,
      };
    }),
  );
}

/**
 * A PagerDuty incident as an alert: its service is its component (zero configuration), its
 * priority or urgency its severity (P1 critical, P2 major; else high urgency major, low warning).
 * Events other than the four lifecycle ones change nothing.
 */
function pagerDutyAlert(event: z.output<typeof PagerDutySchema>["event"]): ReceivedAlert | null {
  const kind = event.event_type;
  if (!["incident.triggered", "incident.acknowledged", "incident.resolved", "incident.reopened"].includes(kind)) return null;
  const d = event.data;
  const priority = d.priority?.summary ?? "";
  const severity = priority === "P1" ? "critical" : priority === "P2" ? "major" : d.urgency === "low" ? "warning" : "major";
  const service = d.service?.summary ?? "";
  const labels: Record<string, string> = { alertname: d.title ?? d.id, service, severity, urgency: d.urgency ?? "", priority };
  if (service) labels.component = service;
  // A reopened incident fires anew (from when it was reopened); acknowledging changes nothing.
  const startsAt = new Date(kind === "incident.reopened" ? event.occurred_at : (d.created_at ?? event.occurred_at)).toISOString();
  return {
    fingerprint: d.id,
    name: labels.alertname!,
    labels,
    status: kind === "incident.resolved" ? "resolved" : "firing",
    startsAt,
    endsAt: kind === "incident.resolved" ? new Date(event.occurred_at).toISOString() : null,
  };
}

/** PagerDuty signs the raw body: `X-PagerDuty-Signature: v1=<hex HMAC-SHA256>[,v1=…]` (several during a secret's rotation). */
export function pagerDutySignatureValid(secret: string, raw: string, header: string | undefined): boolean {
  if (!header) return false;
  const expected = `v1=${hex(hmacSha256(secret, raw))}`;
  return header.split(",").some((part) => constantTimeEqual(part.trim(), expected));
}

/** What a report changed that the site shows: the moved components (a draft is not public). */
function changes(report: AlertReport): ChangeEvent[] {
  return report.moves.map((m) => ({ type: "component", id: m.component_id }));
}

export function alertRoutes({ db, config, write }: RouteContext): ResourceRoutes {
  const routes = new ResourceRoutes();
  const report = (r: unknown) => changes(r as AlertReport);

  routes.add(
    { method: "post", path: "/alerts/alertmanager", summary: "Receive Prometheus Alertmanager alerts", action: "alert:report", body: AlertmanagerSchema, success: 200 },
    async (c, body, raw) => {
      const alerts = await prometheusAlerts(body.alerts);
      return write(c, raw, 200, report, (ctx) => receiveAlerts(ctx, "alertmanager", alerts));
    },
  );

  routes.add(
    { method: "post", path: "/alerts/grafana", summary: "Receive Grafana alerts (webhook contact point)", action: "alert:report", body: GrafanaSchema, success: 200 },
    async (c, body, raw) => {
      const alerts = await prometheusAlerts(body.alerts);
      return write(c, raw, 200, report, (ctx) => receiveAlerts(ctx, "grafana", alerts));
    },
  );

  routes.add(
    { method: "post", path: "/alerts/pagerduty", summary: "Receive PagerDuty V3 webhook events", action: "alert:report", body: PagerDutySchema, success: 200 },
    async (c, body, raw) => {
      const secret = config.alerts?.pagerdutySecret;
      if (secret && !pagerDutySignatureValid(secret, raw, c.req.header("X-PagerDuty-Signature"))) {
        throw new Problem(401, "Unauthorized", "The X-PagerDuty-Signature header does not match PAGERDUTY_WEBHOOK_SECRET for this body.");
      }
      const alert = pagerDutyAlert(body.event);
      return write(c, raw, 200, report, (ctx) => receiveAlerts(ctx, "pagerduty", alert ? [alert] : []));
    },
  );

  routes.add({ method: "get", path: "/alerts", summary: "Alerts as last reported (firing first)", success: 200, returns: "array" }, async (c) =>
    c.json((await listAlerts(db.client, 500)).map(alertJson)),
  );

  routes.add({ method: "get", path: "/alerts/rules", summary: "List alert rules, in the order they are tried", success: 200, returns: "array" }, async (c) =>
    c.json((await listAlertRules(db.client)).map(alertRuleJson)),
  );

  routes.add(
    { method: "post", path: "/alerts/rules", summary: "Create an alert rule", action: "alert:rules", body: NewAlertRuleSchema, success: 201, rules: ruleRules },
    async (c, body, raw) => write(c, raw, 201, () => null, async (ctx) => alertRuleJson(await createAlertRule(ctx, body))),
  );

  routes.add(
    { method: "patch", path: "/alerts/rules/:id", summary: "Change an alert rule", action: "alert:rules", body: AlertRulePatchSchema, success: 200, rules: ruleRules },
    async (c, body, raw) => {
      const id = idParam(c, "alert rule");
      return write(c, raw, 200, () => null, async (ctx) => alertRuleJson(await updateAlertRule(ctx, id, body)));
    },
  );

  routes.add({ method: "delete", path: "/alerts/rules/:id", summary: "Delete an alert rule", action: "alert:rules", success: 200 }, async (c) => {
    const id = idParam(c, "alert rule");
    return write(c, "", 200, () => null, async (ctx) => alertRuleJson(await removeAlertRule(ctx, id)));
  });

  return routes;
}
