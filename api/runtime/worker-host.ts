/**
 * How Herald runs on Cloudflare Workers, given a way to open it (api/worker.ts chooses the parts):
 *  - fetch: the published site from R2 (never Turso) for everything but /api/v1, /subscriptions and /console;
 *    requests without a usable API key are refused before Turso is opened; a database that cannot
 *    be reached is a 503 while the page stays up. After the response, committed changes go to the
 *    publish queue and queued deliveries are sent (ctx.waitUntil).
 *  - scheduled (the cron, every minute): the periodic checks, a refresh of the time-dependent pages,
 *    then the senders for up to 50 s.
 *  - queue (max_concurrency 1, so publishes never overlap): one publish for a whole batch of changes.
 */
import type { ChangeEvent } from "../app-deps.ts";
import { ConfigError, redactSecrets } from "../config.ts";
import { claimFullPublish } from "./full-publish.ts";
import { bearerToken } from "../http/auth.ts";
import { problemJson } from "../http/problem-response.ts";
import { notFoundPage } from "../http/public-pages.ts";
import { Problem } from "../problem.ts";
import type { ServableSite } from "../../site/publish/manifest.ts";
import { servePublished } from "../../site/publish/serve.ts";
import type { Herald } from "./herald.ts";
import { drainTasks } from "./tasks.ts";

/** What the publish queue carries: a committed change, or "bring the time-dependent pages up to date". */
export type PublishMessage = ChangeEvent | { type: "refresh" } | { type: "full" };

export interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
}

export interface QueueBatch {
  messages: readonly { body: unknown }[];
  ackAll(): void;
  retryAll(options?: { delaySeconds?: number }): void;
}

export interface WorkerHost<Env> {
  /** The published site (R2) and the build's static assets. */
  site(env: Env): ServableSite;
  assets(env: Env): { fetch(request: Request): Promise<Response> } | undefined;
  /** Opens Herald for this isolate; `queued` collects what its writes leave for after the response. */
  open(env: Env, queued: { publish(event: ChangeEvent): void; deliveriesQueued(): void }): Promise<Herald>;
  /** The publish queue; without one, changes are published inline after the response. */
  publishQueue(env: Env): { sendBatch(messages: { body: PublishMessage }[]): Promise<void> } | undefined;
  log(line: string): void;
}

/**
 * On Workers there is no socket: Cloudflare's edge sets CF-Connecting-IP to the client's address
 * (replacing any value a client sent), so per-IP limits count each client apart.
 */
export function cloudflareClientIp(request: Request): string | null {
  return request.headers.get("CF-Connecting-IP");
}

/** Paths the app answers; everything else is the published site. */
const APP_PATH = /^\/(api\/v1|subscriptions|console)(\/|$)/;
/** How long one invocation keeps sending (the cron runs every minute; work after a response may take up to 30 s). */
const CRON_SEND_BUDGET_MS = 50_000;
const REQUEST_SEND_BUDGET_MS = 20_000;

const message = (error: unknown) => (error as Error)?.message ?? String(error);

export function workerHandlers<Env>(host: WorkerHost<Env>) {
  const { log } = host;
  let opened: Promise<Herald> | null = null;
  /** Changes committed by this isolate and not yet handed to the publish queue; deliveries waiting. */
  const pending: ChangeEvent[] = [];
  let deliveriesWaiting = false;
  const queued = { publish: (event: ChangeEvent) => void pending.push(event), deliveriesQueued: () => void (deliveriesWaiting = true) };

  /** Once per isolate; a failure is retried on the next request. */
  const open = (env: Env) =>
    (opened ??= host.open(env, queued).catch((error) => {
      opened = null;
      throw error;
    }));

  /** One publish for a batch of changes (the queue consumer, or inline without a queue). */
  async function publishNow(herald: Herald, messages: readonly PublishMessage[]): Promise<void> {
    const changes = messages.filter((m): m is ChangeEvent => m.type !== "refresh" && m.type !== "full");
    const report = await herald.publisher.publishOnce(changes, { full: messages.some((m) => m.type === "full") });
    log(`publish: ${report.changed} changed of ${report.rendered} rendered in ${report.ms.toFixed(0)} ms${report.full ? " (full)" : ""}`);
  }

  async function handOff(env: Env, herald: Herald, messages: readonly PublishMessage[]): Promise<void> {
    const queue = host.publishQueue(env);
    try {
      await (queue ? queue.sendBatch(messages.map((body) => ({ body }))) : publishNow(herald, messages));
    } catch (error) {
      // Not lost for long: the next cron refresh republishes the home page, feed and JSON.
      log(`publish: could not queue ${messages.length} change(s): ${message(error)}`);
    }
  }

  async function servePublic(request: Request, env: Env): Promise<Response> {
    try {
      const published = await servePublished(host.site(env), request);
      if (published) return published;
    } catch (error) {
      log(`site: R2 read failed: ${message(error)}`);
    }
    const asset = await host.assets(env)?.fetch(request);
    if (asset && asset.status !== 404) return asset;
    await asset?.body?.cancel();
    return notFoundPage(request, async (r) => servePublished(host.site(env), r));
  }

  return {
    async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
      const { pathname } = new URL(request.url);
      if (!APP_PATH.test(pathname)) return servePublic(request, env);
      try {
        // A request without a usable key is refused without a round trip to Turso.
        if (pathname.startsWith("/api/v1/") && pathname !== "/api/v1/openapi.json") bearerToken(request.headers.get("Authorization") ?? undefined);
      } catch (error) {
        if (error instanceof Problem) return problemJson(error);
        throw error;
      }
      let herald: Herald;
      try {
        herald = await open(env);
      } catch (error) {
        if (error instanceof ConfigError) {
          // Not an outage to wait out: every request says so until the variable is fixed.
          log(`configuration error: ${redactSecrets(error.message)}`);
          return problemJson(new Problem(500, "Herald Is Misconfigured", "Herald cannot start: its configuration is wrong (the log names the variable). Nothing was changed; the status page is still served."));
        }
        log(`database unavailable: ${redactSecrets(message(error))}`);
        return problemJson(new Problem(503, "Service Unavailable", "The database is unavailable; the status page is still served. Nothing was changed."), { "Retry-After": "5" });
      }
      const response = await herald.app.fetch(request);
      if (pending.length > 0) ctx.waitUntil(handOff(env, herald, pending.splice(0)));
      if (deliveriesWaiting) {
        deliveriesWaiting = false;
        ctx.waitUntil(drainTasks(herald.deliveries, Date.now() + REQUEST_SEND_BUDGET_MS, log));
      }
      return response;
    },

    async scheduled(_controller: unknown, env: Env, ctx: ExecutionContext): Promise<void> {
      const herald = await open(env).catch((error) =>
        log(error instanceof ConfigError ? `scheduled: configuration error: ${redactSecrets(error.message)}` : `scheduled: database unavailable, nothing to do: ${redactSecrets(message(error))}`),
      );
      if (!herald) return;
      // Maintenances moved on time, response times checked: a periodic task steps once per run.
      await drainTasks(herald.checks, Infinity, log);
      // The moved maintenances' pages, and the home page, feed and JSON whatever happened.
      // An import (herald import statuspage) may have asked for the whole page to be published again.
      const full = await claimFullPublish(herald.deps.db);
      ctx.waitUntil(handOff(env, herald, [...pending.splice(0), full ? { type: "full" } : { type: "refresh" }]));
      await drainTasks(herald.deliveries, Date.now() + CRON_SEND_BUDGET_MS, log);
      log("scheduled: done");
    },

    async queue(batch: QueueBatch, env: Env): Promise<void> {
      try {
        await publishNow(await open(env), batch.messages.map((m) => m.body as PublishMessage));
        batch.ackAll();
      } catch (error) {
        // The live site is untouched; Cloudflare redelivers the batch (max_retries in wrangler.toml).
        log(`publish failed, will be retried: ${message(error)}`);
        batch.retryAll({ delaySeconds: 5 });
      }
    },
  };
}
