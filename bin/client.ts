/**
 * The CLI's HTTP side: a small client for Herald's management API (`/api/v1`).
 *
 * Writes (POST, PATCH) carry an `Idempotency-Key`, one fresh UUID per call, and every request
 * is retried on network errors, 5xx and 429 with the SAME key. The server stores the first
 * response under that key, so a comms lead on a flaky connection never declares an incident twice.
 */

export interface FieldError {
  field: string;
  message: string;
}

/** Herald answered, and refused (4xx) or failed (5xx after retries). */
export class ApiError extends Error {
  readonly status: number;
  readonly detail: string;
  readonly errors: FieldError[];
  /** The parsed problem+json body, or the raw text when it was not JSON. */
  readonly body: unknown;

  constructor(status: number, detail: string, errors: FieldError[], body: unknown) {
    super(detail);
    this.name = "ApiError";
    this.status = status;
    this.detail = detail;
    this.errors = errors;
    this.body = body;
  }
}

/** No answer from Herald at all: refused, unresolvable host, reset, or timed out (every attempt). */
export class UnreachableError extends Error {
  readonly url: string;
  readonly timedOut: boolean;

  constructor(url: string, timedOut: boolean, cause: unknown) {
    super(timedOut ? `Herald at ${url} did not answer in time` : `cannot reach Herald at ${url}`, { cause });
    this.name = "UnreachableError";
    this.url = url;
    this.timedOut = timedOut;
  }
}

export interface ApiResponse<T> {
  status: number;
  data: T;
  /** True when Herald answered from its idempotency store: an earlier attempt had already applied it. */
  replayed: boolean;
  /** How many attempts it took (1 when the first one answered). */
  attempts: number;
}

export interface HeraldClientOptions {
  /** Base URL of Herald, e.g. http://localhost:8080 (no /api/v1). */
  url: string;
  token: string;
  fetch?: typeof globalThis.fetch;
  /** Total attempts per request, first one included. Default 3. */
  attempts?: number;
  /** Wait before the second attempt; each later wait is three times longer. Default 250 ms. */
  backoffMs?: number;
  /** Per-attempt timeout. Default 20 s. */
  timeoutMs?: number;
  /** Makes idempotency keys; default crypto.randomUUID. */
  newIdempotencyKey?: () => string;
}

/** JSON shapes the CLI reads (a subset of what the API returns). */
export interface ComponentJson {
  id: string;
  name: string;
  status: string;
  description: string | null;
  group_id: string | null;
  group: boolean;
  position: number;
  components?: string[];
}

export interface AffectedComponentJson {
  code: string;
  name: string;
  old_status: string;
  new_status: string;
}

export interface IncidentUpdateJson {
  id: string;
  status: string;
  body: string;
  created_at: string;
  display_at: string;
  affected_components: AffectedComponentJson[] | null;
  deliver_notifications: boolean;
  author?: string;
  next_update_at?: string | null;
}

export interface ResponseLapseJson {
  kind: "first_update" | "next_update";
  due_at: string;
  noticed_at: string | null;
  resolved_at: string | null;
}

export interface IncidentJson {
  id: string;
  name: string;
  status: string;
  severity?: string;
  impact: string;
  created_at: string;
  updated_at: string;
  started_at: string;
  resolved_at: string | null;
  shortlink: string;
  incident_updates: IncidentUpdateJson[];
  components: ComponentJson[];
  scheduled_for?: string | null;
  scheduled_until?: string | null;
  // Internal (management API only).
  /** INC-2026-001 (drills DRILL-2026-001); usable wherever an id is. */
  number?: string | null;
  drill?: boolean;
  /** Opened by an alert; not public until `herald incident publish`. */
  draft?: boolean;
  preview_url?: string | null;
  next_update_at?: string | null;
  first_update_due_at?: string;
  response_lapses?: ResponseLapseJson[];
  incident_commander?: string | null;
  technical_lead?: string | null;
  communications_lead?: string | null;
  scribe?: string | null;
  bridge_url?: string | null;
  channel?: string | null;
}

interface MilestoneJson {
  at: string;
  after_seconds: number;
}

/** GET /api/v1/drills/:id/report */
export interface DrillReportJson {
  incident_id: string;
  name: string;
  status: string;
  complete: boolean;
  severity: string;
  target: string;
  started_at: string;
  first_update: { due_at: string; at: string | null; after_seconds: number | null; met: boolean | null };
  identified: MilestoneJson | null;
  monitoring: MilestoneJson | null;
  resolved: MilestoneJson | null;
  next_updates: { promised_at: string; due_at: string; next_at: string | null; kept: boolean | null; late_seconds: number | null }[];
  lapses: { kind: string; due_at: string; resolved_at: string | null }[];
}

export interface PostmortemJson {
  incident_id: string;
  status: "draft" | "published";
  body: string;
  action_items: { description: string; owner: string | null; due_date: string | null; done: boolean }[];
  author: string;
  created_at: string;
  updated_at: string;
  published_at: string | null;
  notified_subscribers: boolean;
  notified_at: string | null;
  /** Only in the answer to a publish. */
  notifications_enqueued?: number;
}

export interface TemplateJson {
  slug: string;
  name: string;
  title: string | null;
  severity: string;
  body: string;
  components: Record<string, string>;
  builtin: boolean;
  created_at: string;
  updated_at: string;
}

export interface WebhookJson {
  id: string;
  endpoint: string;
  email: string;
  status: "active" | "quarantined" | "unsubscribed";
  component_ids: string[] | null;
  failures_last_hour: number;
  pending_deliveries: number;
  delivered: number;
  last_error: string | null;
  created_at: string;
  quarantined_at: string | null;
}

export interface WebhookRegistrationJson {
  id: string;
  endpoint: string;
  email: string;
  status: string;
  component_ids: string[] | null;
  secret: string;
  signature_header: string;
  standard_webhooks_secret: string;
  /** A chat channel's registration: "slack", "discord" or "teams", waiting for the channel to confirm. */
  format?: string;
  detail?: string;
  unsubscribe_url: string;
  documentation: string;
}

export type ListFilter = "open" | "resolved" | undefined;

export interface HeraldClient {
  readonly url: string;
  request<T>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>>;
  listComponents(): Promise<ApiResponse<ComponentJson[]>>;
  createComponent(body: Record<string, unknown>): Promise<ApiResponse<ComponentJson>>;
  patchComponent(id: string, body: Record<string, unknown>): Promise<ApiResponse<ComponentJson>>;
  listIncidents(filter?: ListFilter): Promise<ApiResponse<IncidentJson[]>>;
  getIncident(id: string): Promise<ApiResponse<IncidentJson>>;
  createIncident(body: Record<string, unknown>): Promise<ApiResponse<IncidentJson>>;
  postIncidentUpdate(id: string, body: Record<string, unknown>): Promise<ApiResponse<IncidentJson>>;
  patchIncident(id: string, body: Record<string, unknown>): Promise<ApiResponse<IncidentJson>>;
  listDrills(filter?: ListFilter): Promise<ApiResponse<IncidentJson[]>>;
  drillReport(id: string): Promise<ApiResponse<DrillReportJson>>;
  listMaintenances(filter?: ListFilter): Promise<ApiResponse<IncidentJson[]>>;
  createMaintenance(body: Record<string, unknown>): Promise<ApiResponse<IncidentJson>>;
  postMaintenanceUpdate(id: string, body: Record<string, unknown>): Promise<ApiResponse<IncidentJson>>;
  changeMaintenance(id: string, body: Record<string, unknown>): Promise<ApiResponse<IncidentJson>>;
  cancelMaintenance(id: string, body: Record<string, unknown>): Promise<ApiResponse<IncidentJson>>;
  getPostmortem(incidentId: string): Promise<ApiResponse<PostmortemJson>>;
  getPostmortemTemplate(incidentId: string): Promise<ApiResponse<{ incident_id: string; body: string }>>;
  putPostmortem(incidentId: string, body: Record<string, unknown>): Promise<ApiResponse<PostmortemJson>>;
  publishPostmortem(incidentId: string, body: Record<string, unknown>): Promise<ApiResponse<PostmortemJson>>;
  listTemplates(): Promise<ApiResponse<TemplateJson[]>>;
  getTemplate(slug: string): Promise<ApiResponse<TemplateJson>>;
  createTemplate(body: Record<string, unknown>): Promise<ApiResponse<TemplateJson>>;
  deleteTemplate(slug: string): Promise<ApiResponse<TemplateJson>>;
  listWebhooks(): Promise<ApiResponse<WebhookJson[]>>;
  /** POST /subscriptions (the public route): Herald challenges the endpoint, then answers its signing secret once. */
  registerWebhook(body: { endpoint: string; email: string; component_ids?: string[] }): Promise<ApiResponse<WebhookRegistrationJson>>;
  reactivateWebhook(id: string): Promise<ApiResponse<WebhookJson>>;
  publishIncident(id: string, body: Record<string, unknown>): Promise<ApiResponse<IncidentJson>>;
  listAlerts(): Promise<ApiResponse<AlertJson[]>>;
  listAlertRules(): Promise<ApiResponse<AlertRuleJson[]>>;
  createAlertRule(body: Record<string, unknown>): Promise<ApiResponse<AlertRuleJson>>;
  deleteAlertRule(id: string): Promise<ApiResponse<AlertRuleJson>>;
  responseReport(range: { from?: string; to?: string }): Promise<ApiResponse<ResponseReport>>;
  listActionItems(status: "open" | "overdue" | "done" | "all"): Promise<ApiResponse<ActionItemJson[]>>;
  markActionItem(incident: string, position: number, done: boolean): Promise<ApiResponse<ActionItemJson>>;
}

export interface ActionItemJson {
  id: string;
  incident_id: string;
  incident_number: string | null;
  incident_name: string;
  position: number;
  description: string;
  owner: string | null;
  due_date: string | null;
  done: boolean;
  overdue: boolean;
}

import type { Matcher } from "../domain/alerts.ts";
import type { ResponseReport } from "../domain/report.ts";

export interface AlertRuleJson {
  id: string;
  name: string;
  position: number;
  matchers: Matcher[];
  components: string[];
  status: string | null;
  template: string | null;
  hold_down_seconds: number;
}

export interface AlertJson {
  source: string;
  fingerprint: string;
  name: string;
  status: "firing" | "resolved";
  labels: Record<string, string>;
  starts_at: string;
  rule: string | null;
  components: string[];
  component_status: string | null;
  draft_incident_id: string | null;
  updated_at: string;
}

const WRITE_METHODS = new Set(["POST", "PATCH", "PUT", "DELETE"]);

function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function isTimeout(error: unknown): boolean {
  const name = (error as { name?: string })?.name;
  return name === "TimeoutError" || name === "AbortError";
}

/** Seconds from a Retry-After header (delta form only), capped so the CLI never hangs for long. */
function retryAfterMs(response: Response): number | null {
  const value = response.headers.get("Retry-After");
  if (!value || !/^\d+$/.test(value.trim())) return null;
  return Math.min(Number(value) * 1000, 5000);
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function toApiError(status: number, statusText: string, body: unknown): ApiError {
  if (body && typeof body === "object" && typeof (body as { detail?: unknown }).detail === "string") {
    const problem = body as { detail: string; errors?: unknown };
    const errors = Array.isArray(problem.errors)
      ? problem.errors.flatMap((e): FieldError[] =>
          e && typeof e === "object" && typeof (e as FieldError).message === "string"
            ? [{ field: String((e as FieldError).field ?? ""), message: (e as FieldError).message }]
            : [],
        )
      : [];
    return new ApiError(status, problem.detail, errors, body);
  }
  return new ApiError(status, `Herald answered HTTP ${status}${statusText ? ` ${statusText}` : ""}.`, [], body);
}

export function createHeraldClient(options: HeraldClientOptions): HeraldClient {
  const baseUrl = options.url.replace(/\/+$/, "");
  const doFetch = options.fetch ?? globalThis.fetch;
  const attempts = Math.max(1, options.attempts ?? 3);
  const backoffMs = options.backoffMs ?? 250;
  const timeoutMs = options.timeoutMs ?? 20_000;
  const newKey = options.newIdempotencyKey ?? (() => crypto.randomUUID());

  /** `under`: the path prefix (the management API; "" for public routes such as /subscriptions). */
  async function request<T>(method: string, path: string, body?: unknown, under = "/api/v1"): Promise<ApiResponse<T>> {
    method = method.toUpperCase();
    const headers: Record<string, string> = {
      Authorization: `Bearer ${options.token}`,
      Accept: "application/json, application/problem+json",
    };
    // One key for every attempt of this request: a retry of an applied write is answered from the store.
    if (WRITE_METHODS.has(method)) headers["Idempotency-Key"] = newKey();
    const payload = body === undefined ? undefined : JSON.stringify(body);
    if (payload !== undefined) headers["Content-Type"] = "application/json";
    const target = `${baseUrl}${under}${path}`;

    let lastError: unknown = null;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      let wait = backoffMs * 3 ** (attempt - 1);
      let response: Response;
      try {
        response = await doFetch(target, { method, headers, body: payload, signal: AbortSignal.timeout(timeoutMs) });
      } catch (error) {
        lastError = error;
        if (attempt < attempts) await sleep(wait);
        continue;
      }
      let data: unknown;
      try {
        data = await readBody(response);
      } catch (error) {
        // The connection dropped while the body was on its way.
        lastError = error;
        if (attempt < attempts) await sleep(wait);
        continue;
      }
      if (isRetryableStatus(response.status) && attempt < attempts) {
        lastError = toApiError(response.status, response.statusText, data);
        wait = retryAfterMs(response) ?? wait;
        await sleep(wait);
        continue;
      }
      if (!response.ok) throw toApiError(response.status, response.statusText, data);
      return { status: response.status, data: data as T, replayed: response.headers.get("Idempotent-Replayed") === "true", attempts: attempt };
    }
    if (lastError instanceof ApiError) throw lastError;
    throw new UnreachableError(baseUrl, isTimeout(lastError), lastError);
  }

  const id = (value: string) => encodeURIComponent(value);
  const query = (filter: ListFilter) => (filter ? `?status=${filter}` : "");

  return {
    url: baseUrl,
    request,
    listComponents: () => request("GET", "/components"),
    createComponent: (body) => request("POST", "/components", body),
    patchComponent: (componentId, body) => request("PATCH", `/components/${id(componentId)}`, body),
    listIncidents: (filter) => request("GET", `/incidents${query(filter)}`),
    getIncident: (incidentId) => request("GET", `/incidents/${id(incidentId)}`),
    createIncident: (body) => request("POST", "/incidents", body),
    postIncidentUpdate: (incidentId, body) => request("POST", `/incidents/${id(incidentId)}/updates`, body),
    patchIncident: (incidentId, body) => request("PATCH", `/incidents/${id(incidentId)}`, body),
    listDrills: (filter) => request("GET", `/drills${query(filter)}`),
    drillReport: (drillId) => request("GET", `/drills/${id(drillId)}/report`),
    listMaintenances: (filter) => request("GET", `/maintenances${query(filter)}`),
    createMaintenance: (body) => request("POST", "/maintenances", body),
    postMaintenanceUpdate: (maintenanceId, body) => request("POST", `/maintenances/${id(maintenanceId)}/updates`, body),
    changeMaintenance: (maintenanceId, body) => request("PATCH", `/maintenances/${id(maintenanceId)}`, body),
    cancelMaintenance: (maintenanceId, body) => request("POST", `/maintenances/${id(maintenanceId)}/cancel`, body),
    getPostmortem: (incidentId) => request("GET", `/incidents/${id(incidentId)}/postmortem`),
    getPostmortemTemplate: (incidentId) => request("GET", `/incidents/${id(incidentId)}/postmortem/template`),
    putPostmortem: (incidentId, body) => request("PUT", `/incidents/${id(incidentId)}/postmortem`, body),
    publishPostmortem: (incidentId, body) => request("POST", `/incidents/${id(incidentId)}/postmortem/publish`, body),
    listTemplates: () => request("GET", "/templates"),
    getTemplate: (slug) => request("GET", `/templates/${id(slug)}`),
    createTemplate: (body) => request("POST", "/templates", body),
    deleteTemplate: (slug) => request("DELETE", `/templates/${id(slug)}`),
    listWebhooks: () => request("GET", "/webhooks"),
    registerWebhook: (body) => request("POST", "/subscriptions", body, ""),
    reactivateWebhook: (webhookId) => request("POST", `/webhooks/${id(webhookId)}/reactivate`),
    publishIncident: (incidentId, body) => request("POST", `/incidents/${id(incidentId)}/publish`, body),
    listAlerts: () => request("GET", "/alerts"),
    listAlertRules: () => request("GET", "/alerts/rules"),
    createAlertRule: (body) => request("POST", "/alerts/rules", body),
    deleteAlertRule: (ruleId) => request("DELETE", `/alerts/rules/${id(ruleId)}`),
    listActionItems: (status) => request("GET", `/action-items?status=${status}`),
    markActionItem: (incident, position, done) => request("PATCH", `/incidents/${id(incident)}/action-items/${position}`, { done }),
    responseReport: (range) => {
      const params = new URLSearchParams(Object.entries(range).filter(([, v]) => v !== undefined) as [string, string][]).toString();
      return request("GET", `/reports/response${params ? `?${params}` : ""}`);
    },
  };
}
