import { serve, type ServerType } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import type { Hono } from "hono";
import { openNodeDatabase } from "../db/open-node.ts";
import type { Database } from "../db/database.ts";
import { loadSiteRenderer } from "../site/render.ts";
import { Publisher, type PageRenderer } from "../site/publish/publisher.ts";
import { servePublished } from "../site/publish/serve.ts";
import { PublishedSite } from "../site/publish/store.ts";
import { createApp, createPublicOnlyApp } from "./app.ts";
import type { AppDeps, PublicSite } from "./app-deps.ts";
import type { Clock } from "./clock.ts";
import type { HeraldConfig } from "./config.ts";
import { randomBase64url } from "./encoding.ts";
import { ensureSetting } from "../db/queries/settings.ts";
import type { MailDelivery } from "./mail/index.ts";
import { wireHerald } from "./wiring.ts";
import { advanceMaintenances } from "./service/maintenance-schedule.ts";
import { EmlMailer } from "./mail/eml.ts";
import { ConfirmationSender } from "./mail/confirmation.ts";
import { loadCustomerNotice, loadPostmortemNotice, loadWebhookQuarantineNotice } from "./mail/template.ts";
import { BackgroundLoop } from "./mail/loop.ts";
import { checkResponseTimes, loadInternalTemplate, type InternalChannel } from "./internal/index.ts";

export interface RunningServer {
  url: string;
  /** Present once the database has been reached. */
  deps: AppDeps | null;
  site: PublishedSite;
  publisher: Publisher | null;
  /** Resolves when the database has been opened (immediately if it was at start). */
  ready: Promise<void>;
  close(): Promise<void>;
}

export interface ServerOptions {
  hostname?: string;
  log?: (line: string) => void;
  clock?: Clock;
  /** Where the Astro build is (default dist/site). */
  siteDist?: string;
  /** How often the home page, feed and JSON are refreshed without a write (uptime bars, days). */
  refreshMs?: number;
  /** How often maintenances are moved when their window opens or closes (default 30 s). */
  scheduleMs?: number;
  /** Delay between attempts to reach a database that was down at start. */
  reconnectMs?: number;
  /** Environment for the mail settings (RESEND_API_KEY, HERALD_SECRET, …); default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** How often response times are checked (default RESPONSE_CHECK_INTERVAL_MS, else 30 s); 0: never. */
  responseCheckMs?: number;
}

/**
 * Serves Herald on Node: the API and the published site on one port. If the database cannot be
 * reached at start, the last published site is served anyway and the API answers 503 until a
 * reconnect succeeds — the page must outlive the outage it reports.
 */
export async function startServer(config: HeraldConfig, options: ServerOptions = {}): Promise<RunningServer> {
  const log = options.log ?? ((line: string) => console.error(line));
  // A broken communication template stops Herald here, not in a customer's inbox.
  loadCustomerNotice();
  loadPostmortemNotice();
  loadInternalTemplate();
  loadWebhookQuarantineNotice();
  const clock = options.clock ?? { now: () => new Date() };
  const site = new PublishedSite(config.publicDir);
  const publicSite: PublicSite = (request) => servePublished(site, request);
  const renderer: PageRenderer = await loadSiteRenderer(options.siteDist);

  let handler: Hono<any> = createPublicOnlyApp(publicSite, "starting");
  let db: Database | null = null;
  let publisher: Publisher | null = null;
  let mail: MailDelivery | null = null;
  let confirmations: ConfirmationSender | null = null;
  let internal: InternalChannel | null = null;
  let webhookSender: BackgroundLoop | null = null;
  let refreshTimer: ReturnType<typeof setInterval> | null = null;
  /** Background loops started once the database is open (webhooks, periodic checks); stopped on close. */
  const loops: BackgroundLoop[] = [];
  const startLoop = (failure: string, errorWaitMs: number, step: () => Promise<number>): BackgroundLoop => {
    const loop = new BackgroundLoop(step, { onError: (error) => log(`${failure}: ${(error as Error)?.message ?? String(error)}`), errorWaitMs: () => errorWaitMs });
    loops.push(loop);
    loop.start();
    return loop;
  };
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  let closed = false;
  const running: RunningServer = { url: "", deps: null, site, publisher: null, ready: Promise.resolve(), close: async () => {} };

  async function connect(): Promise<boolean> {
    try {
      const opened = await openNodeDatabase(config.databaseUrl, config.databaseAuthToken);
      if (closed) {
        opened.db.close();
        return true;
      }
      db = opened.db;
      const page = { id: opened.pageId, name: config.page.name, url: config.page.url, timeZone: config.page.timeZone };
      publisher = new Publisher({ db, page, site, renderer, clock, log });
      // Mail deliveries are enqueued inside each update's transaction (hooks) and sent in the background.
      const given = options.env ?? process.env;
      // Without HERALD_SECRET (the embedded default), a secret is made once and kept in the database,
      // so confirmation and unsubscribe links keep working across restarts.
      const env = given.HERALD_SECRET || given.RESEND_API_KEY
        ? given
        : { ...given, HERALD_SECRET: await db.write((tx) => ensureSetting(tx, "link_secret", randomBase64url(32), new Date().toISOString())) };
      const wired = wireHerald({
        db, pageId: opened.pageId, config, env, clock, log, publicSite,
        stylesheet: () => Object.keys(site.current().entries).find((path) => path.endsWith(".css")),
        localMailer: (dir) => new EmlMailer(dir),
        onChange: (event) => {
          publisher!.notify(event);
          wired.mail.sender.poke();
          wired.internal?.sender.poke();
          webhookSender?.poke();
        },
        onConfirmationQueued: () => wired.confirmations.poke(),
      });
      mail = wired.mail;
      confirmations = wired.confirmations;
      internal = wired.internal;
      const deps = wired.deps;
      handler = createApp(deps);
      mail.start();
      confirmations.start();
      internal?.sender.start();
      // Webhook deliveries: enqueued in the same transactions as mail, sent here in a loop woken by
      // every write (the Worker's cron calls the same function).
      webhookSender = startLoop("webhooks: sender step failed", 1000, async () => {
        const run = await wired.deliverWebhooks();
        return run.attempted > 0 || run.noticesSent > 0 ? 0 : 1000;
      });
      const configured = Number(env.RESPONSE_CHECK_INTERVAL_MS || 30_000);
      const checkEvery = options.responseCheckMs ?? (Number.isFinite(configured) && configured >= 0 ? configured : 30_000);
      if (checkEvery > 0) {
        const database = db;
        const channel = internal;
        startLoop("response time check failed", checkEvery, async () => {
          const result = await checkResponseTimes({ db: database, clock, timeZone: config.page.timeZone, notifier: channel?.notifier ?? null, log });
          if (result.noticed.length > 0) channel?.sender.poke();
          return checkEvery;
        });
      }
      running.deps = deps;
      running.publisher = publisher;
      // A new site build (or nothing published yet) means every page; otherwise bring the home page up to date.
      if (site.current().build !== renderer.buildId) publisher.publishAll();
      else publisher.refresh();
      refreshTimer = setInterval(() => publisher?.refresh(), options.refreshMs ?? 60_000);
      refreshTimer.unref();
      // Maintenances start and complete on time (api/service/maintenance-schedule.ts).
      const scheduleMs = options.scheduleMs ?? 30_000;
      startLoop("maintenance schedule", scheduleMs, async () => {
        await advanceMaintenances({ db: deps.db, clock, hooks: deps.hooks ?? {}, onChange: deps.onChange, log });
        return scheduleMs;
      });
      return true;
    } catch (error) {
      const reason = (error as Error)?.message ?? String(error);
      handler = createPublicOnlyApp(publicSite, "cannot open it");
      log(`database unavailable (${redact(reason)}); serving the last published site, retrying`);
      return false;
    }
  }

  running.ready = new Promise<void>((resolveReady) => {
    const attempt = async () => {
      if (closed) return resolveReady();
      if (await connect()) return resolveReady();
      reconnectTimer = setTimeout(attempt, options.reconnectMs ?? 5000);
      reconnectTimer.unref();
    };
    void attempt();
  });
  // Wait briefly for the first attempt, so a healthy start serves the API from the first request.
  await Promise.race([running.ready, new Promise((r) => setTimeout(r, 2000))]);

  const server: ServerType = await new Promise((resolveServer) => {
    const s = serve({ fetch: (request, env) => handler.fetch(request, env), port: config.port, hostname: options.hostname ?? "0.0.0.0" }, () => resolveServer(s));
  });
  const { port } = server.address() as AddressInfo;
  running.url = `http://${!options.hostname || options.hostname === "0.0.0.0" ? "localhost" : options.hostname}:${port}`;
  running.close = async () => {
    closed = true;
    if (refreshTimer) clearInterval(refreshTimer);
    if (reconnectTimer) clearTimeout(reconnectTimer);
    await new Promise<void>((r) => server.close(() => r()));
    (server as import("node:http").Server).closeAllConnections?.();
    if (publisher) {
      publisher.stop();
      await publisher.idle().catch(() => {});
    }
    await mail?.stop();
    await (internal as InternalChannel | null)?.sender.stop();
    await (confirmations as ConfirmationSender | null)?.stop();
    await Promise.all(loops.map((loop) => loop.stop()));
    (db as Database | null)?.close();
  };
  return running;
}

function redact(text: string): string {
  return text.replace(/(authToken|token|password)=[^&\s]+/gi, "$1=…");
}
