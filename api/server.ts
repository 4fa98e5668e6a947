/**
 * Herald on Node: the API and the published site on one port. It chooses the parts — an embedded
 * or remote libSQL database (migrated at start), the disk store under PUBLIC_DIR, the Astro build
 * rendered in process, `.eml` files without Resend, and background loops — and api/runtime/herald.ts
 * wires the rest. If the database cannot be reached, the last published site is served and the API
 * answers 503 until a reconnect succeeds: the page must outlive the outage it reports.
 */
import { openNodeDatabase } from "../db/open-node.ts";
import { ensureSetting } from "../db/queries/settings.ts";
import { loadSiteRenderer } from "../site/render.ts";
import type { SitePublisher } from "../site/publish/publisher.ts";
import { servePublished } from "../site/publish/serve.ts";
import { PublishedSite } from "../site/publish/store.ts";
import type { AppDeps, PublicSite } from "./app-deps.ts";
import { systemClock, type Clock } from "./clock.ts";
import { checkEnvironment, type HeraldConfig } from "./config.ts";
import { loadBrandFiles } from "./runtime/brand-files.ts";
import { claimFullPublish } from "./runtime/full-publish.ts";
import { randomBase64url } from "./encoding.ts";
import { EmlMailer } from "./mail/eml.ts";
import { assembleHerald, checkTemplates } from "./runtime/herald.ts";
import { hostWithFallback } from "./runtime/node-host.ts";
import { publishedFastPath } from "./runtime/node-published.ts";
import { readersFirst } from "./runtime/readers-first.ts";
import { ThreadPublisher } from "./runtime/thread-publisher.ts";
import { every, startLoops } from "./runtime/tasks.ts";

export interface RunningServer {
  url: string;
  /** Present once the database has been reached. */
  deps: AppDeps | null;
  site: PublishedSite;
  publisher: SitePublisher | null;
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
  /** How often the home page, feed and JSON are refreshed without a write (uptime bars, days); default 60 s. */
  refreshMs?: number;
  /** How often maintenances are moved when their window opens or closes (default 30 s). */
  scheduleMs?: number;
  /** Delay between attempts to reach a database that was down at start (default 5 s). */
  reconnectMs?: number;
  /** Environment for mail and limits (RESEND_API_KEY, HERALD_SECRET, …); default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** How often response times are checked (default RESPONSE_CHECK_INTERVAL_MS, else 30 s); 0: never. */
  responseCheckMs?: number;
  /**
   * Publish in a worker thread (default), so rendering never holds the thread that serves the page
   * and the API. In process when a test brings its own clock (the thread keeps real time) or the
   * database lives in memory (a thread could not see it).
   */
  publishInThread?: boolean;
}

export async function startServer(config: HeraldConfig, options: ServerOptions = {}): Promise<RunningServer> {
  const log = options.log ?? ((line: string) => console.error(line));
  const env = options.env ?? process.env;
  // Before listening: a configuration mistake stops the start; only the database may be "retrying".
  checkTemplates(config.page.locale);
  checkEnvironment(env, { mailToFiles: true });
  config = { ...config, page: { ...config.page, brand: loadBrandFiles(config.page.brand) } };
  const site = new PublishedSite(config.publicDir);
  const publicSite: PublicSite = (request) => servePublished(site, request);
  const renderer = await loadSiteRenderer(options.siteDist);
  const running: RunningServer = { url: "", deps: null, site, publisher: null, ready: Promise.resolve(), close: async () => {} };

  // The page before the writes when both wait for this thread (readers-first.ts).
  const turns = readersFirst();
  const host = await hostWithFallback({ port: config.port, hostname: options.hostname, publicSite, fastPath: publishedFastPath(site, { served: turns.served }), log, reconnectMs: options.reconnectMs, async open(closed) {
    const { db, pageId } = await openNodeDatabase(config.databaseUrl, config.databaseAuthToken, { writerTurn: turns.writerTurn });
    if (closed()) return db.close(), null;
    // Without HERALD_SECRET (the embedded default) a link secret is made once and kept in the database.
    const linkSecret = env.HERALD_SECRET || env.RESEND_API_KEY ? {} : { HERALD_SECRET: await db.write((tx) => ensureSetting(tx, "link_secret", randomBase64url(32), new Date().toISOString())) };
    const herald = assembleHerald({
      db, pageId, config, env: { ...env, ...linkSecret }, clock: options.clock ?? systemClock, log, site, renderer, publicSite,
      stylesheet: stylesheetOf(site),
      localMailer: (dir) => new EmlMailer(dir, { log }),
      publish: (event) => publisher.notify(event),
      deliveriesQueued: () => deliveries.poke(),
      scheduleMs: options.scheduleMs,
      responseCheckMs: options.responseCheckMs ?? responseCheckInterval(env.RESPONSE_CHECK_INTERVAL_MS),
    });
    const inMemory = /(^|:)(:memory:|file::memory:)/.test(config.databaseUrl) || config.databaseUrl.includes("mode=memory");
    const threaded = (options.publishInThread ?? true) && !options.clock && !inMemory;
    const publisher: SitePublisher = threaded
      ? new ThreadPublisher({
          data: {
            databaseUrl: config.databaseUrl,
            databaseAuthToken: config.databaseAuthToken,
            publicDir: config.publicDir,
            siteDist: options.siteDist,
            page: { id: pageId, name: config.page.name, url: config.page.url, timeZone: config.page.timeZone, showOwners: config.page.showOwners, brand: config.page.brand, locale: config.page.locale, messages: config.page.messages },
          },
          site,
          log,
        })
      : herald.publisher;
    // At once, then every minute: the time-dependent pages (a new site build republishes every page).
    const publishing = every("publish", options.refreshMs ?? 60_000, async () => {
      // An import (herald import statuspage) asks for the whole page to be published again.
      if (await claimFullPublish(db)) publisher.publishAll();
      else publisher.refresh();
    });
    const deliveries = startLoops(herald.deliveries, log);
    const checks = startLoops([...herald.checks, publishing], log);
    Object.assign(running, { deps: herald.deps, publisher });
    return { app: herald.app, stop: async () => {
      publisher.stop();
      await publisher.idle().catch(() => {});
      await Promise.all([deliveries.stop(), checks.stop()]);
      db.close();
    } };
  } });
  return Object.assign(running, { url: host.url, ready: host.ready, close: host.close });
}

/** The published stylesheet's path, looked for once per site build (not on every console page: a site has 100,000 paths). */
function stylesheetOf(site: PublishedSite): () => string | undefined {
  let build: string | null = null;
  let path: string | undefined;
  return () => {
    const current = site.current();
    if (current.build !== build || path === undefined) {
      build = current.build;
      path = Object.keys(current.entries).find((p) => p.startsWith("/_astro/") && p.endsWith(".css"));
    }
    return path;
  };
}

function responseCheckInterval(raw: string | undefined): number {
  const value = Number(raw || 30_000);
  return Number.isFinite(value) && value >= 0 ? value : 30_000;
}
