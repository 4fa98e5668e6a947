import { Hono, type Context, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { touchKey } from "../db/queries/keys.ts";
import type { AppDeps, PublicSite } from "./app-deps.ts";
import { allowedMethods } from "./http/allow.ts";
import { bearerToken, UNKNOWN_KEY } from "./http/auth.ts";
import { problemResponse } from "./http/problem-response.ts";
import { notFoundPage } from "./http/public-pages.ts";
import { Problem } from "./problem.ts";
import { alertRoutes } from "./routes/alerts.ts";
import { reportRoutes } from "./routes/reports.ts";
import { actionItemRoutes } from "./routes/action-items.ts";
import { componentRoutes } from "./routes/components.ts";
import { drillRoutes } from "./routes/drills.ts";
import { incidentRoutes } from "./routes/incidents.ts";
import { keyRoutes } from "./routes/keys.ts";
import { routeContext, type Env } from "./routes/kit.ts";
import { mailRoutes } from "./routes/mail.ts";
import { maintenanceRoutes } from "./routes/maintenances.ts";
import { openApiRoutes } from "./routes/openapi.ts";
import { postmortemRoutes } from "./routes/postmortems.ts";
import { templateRoutes } from "./routes/templates.ts";
import { webhookRoutes } from "./routes/webhooks.ts";
import { LIMITS } from "./schemas.ts";
import { authenticate } from "./service/keys.ts";
import { subscriptionRoutes } from "./subscriptions/index.ts";
import { consoleRoutes } from "./console/index.ts";

/**
 * Builds the Herald HTTP app from its dependencies. Runtime entries (api/node.ts,
 * api/worker.ts) only decide where the database, clock and config come from. The management
 * API's routes live in api/routes/<resource>.ts; this only puts them together.
 */
export function createApp(deps: AppDeps): Hono<Env> {
  const log = deps.log ?? ((line: string) => console.error(line));
  const app = new Hono<Env>();

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
  app.route(
    "/console",
    consoleRoutes({
      db: deps.db,
      clock: deps.clock,
      config: deps.config,
      stylesheet: deps.subscriptions?.stylesheet,
      hooks: deps.hooks,
      onChange: deps.onChange,
      log,
      preview: deps.consolePreview,
      // Sign-in links go out by the subscribers' mail path (same settings, same sender).
      ...(deps.subscriptions ? { signInMail: { settings: deps.subscriptions.settings, queued: deps.subscriptions.onConfirmationQueued }, clientIp: deps.subscriptions.clientIp } : {}),
    }),
  );

  const ctx = routeContext(deps, log);
  // The OpenAPI document lists its paths in this order (a path where its first route is).
  const resources = [
    componentRoutes(ctx),
    incidentRoutes(ctx),
    drillRoutes(ctx),
    postmortemRoutes(ctx),
    maintenanceRoutes(ctx),
    templateRoutes(ctx),
    keyRoutes(ctx),
    webhookRoutes(ctx),
    mailRoutes(ctx),
    alertRoutes(ctx),
    reportRoutes(ctx),
    actionItemRoutes(ctx),
  ];

  const api = new Hono<Env>();
  const limitTo = (maxSize: number) =>
    bodyLimit({ maxSize, onError: (c) => problemResponse(c, new Problem(413, "Content Too Large", `The request body is larger than ${maxSize} bytes.`)) });
  const requestLimit = limitTo(LIMITS.requestBytes);
  const alertLimit = limitTo(LIMITS.alertRequestBytes);
  // The alert receivers take whole Alertmanager groups; everything else is small.
  api.use("*", (c, next) => (/^\/api\/v1\/alerts\/(alertmanager|grafana|pagerduty)$/.test(c.req.path) ? alertLimit : requestLimit)(c, next));
  // Mounted before the key check: the API's description is public.
  api.route("/", openApiRoutes(resources.flatMap((r) => r.docs), deps.config));
  api.use("*", requireApiKey(deps));
  for (const resource of resources) api.route("/", resource.app);

  app.route("/api/v1", api);
  return app;
}

/** A key's last use is recorded at most once a minute, so reads do not turn into a write each. */
function isStale(lastUsedAt: string | null, now: string): boolean {
  return lastUsedAt === null || Date.parse(now) - Date.parse(lastUsedAt) >= 60_000;
}

/** Every management route needs a live API key; its holder becomes the request's actor. */
function requireApiKey({ db, clock }: AppDeps): MiddlewareHandler<Env> {
  return async (c, next) => {
    const key = await authenticate(db.client, bearerToken(c.req.header("Authorization")));
    if (!key) throw new Problem(401, "Unauthorized", UNKNOWN_KEY);
    const now = clock.now().toISOString();
    if (isStale(key.lastUsedAt, now)) await db.write((tx) => touchKey(tx, key.id, now));
    c.set("actor", { id: key.id, name: key.name, role: key.role });
    await next();
  };
}

/**
 * The public site is served by the same server as the API, after it: `/api/v1/*` is the API,
 * everything else a published file or a 404.
 */
function mountPublicSite(app: Hono<Env>, publicSite: PublicSite | undefined): void {
  app.notFound(async (c) => {
    const path = c.req.path;
    const method = c.req.method;
    if (!path.startsWith("/api/v1/") && publicSite) {
      const response = await publicSite(c.req.raw);
      if (response) return response;
      // A published file answers GET and HEAD only; any other method on it is a 405, not a 404.
      if (method !== "GET" && method !== "HEAD" && (await publicSite(new Request(c.req.url)))) return methodNotAllowed(c, ["GET", "HEAD"]);
    }
    const allowed = allowedMethods(app.routes, path);
    if (allowed.length > 0 && !allowed.includes(method)) return methodNotAllowed(c, allowed);
    if (path.startsWith("/api/") || method !== "GET") {
      return problemResponse(c, new Problem(404, "Not Found", `No route for ${method} ${path}.`));
    }
    return notFoundPage(c.req.raw, publicSite);
  });
}

function methodNotAllowed(c: Context<Env>, allowed: readonly string[]): Response {
  c.header("Allow", allowed.join(", "));
  return problemResponse(c, new Problem(405, "Method Not Allowed", `${c.req.method} is not served at ${c.req.path}; it answers ${allowed.join(", ")}.`));
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
