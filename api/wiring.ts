/**
 * What every runtime wires the same way around one opened database: mail delivery, confirmation
 * mail, the internal (Slack) channel, webhooks, subscription limits and the app's dependencies. The Node server (api/server.ts) and the
 * Worker (api/worker.ts) differ only in what they pass in: where the site is served from and how
 * background work is woken.
 */
import type { Database } from "../db/database.ts";
import type { AppDeps, ChangeEvent, PublicSite } from "./app-deps.ts";
import type { Clock } from "./clock.ts";
import type { HeraldConfig } from "./config.ts";
import { ConfirmationSender } from "./mail/confirmation.ts";
import { createMailDelivery, type MailDelivery } from "./mail/index.ts";
import type { Mailer } from "./mail/mailer.ts";
import { createInternalChannel, loadInternalTemplate, type InternalChannel } from "./internal/index.ts";
import { combineHooks } from "./service/context.ts";
import { loadWebhookQuarantineNotice } from "./mail/template.ts";
import { webhookHooks } from "./webhooks/enqueue.ts";
import { deliverDueWebhooks, type WebhookRunResult } from "./webhooks/sender.ts";

export interface HeraldWiring {
  deps: AppDeps;
  mail: MailDelivery;
  confirmations: ConfirmationSender;
  /** The internal channel (Slack), when SLACK_WEBHOOK_URL is set. */
  internal: InternalChannel | null;
  /** One run of the webhook sender: due deliveries and quarantine notices (Node loop, Worker cron). */
  deliverWebhooks(): Promise<WebhookRunResult>;
}

export interface WiringOptions {
  db: Database;
  pageId: string;
  config: HeraldConfig;
  /** Mail and limit settings (RESEND_API_KEY, HERALD_SECRET, SUBSCRIBE_LIMIT_*, …). */
  env: Readonly<Record<string, string | undefined>>;
  clock: Clock;
  log: (line: string) => void;
  publicSite?: PublicSite;
  /** The published stylesheet's path, for the subscription pages. */
  stylesheet: () => string | null | undefined;
  /** Mailer without RESEND_API_KEY (Node: .eml files). */
  localMailer?: (dir: string) => Mailer;
  /** After a write committed: regenerate the site; update mail is already in the outbox. */
  onChange: (event: ChangeEvent) => void;
  /** After a confirmation mail was enqueued. */
  onConfirmationQueued: () => void;
}

export function wireHerald(o: WiringOptions): HeraldWiring {
  const mail = createMailDelivery({ db: o.db, config: o.config, env: o.env, log: o.log, localMailer: o.localMailer });
  const confirmations = new ConfirmationSender({ db: o.db, mailer: mail.mailer, settings: mail.settings, log: o.log });
  // The internal channel (SLACK_WEBHOOK_URL): updates queued with each change, reminders of lapses.
  const page = { url: o.config.page.url, timeZone: o.config.page.timeZone };
  const internal = createInternalChannel({ db: o.db, page, template: loadInternalTemplate(), env: o.env, log: o.log });
  const limit = (name: string, fallback: number) => {
    const value = Number(o.env[name] || fallback);
    return Number.isInteger(value) && value > 0 ? value : fallback;
  };
  const deps: AppDeps = {
    db: o.db,
    pageId: o.pageId,
    config: o.config,
    clock: o.clock,
    log: o.log,
    publicSite: o.publicSite,
    // Mail (and internal updates) are enqueued inside each change's transaction and sent in the background.
    // Webhooks likewise: Statuspage envelopes for incident updates and component changes.
    hooks: combineHooks(mail.hooks, ...(internal ? [internal.hooks] : []), webhookHooks({ id: o.pageId, url: o.config.page.url })),
    subscriptions: {
      db: o.db,
      clock: o.clock,
      log: o.log,
      settings: mail.settings,
      onConfirmationQueued: o.onConfirmationQueued,
      limits: {
        perIp: { max: limit("SUBSCRIBE_LIMIT_PER_IP", 5), windowMs: 10 * 60_000 },
        perEmail: { max: limit("SUBSCRIBE_LIMIT_PER_ADDRESS", 3), windowMs: 60 * 60_000 },
      },
      stylesheet: o.stylesheet,
      webhooks: o.config.webhooks,
    },
    onChange: o.onChange,
  };
  const deliverWebhooks = () =>
    deliverDueWebhooks({
      db: o.db, clock: o.clock, log: o.log, secret: mail.settings.secret, pageUrl: o.config.page.url, timeoutMs: o.config.webhooks.timeoutMs,
      notices: { mailer: mail.mailer, settings: mail.settings, template: loadWebhookQuarantineNotice() },
    });
  return { deps, mail, confirmations, internal, deliverWebhooks };
}
