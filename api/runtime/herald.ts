/**
 * Herald wired once around an opened database, the same for every runtime: the app and its
 * dependencies, mail (one queue for notices and confirmations), the internal (Slack) channel,
 * webhooks, the publisher and the background work as tasks. The runtime entries (api/server.ts,
 * api/worker.ts) only choose the parts: the database, the clock, where published files are
 * stored and how they are rendered, how a committed change reaches the publisher, and which
 * scheduler runs the tasks (api/runtime/tasks.ts).
 */
import { wordsOf } from "../../locales/words.ts";
import type { Hono } from "hono";
import type { Database } from "../../db/database.ts";
import { Publisher, type PageRenderer } from "../../site/publish/publisher.ts";
import type { SiteStore } from "../../site/publish/manifest.ts";
import { createApp } from "../app.ts";
import type { AppDeps, ChangeEvent, PublicSite } from "../app-deps.ts";
import type { Clock } from "../clock.ts";
import { ConfigError, type HeraldConfig } from "../config.ts";
import { checkResponseTimes, createInternalChannel, loadInternalTemplate, type InternalChannel } from "../internal/index.ts";
import { incidentPreviewer } from "./preview.ts";
import { createMailDelivery, type MailDelivery } from "../mail/index.ts";
import type { Mailer } from "../mail/mailer.ts";
import { loadCustomerNotice, loadPostmortemNotice, loadWebhookQuarantineNotice } from "../mail/template.ts";
import { combineHooks } from "../service/context.ts";
import { settleAlerts } from "../service/alerts.ts";
import { remindOverduePostmortems } from "../internal/postmortem-reminders.ts";
import { noticeQuarterWithoutDrill } from "../internal/drill-notice.ts";
import { sendActionDigest } from "../internal/action-digest.ts";
import { advanceMaintenances } from "../service/maintenance-schedule.ts";
import { webhookHooks } from "../webhooks/enqueue.ts";
import { deliverDueWebhooks } from "../webhooks/sender.ts";
import { every, type Task } from "./tasks.ts";

/**
 * Reads and checks every communication template, so that a broken one stops Herald at start
 * (Node) or keeps the API from sending (Workers) instead of reaching a customer's inbox.
 */
/** Every communication template parses and names only known placeholders; a mistake is a configuration error. */
export function checkTemplates(locale = "en"): void {
  try {
    loadCustomerNotice(locale);
    loadPostmortemNotice(locale);
    loadInternalTemplate();
    loadWebhookQuarantineNotice(locale);
  } catch (error) {
    throw new ConfigError(`communication templates: ${(error as Error)?.message ?? String(error)}`);
  }
}

export interface RuntimeParts {
  db: Database;
  pageId: string;
  config: HeraldConfig;
  /** Mail and limit settings (RESEND_API_KEY, HERALD_SECRET, SUBSCRIBE_LIMIT_*, …). */
  env: Readonly<Record<string, string | undefined>>;
  clock: Clock;
  log: (line: string) => void;
  /** Where published files go (the disk on Node, R2 on Workers) and how routes are rendered. */
  site: SiteStore;
  renderer: PageRenderer;
  /** Serves published files from the app (Node); the Worker serves them before the app. */
  publicSite?: PublicSite;
  /** The published stylesheet's path, for the subscription pages. */
  stylesheet: () => string | null | undefined;
  /** Mailer without RESEND_API_KEY (Node: .eml files); absent: RESEND_API_KEY is required. */
  localMailer?: (dir: string) => Mailer;
  /** A committed change: Node hands it to the publisher in process, Workers to the publish queue. */
  publish(event: ChangeEvent): void;
  /** Something was queued for delivery (mail, a confirmation, an internal update, a webhook). */
  deliveriesQueued(): void;
  /** Who is asking, for per-IP limits (default: the socket's peer, Node's). */
  clientIp?: (request: Request, env: unknown) => string | null | undefined;
  /** How often maintenances are moved on time and response times checked, for loop schedulers (ms; 0: never). */
  scheduleMs?: number;
  responseCheckMs?: number;
}

export interface Herald {
  app: Hono<any>;
  deps: AppDeps;
  mail: MailDelivery;
  /** The internal channel, when SLACK_WEBHOOK_URL is set. */
  internal: InternalChannel | null;
  publisher: Publisher;
  /** Senders, stepped right after writes and in the background: internal updates first (the team acts on them), then webhooks, then mail. */
  deliveries: Task[];
  /** Periodic checks: maintenances moved on time, response times. */
  checks: Task[];
}

export function assembleHerald(parts: RuntimeParts): Herald {
  const { db, config, env, clock, log } = parts;
  const mail = createMailDelivery({ db, config, env, log, localMailer: parts.localMailer });
  const page = { url: config.page.url, timeZone: config.page.timeZone, showOwners: config.page.showOwners, brand: config.page.brand, locale: config.page.locale, messages: config.page.messages };
  const internal = createInternalChannel({ db, page, template: loadInternalTemplate(), env, log });
  const limit = (name: string, fallback: number) => {
    const value = Number(env[name] || fallback);
    return Number.isInteger(value) && value > 0 ? value : fallback;
  };
  const onChange = (event: ChangeEvent) => {
    parts.publish(event);
    parts.deliveriesQueued();
  };
  const deps: AppDeps = {
    db,
    pageId: parts.pageId,
    config,
    consolePreview: incidentPreviewer({
      page: { id: parts.pageId, name: config.page.name, ...page },
      renderer: parts.renderer,
      mail: mail.settings,
      internal: internal ? loadInternalTemplate() : null,
      now: () => clock.now(),
    }),
    clock,
    log,
    publicSite: parts.publicSite,
    // Mail, internal updates and webhooks are enqueued inside each change's transaction and sent in the background.
    hooks: combineHooks(mail.hooks, ...(internal ? [internal.hooks] : []), webhookHooks({ id: parts.pageId, url: config.page.url })),
    subscriptions: {
      db,
      clock,
      log,
      settings: mail.settings,
      onConfirmationQueued: parts.deliveriesQueued,
      limits: {
        perIp: { max: limit("SUBSCRIBE_LIMIT_PER_IP", 5), windowMs: 10 * 60_000 },
        perEmail: { max: limit("SUBSCRIBE_LIMIT_PER_ADDRESS", 3), windowMs: 60 * 60_000 },
      },
      stylesheet: parts.stylesheet,
      webhooks: config.webhooks,
      ...(parts.clientIp ? { clientIp: parts.clientIp } : {}),
    },
    onChange,
  };
  const publisher = new Publisher({ db, page: { id: parts.pageId, name: config.page.name, ...page }, site: parts.site, renderer: parts.renderer, clock, log });

  const quarantineNotices = { mailer: mail.mailer, settings: mail.settings, template: loadWebhookQuarantineNotice(config.page.locale) };
  const webhooks: Task = {
    name: "webhooks",
    step: async () => {
      const run = await deliverDueWebhooks({ db, clock, log, secret: mail.settings.secret, pageUrl: config.page.url, pageName: config.page.name, words: wordsOf(config.page), timeoutMs: config.webhooks.timeoutMs, notices: quarantineNotices });
      return run.attempted > 0 || run.noticesSent > 0 ? 0 : 1000;
    },
  };
  const deliveries: Task[] = [
    ...(internal ? [{ name: "internal updates", step: internal.step }] : []),
    webhooks,
    { name: "mail", step: () => mail.sender.step() },
  ];

  const scheduleMs = parts.scheduleMs ?? 30_000;
  const responseCheckMs = parts.responseCheckMs ?? 30_000;
  const checks: Task[] = [
    // Maintenances start and complete on time (api/service/maintenance-schedule.ts).
    every("maintenance schedule", scheduleMs, () => advanceMaintenances({ db, clock, hooks: deps.hooks ?? {}, onChange, log })),
    // Component moves the alerts' hold-down postponed (api/service/alerts.ts).
    every("alert hold-down", Math.min(scheduleMs, 15_000), () => settleAlerts({ db, clock, hooks: deps.hooks ?? {}, onChange, log })),
  ];
  if (responseCheckMs > 0) {
    // Late first updates and broken next-update promises: recorded once, reminded through the internal channel.
    checks.push(
      every("response time check", responseCheckMs, async () => {
        const result = await checkResponseTimes({ db, clock, timeZone: config.page.timeZone, notifier: internal?.notifier ?? null, log });
        // Overdue postmortems, once per business day (the seed's review process).
        const reminded = await remindOverduePostmortems({ db, clock, page, channel: internal !== null, log });
        // A quarter without a drill (the seed: simulations quarterly), told once.
        const quarter = await noticeQuarterWithoutDrill({ db, clock, page, channel: internal !== null, log });
        // Open and overdue action items by owner, once a week (the seed: report progress weekly).
        const digest = await sendActionDigest({ db, clock, page, channel: internal !== null, log, schedule: config.actionDigest ?? null });
        if (result.noticed.length > 0 || reminded.length > 0 || quarter || digest) parts.deliveriesQueued();
      }),
    );
  }
  return { app: createApp(deps), deps, mail, internal, publisher, deliveries, checks };
}
