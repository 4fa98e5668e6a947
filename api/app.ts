import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import type { z } from "zod";
import type { Database, Executor } from "../db/database.ts";
import { getIncident, listIncidents } from "../db/queries/incidents.ts";
import { DEFAULT_SCHEDULE_FLAGS, getMaintenanceSchedules } from "../db/queries/maintenance-schedule.ts";
import { getStoredResponse, storeResponse } from "../db/queries/idempotency.ts";
import { listKeys, touchKey } from "../db/queries/keys.ts";
import type { Actor } from "../db/records.ts";
import type { HeraldConfig } from "./config.ts";
import { isId } from "../domain/ids.ts";
import { can, type Action } from "../domain/roles.ts";
import { readJson, validate } from "./http/body.ts";
import { idempotencyConflict, readIdempotencyKey, requestFingerprint } from "./http/idempotency.ts";
import { notFoundPage } from "./http/public-pages.ts";
import { problemResponse } from "./http/problem-response.ts";
import { buildOpenApi, type RouteDoc } from "./openapi.ts";
import { notFound, Problem } from "./problem.ts";
import * as s from "./schemas.ts";
import { createComponent, listComponentViews, updateComponent, type ComponentView } from "./service/components.ts";
import type { WriteContext, WriteHooks } from "./service/context.ts";
import { createIncident, createMaintenance, patchIncident, postIncidentUpdate, postMaintenanceUpdate } from "./service/incidents.ts";
import { authenticate, createKey, keyJson, revokeKey } from "./service/keys.ts";
import { bearerToken, UNKNOWN_KEY } from "./http/auth.ts";
import type { AppDeps, ChangeEvent, PublicSite } from "./app-deps.ts";
import { postmortemIncident, publishPostmortem, readPostmortem, savePostmortemText } from "./service/postmortems.ts";
import { componentJson, incidentJson, postmortemJson, type PageRef } from "./serialize.ts";
import { getPostmortem } from "../db/queries/postmortems.ts";
import { postmortemDraft } from "../templates/postmortem-draft.ts";
import { createTemplate, incidentFromRequest, removeTemplate, templateJson, updateTemplate } from "./service/templates.ts";
import { getTemplate, listTemplates } from "../db/queries/templates.ts";
import { isSlug } from "../domain/templates.ts";
import { getWebhookSubscription, listWebhookSubscriptions, reactivateWebhook } from "../db/queries/webhooks.ts";
import { insertAudit } from "../db/queries/audit.ts";
import { DEFAULT_QUARANTINE } from "../domain/webhook-delivery.ts";
import { webhookJson } from "./webhooks/admin.ts";
import { subscriptionRoutes, type SubscriptionDeps } from "./subscriptions/index.ts";
import { outboxCounts } from "../db/queries/outbox.ts";
import { confirmationCounts } from "../db/queries/subscribers.ts";
import type { IncidentKind, IncidentRecord } from "../db/records.ts";
import { getRolesByIncident, noticedLapses } from "../db/queries/internal.ts";
import { responseReportJson, withInternalFields } from "./internal/json.ts";

type Env = { Variables: { actor: Actor } };

/** A key's last use is recorded at most once a minute, so reads do not turn into a write each. */
function isStale(lastUsedAt: string | null, now: string): boolean {
  return lastUsedAt === null || Date.parse(now) - Date.parse(lastUsedAt) >= 60_000;
}

/**
 * Builds the Herald HTTP app from its dependencies. Runtime entries (api/node.ts,
 * api/worker.ts) only decide where the database, clock and config come from.
 */
export function createApp(deps: AppDeps): Hono<Env> {
  const { db, clock } = deps;
  const log = deps.log ?? ((line: string) => console.error(line));
  const page: PageRef = { id: deps.pageId, url: deps.config.page.url };
  const internalPage = { url: deps.config.page.url, timeZone: deps.config.page.timeZone };
  const app = new Hono<Env>();
  const docs: RouteDoc[] = [];

  app.onError((error, c) => {
    if (error instanceof Problem) return problemResponse(c, error);
    if (error instanceof HTTPException) {
      return problemResponse(c, new Problem(error.status, "Request Refused", error.message || "The request was refused."));
    }
    // Anything else is our fault or the database's; say so without leaking internals, and log it.
    log(`error ${c.req.method} ${c.req.path}: ${(error as Error)?.stack ?? String(error)}`);
    const databaseDown = /libsql|sqlite|database|ECONNREFUSED|fetch failed/i.test(String((error as Error)?.message) + String((error as { code?: string })?.code));
    return problemResponse(
      c,
      databaseDown
        ? new Problem(503, "Service Unavailable", "The database is unavailable; nothing was changed. Retry shortly.")
        : new Problem(500, "Internal Server Error", "Something went wrong on our side; nothing was changed."),
    );
  });

  mountPublicSite(app, deps.publicSite);
  if (deps.subscriptions) app.route("/subscriptions", subscriptionRoutes(deps.subscriptions));

  const api = new Hono<Env>();

  api.use(
    "*",
    bodyLimit({
      maxSize: s.LIMITS.requestBytes,
      onError: (c) =>
        problemResponse(c, new Problem(413, "Content Too Large", `The request body is larger than ${s.LIMITS.requestBytes} bytes.`)),
    }),
  );

  api.get("/openapi.json", (c) => c.json(buildOpenApi(docs, deps.config)));

  api.use("*", async (c, next) => {
    const key = await authenticate(db.client, bearerToken(c.req.header("Authorization")));
    if (!key) throw new Problem(401, "Unauthorized", UNKNOWN_KEY);
    const now = clock.now().toISOString();
    if (isStale(key.lastUsedAt, now)) await db.write((tx) => touchKey(tx, key.id, now));
    c.set("actor", { id: key.id, name: key.name, role: key.role });
    await next();
  });

  function requireRole(c: Context<Env>, action: Action | undefined): Actor {
    const actor = c.get("actor");
    if (action && !can(actor.role, action)) {
      throw new Problem(403, "Forbidden", `A ${actor.role} key may not do this (${action}); use an admin key.`);
    }
    return actor;
  }

  function idParam(c: Context, what: string): string {
    const id = c.req.param("id") ?? "";
    if (!isId(id)) throw notFound(what, id);
    return id;
  }

  /**
   * Runs one write: validation has already happened; here the work, its audit entries and the
   * stored idempotent response commit together. A retried request with the same key gets the
   * first response back and writes nothing.
   */
  async function write(
    c: Context<Env>,
    raw: string,
    status: 200 | 201,
    change: (result: unknown) => ChangeEvent | null,
    work: (ctx: WriteContext) => Promise<unknown>,
    /** What of the response may be stored for replays (secrets must not be). */
    storable: (result: unknown) => unknown = (result) => result,
  ): Promise<Response> {
    const actor = c.get("actor");
    const key = readIdempotencyKey(c);
    const fingerprint = key ? await requestFingerprint(c.req.method, c.req.path, raw) : "";
    const actorKey = actor.id ?? "local";
    const outcome = await db.write(async (tx) => {
      const now = clock.now().toISOString();
      if (key) {
        const stored = await getStoredResponse(tx, actorKey, key);
        if (stored) {
          if (stored.requestHash !== fingerprint) throw idempotencyConflict();
          return { replayed: true, status: stored.statusCode, body: stored.body, result: null as unknown };
        }
      }
      const result = await work({ tx, actor, now, hooks: deps.hooks ?? {} });
      const body = JSON.stringify(result);
      if (key) {
        await storeResponse(tx, { apiKeyId: actorKey, key, requestHash: fingerprint, statusCode: status, body: JSON.stringify(storable(result)), at: now });
      }
      return { replayed: false, status, body, result };
    });
    if (!outcome.replayed) {
      const event = change(outcome.result);
      // The write has committed: a failing listener must not turn it into an error response.
      try {
        if (event) deps.onChange?.(event);
      } catch (error) {
        log(`change listener failed after commit: ${(error as Error)?.stack ?? String(error)}`);
      }
    }
    c.header("Content-Type", "application/json; charset=utf-8");
    if (outcome.replayed) c.header("Idempotent-Replayed", "true");
    return c.body(outcome.body, outcome.status as 200 | 201);
  }

  function route<S extends z.ZodType | undefined>(
    doc: Omit<RouteDoc, "body"> & { body?: S; action?: Action },
    handler: (c: Context<Env>, body: S extends z.ZodType ? z.output<S> : undefined, raw: string) => Promise<Response>,
  ): void {
    docs.push(doc);
    api.on(doc.method.toUpperCase(), doc.path, async (c) => {
      requireRole(c, doc.action);
      if (doc.body) {
        const { value, raw } = await readJson(c, doc.body);
        return handler(c, value as never, raw);
      }
      return handler(c, undefined as never, "");
    });
  }

  /**
   * Incidents in the management API's shape (Statuspage's plus severity and authors). Writes pass
   * their transaction, so the response shows exactly what was committed.
   */
  async function incidentsJson(ex: Executor, records: readonly IncidentRecord[]): Promise<Record<string, unknown>[]> {
    const byId = new Map<string, ComponentView>((await listComponentViews(ex)).map((v) => [v.id, v]));
    const ids = records.map((r) => r.id);
    const maintenanceIds = records.filter((r) => r.kind === "maintenance").map((r) => r.id);
    const [roles, noticed, schedules] = await Promise.all([getRolesByIncident(ex, ids), noticedLapses(ex, ids), getMaintenanceSchedules(ex, maintenanceIds)]);
    const now = clock.now().toISOString();
    return records.map((r) => {
      // Internal fields (roles, drill, promises, lapses) are added here only, never to the public documents.
      const json = withInternalFields(incidentJson(r, byId, page, { withSeverity: true, withAuthor: true }), r, roles.get(r.id), noticed, internalPage, now);
      if (r.kind === "maintenance") {
        const schedule = schedules.get(r.id) ?? DEFAULT_SCHEDULE_FLAGS;
        json.scheduled_auto_in_progress = schedule.autoStart;
        json.scheduled_auto_completed = schedule.autoComplete;
      }
      return json;
    });
  }

  const incidentJsonIn = async (ctx: WriteContext, record: IncidentRecord) => (await incidentsJson(ctx.tx, [record]))[0]!;

  /** GET /incidents and GET /maintenances: newest first, `status=open|resolved`, `limit`, `page`. */
  function listRoute(kind: IncidentKind, path: string, summary: string, drillsOnly = false): void {
    route({ method: "get", path, summary, query: s.IncidentListQuerySchema, success: 200 }, async (c) => {
      const query = validate(s.IncidentListQuerySchema, c.req.query(), "The query string is invalid.");
      const limit = query.limit ?? 50;
      const state = query.status === "open" ? "open" : query.status === "resolved" ? "closed" : undefined;
      const records = await listIncidents(db.client, { kind, state, limit, offset: ((query.page ?? 1) - 1) * limit, drills: drillsOnly ? "only" : "include" });
      return c.json(await incidentsJson(db.client, records));
    });
  }

  /** GET /incidents/:id and GET /maintenances/:id. */
  function getRoute(kind: IncidentKind, path: string, summary: string): void {
    route({ method: "get", path, summary, success: 200 }, async (c) => {
      const id = idParam(c, kind);
      const record = await getIncident(db.client, id, kind);
      if (!record) throw notFound(kind, id);
      return c.json((await incidentsJson(db.client, [record]))[0]);
    });
  }

  const incidentChange = (kind: IncidentKind) => (result: unknown): ChangeEvent => ({ type: kind, id: (result as { id: string }).id });

  // Components -------------------------------------------------------------------------------
  route({ method: "get", path: "/components", summary: "List components and groups", success: 200 }, async (c) => {
    const views = await listComponentViews(db.client);
    return c.json(views.map((v) => componentJson(v, page)));
  });

  route(
    { method: "post", path: "/components", summary: "Create a component", action: "component:write", body: s.NewComponentSchema, success: 201 },
    async (c, body, raw) =>
      write(c, raw, 201, (r) => ({ type: "component", id: (r as { id: string }).id }), async (ctx) => {
        return componentJson(await createComponent(ctx, body), page);
      }),
  );

  route(
    { method: "patch", path: "/components/:id", summary: "Change a component", action: "component:write", body: s.ComponentPatchSchema, success: 200 },
    async (c, body, raw) => {
      const id = idParam(c, "component");
      return write(c, raw, 200, () => ({ type: "component", id }), async (ctx) => {
        return componentJson(await updateComponent(ctx, id, body), page);
      });
    },
  );

  // Incidents --------------------------------------------------------------------------------
  listRoute("incident", "/incidents", "List incidents, newest first");
  getRoute("incident", "/incidents/:id", "One incident with all its updates");

  route(
    { method: "post", path: "/incidents", summary: "Declare an incident", action: "incident:write", body: s.NewIncidentSchema, success: 201 },
    async (c, body, raw) =>
      write(c, raw, 201, incidentChange("incident"), async (ctx) => incidentJsonIn(ctx, await createIncident(ctx, await incidentFromRequest(ctx.tx, body)))),
  );

  // Drills: practice incidents, made with POST /incidents {"drill": true} and run with the usual updates.
  listRoute("incident", "/drills", "List drills (practice incidents), newest first", true);

  route({ method: "get", path: "/drills/:id/report", summary: "A drill's response times measured against its severity's targets", success: 200 }, async (c) => {
    const id = idParam(c, "drill");
    const record = await getIncident(db.client, id, "incident");
    if (!record || !record.drill) throw notFound("drill", id);
    return c.json(responseReportJson(record, internalPage, clock.now().toISOString()));
  });

  route(
    { method: "patch", path: "/incidents/:id", summary: "Rename an incident, change its severity, roles, bridge or channel", action: "incident:write", body: s.IncidentPatchSchema, success: 200 },
    async (c, body, raw) => {
      const id = idParam(c, "incident");
      return write(c, raw, 200, incidentChange("incident"), async (ctx) => incidentJsonIn(ctx, await patchIncident(ctx, id, body)));
    },
  );

  route(
    { method: "post", path: "/incidents/:id/updates", summary: "Post an update (status change) to an incident", action: "incident:write", body: s.NewIncidentUpdateSchema, success: 201 },
    async (c, body, raw) => {
      const id = idParam(c, "incident");
      return write(c, raw, 201, incidentChange("incident"), async (ctx) => incidentJsonIn(ctx, (await postIncidentUpdate(ctx, id, body)).incident));
    },
  );

  // Postmortems (incidents only; a maintenance id is a 404) ----------------------------------
  route({ method: "get", path: "/incidents/:id/postmortem", summary: "An incident's postmortem, draft or published", success: 200 }, async (c) => {
    return c.json(postmortemJson(await readPostmortem(db.client, idParam(c, "incident"))));
  });

  route(
    { method: "get", path: "/incidents/:id/postmortem/template", summary: "The seed's blameless postmortem template, pre-filled from the incident", success: 200 },
    async (c) => {
      const id = idParam(c, "incident");
      await postmortemIncident(db.client, id);
      const incident = (await getIncident(db.client, id, "incident"))!;
      const componentNames = new Map((await listComponentViews(db.client)).map((v) => [v.id, v.name]));
      const actionItems = (await getPostmortem(db.client, id))?.actionItems ?? [];
      const body = postmortemDraft({ incident, componentNames, page: { url: page.url, timeZone: deps.config.page.timeZone }, actionItems });
      return c.json({ incident_id: id, body });
    },
  );

  route(
    { method: "put", path: "/incidents/:id/postmortem", summary: "Save the postmortem (a draft until published; after that, the published text)", action: "postmortem:write", body: s.PostmortemSchema, success: 200 },
    async (c, body, raw) => {
      const id = idParam(c, "incident");
      // A draft is not public: only an edit of a published postmortem republishes the incident's pages.
      const change = (result: unknown): ChangeEvent | null => ((result as { status: string }).status === "published" ? { type: "incident", id } : null);
      return write(c, raw, 200, change, async (ctx) => postmortemJson(await savePostmortemText(ctx, id, body)));
    },
  );

  route(
    { method: "post", path: "/incidents/:id/postmortem/publish", summary: "Publish the postmortem of a resolved incident, optionally mailing subscribers", action: "postmortem:write", body: s.PublishPostmortemSchema, success: 200 },
    async (c, body, raw) => {
      const id = idParam(c, "incident");
      return write(c, raw, 200, () => ({ type: "incident", id }), async (ctx) => {
        const { postmortem, enqueued } = await publishPostmortem(ctx, id, body);
        return { ...postmortemJson(postmortem), notifications_enqueued: enqueued };
      });
    },
  );

  // Scheduled maintenances -------------------------------------------------------------------
  listRoute("maintenance", "/maintenances", "List scheduled maintenances");
  getRoute("maintenance", "/maintenances/:id", "One scheduled maintenance");

  route(
    { method: "post", path: "/maintenances", summary: "Schedule a maintenance", action: "maintenance:write", body: s.NewMaintenanceSchema, success: 201 },
    async (c, body, raw) =>
      write(c, raw, 201, incidentChange("maintenance"), async (ctx) => incidentJsonIn(ctx, await createMaintenance(ctx, body))),
  );

  route(
    { method: "post", path: "/maintenances/:id/updates", summary: "Post an update to a maintenance", action: "maintenance:write", body: s.NewMaintenanceUpdateSchema, success: 201 },
    async (c, body, raw) => {
      const id = idParam(c, "maintenance");
      return write(c, raw, 201, incidentChange("maintenance"), async (ctx) => incidentJsonIn(ctx, (await postMaintenanceUpdate(ctx, id, body)).incident));
    },
  );

  // Incident templates -----------------------------------------------------------------------
  function slugParam(c: Context): string {
    const slug = c.req.param("slug") ?? "";
    if (!isSlug(slug)) throw notFound("template", slug);
    return slug;
  }

  route({ method: "get", path: "/templates", summary: "List incident templates", success: 200 }, async (c) =>
    c.json((await listTemplates(db.client)).map(templateJson)),
  );

  route({ method: "get", path: "/templates/:slug", summary: "One incident template", success: 200 }, async (c) => {
    const slug = slugParam(c);
    const template = await getTemplate(db.client, slug);
    if (!template) throw notFound("template", slug);
    return c.json(templateJson(template));
  });

  route(
    { method: "post", path: "/templates", summary: "Create an incident template", action: "template:write", body: s.NewTemplateSchema, success: 201 },
    async (c, body, raw) => write(c, raw, 201, () => null, async (ctx) => templateJson(await createTemplate(ctx, body))),
  );

  route(
    { method: "patch", path: "/templates/:slug", summary: "Change an incident template", action: "template:write", body: s.TemplatePatchSchema, success: 200 },
    async (c, body, raw) => {
      const slug = slugParam(c);
      return write(c, raw, 200, () => null, async (ctx) => templateJson(await updateTemplate(ctx, slug, body)));
    },
  );

  route({ method: "delete", path: "/templates/:slug", summary: "Delete an incident template", action: "template:write", success: 200 }, async (c) => {
    const slug = slugParam(c);
    return write(c, "", 200, () => null, async (ctx) => templateJson(await removeTemplate(ctx, slug)));
  });

  // API keys ---------------------------------------------------------------------------------
  route({ method: "get", path: "/keys", summary: "List API keys (never their tokens)", action: "key:manage", success: 200 }, async (c) => {
    return c.json((await listKeys(db.client)).map(keyJson));
  });

  route(
    { method: "post", path: "/keys", summary: "Create an API key; the token is shown once", action: "key:manage", body: s.NewKeySchema, success: 201 },
    async (c, body, raw) =>
      write(
        c,
        raw,
        201,
        () => null,
        async (ctx) => {
          const { key, token } = await createKey(ctx, body.name, body.role);
          return { ...keyJson(key), token };
        },
        // The token is shown once and never stored: a replay answers with the key and token null.
        (result) => ({ ...(result as object), token: null }),
      ),
  );

  route({ method: "delete", path: "/keys/:id", summary: "Revoke an API key", action: "key:manage", success: 200 }, async (c) => {
    const id = idParam(c, "API key");
    return write(c, "", 200, () => null, async (ctx) => keyJson(await revokeKey(ctx, id)));
  });

  // Webhook subscriptions (admin) ------------------------------------------------------------
  const webhookWindowStart = () => new Date(clock.now().getTime() - DEFAULT_QUARANTINE.windowMs).toISOString();

  route({ method: "get", path: "/webhooks", summary: "Webhook subscriptions with their status and failures in the last hour", action: "subscriber:manage", success: 200 }, async (c) =>
    c.json((await listWebhookSubscriptions(db.client, webhookWindowStart())).map(webhookJson)),
  );

  route(
    { method: "post", path: "/webhooks/:id/reactivate", summary: "Lift a webhook subscription's quarantine", action: "subscriber:manage", success: 200 },
    async (c) => {
      const id = idParam(c, "webhook subscription");
      return write(c, "", 200, () => null, async (ctx) => {
        const current = await getWebhookSubscription(ctx.tx, id);
        if (!current) throw notFound("webhook subscription", id);
        if (current.state === "unsubscribed") {
          throw new Problem(409, "Conflict", "Its owner unsubscribed this endpoint; only they can register it again.");
        }
        if (await reactivateWebhook(ctx.tx, id, ctx.now)) {
          await insertAudit(ctx.tx, { at: ctx.now, actor: ctx.actor, action: "webhook.reactivate", entityType: "webhook_subscription", entityId: id, details: { endpoint: current.endpoint } });
        }
        const row = (await listWebhookSubscriptions(ctx.tx, webhookWindowStart())).find((w) => w.id === id)!;
        return webhookJson(row);
      });
    },
  );

  // Mail ---------------------------------------------------------------------------------------
  route({ method: "get", path: "/mail", summary: "Mail delivery counts (outbox and confirmation mails)", action: "outbox:read", success: 200 }, async (c) =>
    c.json({ ...(await outboxCounts(db.client)), confirmations: await confirmationCounts(db.client) }),
  );

  app.route("/api/v1", api);
  return app;
}

/**
 * The public site is served by the same server as the API, after it: `/api/v1/*` is the API,
 * everything else a published file or a 404.
 */
function mountPublicSite(app: Hono<Env>, publicSite: PublicSite | undefined): void {
  app.notFound(async (c) => {
    const path = c.req.path;
    if (!path.startsWith("/api/v1/") && publicSite) {
      const response = await publicSite(c.req.raw);
      if (response) return response;
    }
    if (path.startsWith("/api/") || c.req.method !== "GET") {
      return problemResponse(c, new Problem(404, "Not Found", `No route for ${c.req.method} ${path}.`));
    }
    return notFoundPage(c.req.raw);
  });
}

/**
 * What serves while the database cannot be reached at start: the last published site, and a
 * clear 503 for the API. Swapped for the full app as soon as the database answers.
 */
export function createPublicOnlyApp(publicSite: PublicSite | undefined, reason: string): Hono<Env> {
  const app = new Hono<Env>();
  app.all("/api/v1/*", (c) => {
    c.header("Retry-After", "5");
    return problemResponse(c, new Problem(503, "Service Unavailable", `The database is unavailable (${reason}); the status page is still served. Nothing was changed.`));
  });
  mountPublicSite(app, publicSite);
  return app;
}
