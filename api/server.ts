import { serve, type ServerType } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import type { Hono } from "hono";
import { openNodeDatabase } from "../db/open-node.ts";
import type { Database } from "../db/database.ts";
import { loadSiteRenderer } from "../site/render.ts";
import { Publisher, type PageRenderer } from "../site/publish/publisher.ts";
import { servePublished } from "../site/publish/serve.ts";
import { PublishedSite } from "../site/publish/store.ts";
import { createApp, createPublicOnlyApp, type AppDeps, type Clock, type PublicSite } from "./app.ts";
import type { HeraldConfig } from "./config.ts";
import { randomBytes } from "node:crypto";
import { ensureSetting } from "../db/queries/settings.ts";
import { createMailDelivery, type MailDelivery } from "./mail/index.ts";
import { ConfirmationSender } from "./mail/confirmation.ts";
import { loadCustomerNotice, loadWebhookQuarantineNotice } from "./mail/template.ts";
import { BackgroundLoop } from "./mail/loop.ts";
import { combineHooks } from "./service/context.ts";
import { webhookHooks } from "./webhooks/enqueue.ts";
import { deliverDueWebhooks } from "./webhooks/sender.ts";

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
  /** Delay between attempts to reach a database that was down at start. */
  reconnectMs?: number;
  /** Environment for the mail settings (RESEND_API_KEY, HERALD_SECRET, …); default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
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
  const quarantineNotice = loadWebhookQuarantineNotice();
  const clock = options.clock ?? { now: () => new Date() };
  const site = new PublishedSite(config.publicDir);
  const publicSite: PublicSite = (request) => servePublished(site, request);
  const renderer: PageRenderer = await loadSiteRenderer(options.siteDist);

  let handler: Hono<any> = createPublicOnlyApp(publicSite, "starting");
  let db: Database | null = null;
  let publisher: Publisher | null = null;
  let mail: MailDelivery | null = null;
  let confirmations: ConfirmationSender | null = null;
  let webhookSender: BackgroundLoop | null = null;
  let refreshTimer: ReturnType<typeof setInterval> | null = null;
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
        : { ...given, HERALD_SECRET: await db.write((tx) => ensureSetting(tx, "link_secret", randomBytes(32).toString("base64url"), new Date().toISOString())) };
      mail = createMailDelivery({ db, config, env, log });
      // Double opt-in confirmation mails: their own table, the same mailer (api/mail/confirmation.ts).
      const confirmationSender = new ConfirmationSender({ db, mailer: mail.mailer, settings: mail.settings, log });
      confirmations = confirmationSender;
      const limit = (name: string, fallback: number) => {
        const value = Number(env[name] || fallback);
        return Number.isInteger(value) && value > 0 ? value : fallback;
      };
      // Webhook deliveries: enqueued in the same transactions as mail, sent by deliverDueWebhooks
      // (the function a Cloudflare cron calls too), here in a loop woken by every write.
      const mailDelivery = mail;
      const webhooks = new BackgroundLoop(
        async () => {
          const run = await deliverDueWebhooks({
            db: db!, clock, log, secret: mailDelivery.settings.secret, pageUrl: config.page.url, timeoutMs: config.webhooks.timeoutMs,
            notices: { mailer: mailDelivery.mailer, settings: mailDelivery.settings, template: quarantineNotice },
          });
          return run.attempted > 0 || run.noticesSent > 0 ? 0 : 1000;
        },
        { onError: (error) => log(`webhooks: sender step failed: ${(error as Error)?.message ?? String(error)}`), errorWaitMs: () => 1000 },
      );
      webhookSender = webhooks;
      const deps: AppDeps = {
        db, pageId: opened.pageId, config, clock, log, publicSite,
        hooks: combineHooks(mail.hooks, webhookHooks({ id: opened.pageId, url: config.page.url })),
        subscriptions: {
          db, clock, log, settings: mail.settings,
          onConfirmationQueued: () => confirmationSender.poke(),
          limits: {
            perIp: { max: limit("SUBSCRIBE_LIMIT_PER_IP", 5), windowMs: 10 * 60_000 },
            perEmail: { max: limit("SUBSCRIBE_LIMIT_PER_ADDRESS", 3), windowMs: 60 * 60_000 },
          },
          stylesheet: () => Object.keys(site.current().entries).find((path) => path.endsWith(".css")),
          webhooks: config.webhooks,
        },
        onChange: (event) => {
          publisher!.notify(event);
          mail!.sender.poke();
          webhooks.poke();
        },
      };
      handler = createApp(deps);
      mail.start();
      confirmationSender.start();
      webhooks.start();
      running.deps = deps;
      running.publisher = publisher;
      // A new site build (or nothing published yet) means every page; otherwise bring the home page up to date.
      if (site.current().build !== renderer.buildId) publisher.publishAll();
      else publisher.refresh();
      refreshTimer = setInterval(() => publisher?.refresh(), options.refreshMs ?? 60_000);
      refreshTimer.unref();
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
    await (confirmations as ConfirmationSender | null)?.stop();
    await (webhookSender as BackgroundLoop | null)?.stop();
    (db as Database | null)?.close();
  };
  return running;
}

function redact(text: string): string {
  return text.replace(/(authToken|token|password)=[^&\s]+/gi, "$1=…");
}
