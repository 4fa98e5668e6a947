import { normalizeEmail } from "../../domain/email.ts";
import { randomBase64url } from "../encoding.ts";
import { ConfigError, type HeraldConfig } from "../config.ts";
import type { WriteHooks } from "../service/context.ts";
import type { Database } from "../../db/database.ts";
import { ResendMailer, type Mailer } from "./mailer.ts";
import type { MailSettings } from "./message.ts";
import { mailHooks } from "./outbox.ts";
import { OutboxSender } from "./sender.ts";

export { enqueuePostmortem, enqueueUpdate, mailHooks } from "./outbox.ts";
export { OutboxSender } from "./sender.ts";
export { unsubscribeToken, verifyUnsubscribeToken } from "./token.ts";
export { normalizeEmail } from "../../domain/email.ts";

export interface MailDelivery {
  /** Pass as `hooks` to createApp (AppDeps.hooks): enqueues mail inside each update's transaction. */
  hooks: WriteHooks;
  sender: OutboxSender;
  mailer: Mailer;
  settings: MailSettings;
}

/**
 * Email from the environment:
 *  - RESEND_API_KEY: send through Resend (batch API); without it, messages are written as .eml
 *    files under MAIL_DIR (default data/mail) instead.
 *  - RESEND_BASE_URL: Resend API base URL (the SDK's own variable; also read by the SDK).
 *  - EMAIL_FROM: the From header (default `<PAGE_NAME> <status@<page host>>`).
 *  - HERALD_SECRET: key for unsubscribe tokens. Required with RESEND_API_KEY; without it the
 *    server (api/server.ts) makes one and keeps it in the database.
 *  - MAIL_RATE_LIMIT: provider requests per second (default 2 with Resend, 50 for .eml files).
 *  - MAIL_TIMEOUT_MS: per-request timeout (default 30000).
 */
export function createMailDelivery(options: {
  db: Database;
  config: HeraldConfig;
  env: Readonly<Record<string, string | undefined>>;
  log?: (line: string) => void;
  /** The mailer to use without RESEND_API_KEY, given MAIL_DIR (Node: .eml files, api/mail/eml.ts); absent: RESEND_API_KEY is required. */
  localMailer?: (dir: string) => Mailer;
}): MailDelivery {
  const { db, config, env } = options;
  const log = options.log ?? ((line: string) => console.error(line));
  const apiKey = env.RESEND_API_KEY || undefined;
  const localMailer = options.localMailer;
  if (!apiKey && !localMailer) throw new ConfigError("RESEND_API_KEY must be set: this runtime cannot write mail to files.");
  let secret = env.HERALD_SECRET || "";
  if (!secret) {
    if (apiKey) throw new ConfigError("HERALD_SECRET must be set when RESEND_API_KEY is (it signs unsubscribe links).");
    secret = randomBase64url(32);
    log("mail: HERALD_SECRET is not set; using a random secret, so unsubscribe links stop working after a restart");
  }
  let host = "localhost";
  try {
    host = new URL(config.page.url).hostname || host;
  } catch {
    // keep the default
  }
  const settings: MailSettings = {
    pageName: config.page.name,
    pageUrl: config.page.url,
    timeZone: config.page.timeZone,
    from: env.EMAIL_FROM || `${config.page.name.replace(/[<>"\r\n]/g, "")} <status@${host}>`,
    secret,
    logoUrl: env.PAGE_LOGO_URL?.trim() || mailLogo(config),
    supportEmail: (env.SUPPORT_EMAIL?.trim() && normalizeEmail(env.SUPPORT_EMAIL)) || null,
    locale: config.page.locale,
    messages: config.page.messages,
  };
  // Resend's default limit is 2 requests/second; the embedded mailer only writes files.
  const rate = Number(env.MAIL_RATE_LIMIT || (apiKey ? 2 : 50));
  if (!(rate > 0)) throw new ConfigError(`MAIL_RATE_LIMIT must be a positive number, got "${env.MAIL_RATE_LIMIT}".`);
  const timeoutMs = Number(env.MAIL_TIMEOUT_MS || 30_000);
  const mailer: Mailer = apiKey
    ? new ResendMailer({ apiKey, baseUrl: env.RESEND_BASE_URL || undefined, timeoutMs })
    : localMailer!(env.MAIL_DIR || "data/mail");
  const sender = new OutboxSender({ db, mailer, settings, ratePerSecond: rate, log });
  return {
    hooks: mailHooks,
    sender,
    mailer,
    settings,
  };
}

/** The page's logo (PAGE_LOGO) for mail when PAGE_LOGO_URL says nothing: mail clients load https images only. */
function mailLogo(config: HeraldConfig): string | null {
  const src = config.page.brand?.logo?.src;
  if (!src) return null;
  const url = src.startsWith("/") ? `${config.page.url}${src}` : src;
  return url.startsWith("https://") ? url : null;
}
