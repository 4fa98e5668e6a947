/**
 * Cloudflare Workers entry: the same app, migrations' schema, templates and site as on Node
 * (api/node.ts); only where things live differs.
 *
 *  - Database: Turso through `@libsql/client/web` (DATABASE_URL=libsql://…, DATABASE_AUTH_TOKEN).
 *  - Published site: an R2 bucket (binding SITE) holding the same manifest + objects as data/public
 *    on Node; the Astro build's CSS is served by Workers Static Assets (binding ASSETS).
 *    Page views read only R2, never Turso.
 *  - Publishing: a committed write sends the change to a Cloudflare Queue (PUBLISH_QUEUE); its
 *    consumer (max_concurrency 1, so publishes never overlap) renders the touched routes with the
 *    bundled Astro app from a fresh Turso snapshot and swaps the R2 manifest. Without the queue
 *    binding the Worker publishes inline after the response (ctx.waitUntil).
 *  - Cron (every minute): starts and completes maintenances whose window opened or closed,
 *    checks response times (reminders through Slack), refreshes the home page, feed and JSON
 *    (time moves uptime bars), and sends due internal updates and mail.
 *
 * See wrangler.toml and the README's "Deploying to Cloudflare Workers".
 */
import { createClient } from "@libsql/client/web";
import siteBuild from "herald:site-build";
import { app as astroApp } from "herald:site-app";
import customerNotice from "../templates/customer-notice.md";
import postmortemNotice from "../templates/postmortem-notice.md";
import internalUpdate from "../templates/internal-update.md";
import webhookQuarantine from "../templates/webhook-quarantine.md";
import { createDatabase, type Database } from "../db/database.ts";
import { ensurePage } from "../db/queries/page.ts";
import { createSiteRenderer } from "../site/renderer.ts";
import { Publisher } from "../site/publish/publisher.ts";
import { servePublished } from "../site/publish/serve.ts";
import { BucketSite, type Bucket } from "../site/publish/store-bucket.ts";
import { setTemplateSource } from "../templates/source.ts";
import { createApp } from "./app.ts";
import type { ChangeEvent } from "./app-deps.ts";
import { bearerToken } from "./http/auth.ts";
import { readConfig } from "./config.ts";
import { loadCustomerNotice, loadPostmortemNotice, loadWebhookQuarantineNotice } from "./mail/template.ts";
import { checkResponseTimes, drainInternalOutbox, loadInternalTemplate } from "./internal/index.ts";
import { advanceMaintenances } from "./service/maintenance-schedule.ts";
import { newId } from "../domain/ids.ts";
import { notFoundPage } from "./http/public-pages.ts";
import { problemJson } from "./http/problem-response.ts";
import { Problem } from "./problem.ts";
import { wireHerald, type HeraldWiring } from "./wiring.ts";

/** The bindings and variables wrangler.toml declares (secrets set with `wrangler secret put`). */
export interface WorkerEnv {
  DATABASE_URL?: string;
  DATABASE_AUTH_TOKEN?: string;
  PAGE_NAME?: string;
  PAGE_URL?: string;
  PAGE_TIME_ZONE?: string;
  HERALD_SECRET?: string;
  RESEND_API_KEY?: string;
  SLACK_WEBHOOK_URL?: string;
  RESEND_BASE_URL?: string;
  EMAIL_FROM?: string;
  MAIL_RATE_LIMIT?: string;
  SITE: Bucket;
  ASSETS?: { fetch(request: Request): Promise<Response> };
  PUBLISH_QUEUE?: { sendBatch(messages: { body: PublishMessage }[]): Promise<void> };
}

interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
}

interface QueueBatch {
  messages: readonly { body: unknown }[];
  ackAll(): void;
  retryAll(options?: { delaySeconds?: number }): void;
}

/** What the publish queue carries: a committed change, or "bring the time-dependent pages up to date". */
export type PublishMessage = ChangeEvent | { type: "refresh" };

/** Paths the app answers; everything else is the published site. */
const APP_PATH = /^\/(api\/v1|subscriptions)(\/|$)/;
/** How long one invocation keeps sending (the cron runs every minute; work after a response may take up to 30 s). */
const CRON_SEND_BUDGET_MS = 50_000;
const REQUEST_SEND_BUDGET_MS = 20_000;

const log = (line: string) => console.log(line);
/** Every template file the app reads, bundled as text (a Worker has no files). */
const TEMPLATES: Readonly<Record<string, string>> = {
  "customer-notice.md": customerNotice,
  "postmortem-notice.md": postmortemNotice,
  "internal-update.md": internalUpdate,
  "webhook-quarantine.md": webhookQuarantine,
};
setTemplateSource((file) => {
  const text = TEMPLATES[file];
  if (text === undefined) throw new Error(`templates/${file} is not bundled into the Worker (add it to TEMPLATES in api/worker.ts)`);
  return text;
});
/**
 * Templates are checked once, when the isolate starts: a broken one keeps the API from sending
 * anything (and is logged at once, so the smoke suite sees it), while the page stays up.
 */
const templateProblem = (() => {
  try {
    loadCustomerNotice();
    loadPostmortemNotice();
    loadInternalTemplate();
    loadWebhookQuarantineNotice();
    return null;
  } catch (error) {
    const problem = `communication templates: ${(error as Error)?.message ?? String(error)}`;
    console.error(problem);
    return problem;
  }
})();

interface Herald extends HeraldWiring {
  env: WorkerEnv;
  db: Database;
  publisher: Publisher;
  app: { fetch(request: Request): Response | Promise<Response> };
}

let herald: Promise<Herald> | null = null;
let site: BucketSite | null = null;
/** Changes committed by this isolate and not yet handed to the publish queue. */
const pendingChanges: ChangeEvent[] = [];
let mailWaiting = false;
let confirmationWaiting = false;

function siteOf(env: WorkerEnv): BucketSite {
  site ??= new BucketSite(env.SITE);
  return site;
}

/** Opens Turso and wires the app once per isolate; a failure is retried on the next request. */
function openHerald(env: WorkerEnv): Promise<Herald> {
  herald ??= (async () => {
    if (templateProblem) throw new Error(templateProblem);
    const config = readConfig(env as unknown as Record<string, string | undefined>);
    if (!env.DATABASE_URL) throw new Error("DATABASE_URL is not set (libsql://<database>.turso.io)");
    const db = createDatabase(createClient({ url: env.DATABASE_URL, authToken: env.DATABASE_AUTH_TOKEN || undefined }));
    const pageId = await db.write((tx) => ensurePage(tx, newId(), new Date().toISOString()));
    const clock = { now: () => new Date() };
    const wired = wireHerald({
      db, pageId, config, env: env as unknown as Record<string, string | undefined>, clock, log,
      stylesheet: () => siteBuild.stylesheet,
      onChange: (event) => {
        pendingChanges.push(event);
        mailWaiting = true;
      },
      onConfirmationQueued: () => {
        confirmationWaiting = true;
      },
    });
    const page = { id: pageId, name: config.page.name, url: config.page.url, timeZone: config.page.timeZone };
    const publisher = new Publisher({ db, page, site: siteOf(env), renderer: createSiteRenderer(astroApp, siteBuild.buildId), clock, log });
    return { ...wired, env, db, publisher, app: createApp(wired.deps) };
  })().catch((error) => {
    herald = null;
    throw error;
  });
  return herald;
}

/** Hands this isolate's committed changes to the publish queue and wakes mail, after the response. */
function afterResponse(env: WorkerEnv, ctx: ExecutionContext, h: Herald): void {
  if (pendingChanges.length > 0) {
    const events = pendingChanges.splice(0);
    ctx.waitUntil(
      handOff(env, h, events).catch((error) => {
        // Not lost for long: the next cron refresh republishes the home page, feed and JSON.
        log(`publish: could not queue ${events.length} change(s): ${message(error)}`);
      }),
    );
  }
  if (mailWaiting || confirmationWaiting) {
    const mail = mailWaiting;
    const confirmations = confirmationWaiting;
    mailWaiting = confirmationWaiting = false;
    ctx.waitUntil(sendDue(h, REQUEST_SEND_BUDGET_MS, { mail, confirmations }));
  }
}

/** To the publish queue; without one, published here (see the file comment). */
function handOff(env: WorkerEnv, h: Herald, messages: readonly PublishMessage[]): Promise<void> {
  return env.PUBLISH_QUEUE ? env.PUBLISH_QUEUE.sendBatch(messages.map((body) => ({ body }))) : publish(h, messages);
}

async function publish(h: Herald, messages: readonly PublishMessage[]): Promise<void> {
  const changes = messages.filter((m): m is ChangeEvent => m.type !== "refresh");
  const report = await h.publisher.publishOnce(changes);
  log(`publish: ${report.changed} changed of ${report.rendered} rendered in ${report.ms.toFixed(0)} ms${report.full ? " (full)" : ""}`);
}

/**
 * Sends what is due — internal updates first (the team acts on them), then webhooks, confirmation
 * and update mail — until nothing is or the budget is spent. Each step is safe to run beside
 * another isolate doing the same (leases and persisted batch keys).
 */
async function sendDue(h: Herald, budgetMs: number, which = { mail: true, confirmations: true }): Promise<void> {
  const until = Date.now() + budgetMs;
  const step = async (name: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      log(`${name}: ${message(error)} (retried by the next cron run)`);
    }
  };
  const webhookUrl = h.internal ? h.env.SLACK_WEBHOOK_URL : undefined;
  if (webhookUrl) await step("internal", async () => void (await drainInternalOutbox({ db: h.db, webhookUrl, log, maxMessages: 50 })));
  if (which.mail) {
    await step("webhooks", async () => {
      while (Date.now() < until) {
        const run = await h.deliverWebhooks();
        if (run.attempted === 0 && run.noticesSent === 0) break;
      }
    });
  }
  if (which.confirmations) await step("mail", async () => void (await drainUntil(until, async () => (await h.confirmations.drainOnce()) === "batch")));
  if (which.mail) await step("mail", async () => void (await drainUntil(until, async () => (await h.mail.sender.drainOnce()).kind === "batch")));
}

/** Repeats `once` while it did something and time is left. */
async function drainUntil(until: number, once: () => Promise<boolean>): Promise<void> {
  while (Date.now() < until && (await once()));
}

function message(error: unknown): string {
  return (error as Error)?.message ?? String(error);
}

/** The published page, feed and JSON from R2, else a static asset, else the 404 page. Turso is never asked. */
async function servePublic(request: Request, env: WorkerEnv): Promise<Response> {
  try {
    const published = await servePublished(siteOf(env), request);
    if (published) return published;
  } catch (error) {
    log(`site: R2 read failed: ${message(error)}`);
  }
  if (env.ASSETS) {
    const asset = await env.ASSETS.fetch(request);
    if (asset.status !== 404) return asset;
  }
  return notFoundPage(request);
}

export default {
  async fetch(request: Request, env: WorkerEnv, ctx: ExecutionContext): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (!APP_PATH.test(pathname)) return servePublic(request, env);
    // A request without a usable key is refused without a round trip to Turso.
    if (pathname.startsWith("/api/v1/") && pathname !== "/api/v1/openapi.json") {
      try {
        bearerToken(request.headers.get("Authorization") ?? undefined);
      } catch (error) {
        if (error instanceof Problem) return problemJson(error);
        throw error;
      }
    }
    let h: Herald;
    try {
      h = await openHerald(env);
    } catch (error) {
      log(`database unavailable: ${message(error).replace(/(authToken|token)=[^&\s]+/gi, "$1=…")}`);
      const detail = "The database is unavailable; the status page is still served. Nothing was changed.";
      return problemJson(new Problem(503, "Service Unavailable", detail), { "Retry-After": "5" });
    }
    const response = await h.app.fetch(request);
    afterResponse(env, ctx, h);
    return response;
  },

  /** Cron Trigger: keep time-dependent pages current and send what mail is due. */
  async scheduled(_controller: unknown, env: WorkerEnv, ctx: ExecutionContext): Promise<void> {
    const refresh: PublishMessage = { type: "refresh" };
    const h = await openHerald(env).catch((error) => {
      log(`scheduled: database unavailable, nothing to do: ${message(error)}`);
      return null;
    });
    if (!h) return;
    try {
      await advanceMaintenances({ db: h.db, clock: h.deps.clock, hooks: h.deps.hooks ?? {}, onChange: h.deps.onChange, log });
    } catch (error) {
      log(`maintenance schedule: ${message(error)} (next cron run retries)`);
    }
    try {
      // Late first updates and broken next-update promises: recorded once, reminded through Slack.
      await checkResponseTimes({ db: h.db, clock: h.deps.clock, timeZone: h.deps.config.page.timeZone, notifier: h.internal?.notifier ?? null, log });
    } catch (error) {
      log(`response time check: ${message(error)} (next cron run retries)`);
    }
    // The moved maintenances' pages, and the home page, feed and JSON whatever happened.
    const messages: PublishMessage[] = [...pendingChanges.splice(0), refresh];
    ctx.waitUntil(handOff(env, h, messages));
    await sendDue(h, CRON_SEND_BUDGET_MS);
    log("scheduled: done");
  },

  /** Queue consumer (max_concurrency 1): one publish for a whole batch of changes. */
  async queue(batch: QueueBatch, env: WorkerEnv): Promise<void> {
    try {
      await publish(await openHerald(env), batch.messages.map((m) => m.body as PublishMessage));
      batch.ackAll();
    } catch (error) {
      // The live site is untouched; Cloudflare redelivers the batch (max_retries in wrangler.toml).
      log(`publish failed, will be retried: ${message(error)}`);
      batch.retryAll({ delaySeconds: 5 });
    }
  },
};
