/**
 * Herald's configuration, read from environment variables (see the README's table).
 * Pure: it takes the environment as an argument so the Node and Worker entries share it.
 */
import { normalizeEmail } from "../domain/email.ts";
import { BrandError, readBrand, type PageBrand } from "./brand.ts";
import { DEFAULT_DIGEST, parseDigestSchedule, type DigestSchedule } from "../domain/action-digest.ts";
import type { Catalogue } from "../domain/locale.ts";
import { catalogueFor, LocaleError } from "../locales/catalogues.ts";

export interface HeraldConfig {
  port: number;
  databaseUrl: string;
  databaseAuthToken: string | undefined;
  /** Where the published site (manifest and objects) lives on Node. */
  publicDir: string;
  page: {
    name: string;
    /** Public base URL of the status page, without a trailing slash. */
    url: string;
    /** IANA zone the page shows times in, e.g. Europe/Berlin. */
    timeZone: string;
    /** POSTMORTEM_SHOW_OWNERS: published action items name their owners (`@bob`); off by default. */
    showOwners: boolean;
    /** PAGE_ACCENT, PAGE_LOGO, PAGE_FAVICON (api/brand.ts); absent: Herald's own look. */
    brand?: PageBrand;
    /** PAGE_LOCALE (BCP 47, default en): the language of every word Herald writes to customers. */
    locale: string;
    /** That locale's catalogue (locales/<locale>.json), complete (checked here). */
    messages: Catalogue;
  };
  webhooks: {
    /** WEBHOOK_ALLOW_LOOPBACK=1: endpoints on this machine (http or https) are accepted; for tests and local development only. */
    allowLoopback: boolean;
    /** WEBHOOK_TIMEOUT_MS: a delivery slower than this is a failure (default 30 s, Statuspage's). */
    timeoutMs: number;
  };
  /** PAGERDUTY_WEBHOOK_SECRET: when set, PagerDuty webhooks must carry its X-PagerDuty-Signature. */
  alerts?: { pagerdutySecret: string | null };
  /** ACTION_DIGEST: when the weekly action-item digest goes to the team channel (default Monday 09:00, page's zone); null: off. */
  actionDigest?: DigestSchedule | null;
}

/** Wrong configuration: the start stops with this one line, which names the variable. */
export class ConfigError extends Error {}

export function readConfig(env: Readonly<Record<string, string | undefined>>): HeraldConfig {
  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT must be a port number, got "${env.PORT}".`);
  const timeZone = env.PAGE_TIME_ZONE || "Etc/UTC";
  if (!isTimeZone(timeZone)) throw new ConfigError(`PAGE_TIME_ZONE must be an IANA time zone such as Europe/Berlin, got "${timeZone}".`);
  const url = (env.PAGE_URL || `http://localhost:${port}`).replace(/\/+$/, "");
  if (!isHttpUrl(url)) throw new ConfigError(`PAGE_URL must be an http(s) URL such as https://status.example.com, got "${env.PAGE_URL}".`);
  const databaseUrl = env.DATABASE_URL || "file:data/herald.db";
  if (!/^(file:.+|(libsql|https?|wss?):\/\/[^\s/?#]+.*)$/.test(databaseUrl) || /\s/.test(databaseUrl)) {
    throw new ConfigError(`DATABASE_URL must be a libSQL URL (file:path, libsql://host, https://host), got "${redactSecrets(databaseUrl)}".`);
  }
  const showOwners = env.POSTMORTEM_SHOW_OWNERS?.trim().toLowerCase() ?? "";
  if (!["", "true", "false", "1", "0", "yes", "no"].includes(showOwners)) {
    throw new ConfigError(`POSTMORTEM_SHOW_OWNERS must be true or false, got "${env.POSTMORTEM_SHOW_OWNERS}".`);
  }
  const webhookTimeoutMs = Number(env.WEBHOOK_TIMEOUT_MS || 30_000);
  if (!Number.isInteger(webhookTimeoutMs) || webhookTimeoutMs < 1 || webhookTimeoutMs > 120_000) {
    throw new ConfigError(`WEBHOOK_TIMEOUT_MS must be a number of milliseconds from 1 to 120000, got "${env.WEBHOOK_TIMEOUT_MS}".`);
  }
  let brand: PageBrand;
  try {
    brand = readBrand(env);
  } catch (error) {
    if (error instanceof BrandError) throw new ConfigError(error.message);
    throw error;
  }
  let language: { locale: string; messages: Catalogue };
  try {
    language = catalogueFor(env.PAGE_LOCALE?.trim() || "en");
  } catch (error) {
    if (error instanceof LocaleError) throw new ConfigError(error.message);
    throw error;
  }
  const actionDigest = env.ACTION_DIGEST?.trim() ? parseDigestSchedule(env.ACTION_DIGEST) : DEFAULT_DIGEST;
  if (actionDigest === undefined) {
    throw new ConfigError(`ACTION_DIGEST must be a weekday and a time in the page's zone such as "Monday 09:00", or "off", got "${env.ACTION_DIGEST}".`);
  }
  return {
    port,
    databaseUrl,
    databaseAuthToken: env.DATABASE_AUTH_TOKEN || undefined,
    publicDir: env.PUBLIC_DIR || "data/public",
    page: { name: env.PAGE_NAME || "Herald Status", url, timeZone, showOwners: ["true", "1", "yes"].includes(showOwners), brand, ...language },
    webhooks: { allowLoopback: env.WEBHOOK_ALLOW_LOOPBACK === "1", timeoutMs: webhookTimeoutMs },
    alerts: { pagerdutySecret: env.PAGERDUTY_WEBHOOK_SECRET?.trim() || null },
    actionDigest,
  };
}

/** Fewer characters than this is a secret someone typed, not one that was generated. */
export const MIN_SECRET_LENGTH = 32;

/**
 * The settings read beside the configuration (mail, limits, the team channel), checked before the
 * server listens so that a typo stops the start with one line naming the variable, instead of
 * surfacing later as an outage. `mailToFiles`: this runtime can write .eml files without Resend.
 */
export function checkEnvironment(env: Readonly<Record<string, string | undefined>>, runtime: { mailToFiles: boolean }): void {
  const resend = env.RESEND_API_KEY?.trim();
  const secret = env.HERALD_SECRET ?? "";
  if (!resend && !runtime.mailToFiles) throw new ConfigError("RESEND_API_KEY must be set: this runtime cannot write mail to files.");
  const logo = env.PAGE_LOGO_URL?.trim();
  // Mail clients load images over https only, and a logo must not carry quotes into the markup.
  if (logo && (!/^https:\/\/[^\s"'<>]+$/.test(logo) || !URL.canParse(logo))) {
    throw new ConfigError(`PAGE_LOGO_URL must be an https URL of an image, got "${logo}".`);
  }
  if (resend && !secret) throw new ConfigError("HERALD_SECRET must be set when RESEND_API_KEY is (it signs confirmation and unsubscribe links); make one with: openssl rand -base64 32");
  if (secret && secret.length < MIN_SECRET_LENGTH) {
    throw new ConfigError(`HERALD_SECRET is too weak: it must be at least ${MIN_SECRET_LENGTH} characters (make one with: openssl rand -base64 32).`);
  }
  if (env.EMAIL_FROM && !isFromHeader(env.EMAIL_FROM)) {
    throw new ConfigError(`EMAIL_FROM must be an address or "Name <address>", got "${env.EMAIL_FROM}".`);
  }
  if (env.SUPPORT_EMAIL?.trim() && normalizeEmail(env.SUPPORT_EMAIL) === null) {
    throw new ConfigError(`SUPPORT_EMAIL must be an e-mail address such as support@example.com, got "${env.SUPPORT_EMAIL}".`);
  }
  positive(env, "MAIL_RATE_LIMIT", (n) => n > 0, "a positive number of requests per second");
  positive(env, "MAIL_TIMEOUT_MS", (n) => Number.isInteger(n) && n > 0, "a positive number of milliseconds");
  positive(env, "SUBSCRIBE_LIMIT_PER_IP", (n) => Number.isInteger(n) && n > 0, "a positive whole number");
  positive(env, "SUBSCRIBE_LIMIT_PER_ADDRESS", (n) => Number.isInteger(n) && n > 0, "a positive whole number");
  positive(env, "RESPONSE_CHECK_INTERVAL_MS", (n) => Number.isInteger(n) && n >= 0, "a number of milliseconds (0: never)");
  if (env.SLACK_WEBHOOK_URL?.trim() && !isHttpUrl(env.SLACK_WEBHOOK_URL.trim())) {
    throw new ConfigError("SLACK_WEBHOOK_URL must be an http(s) URL (a Slack incoming webhook).");
  }
}

function positive(env: Readonly<Record<string, string | undefined>>, name: string, ok: (n: number) => boolean, what: string): void {
  const raw = env[name];
  if (raw === undefined || raw === "") return;
  if (!/^\s*\d+(\.\d+)?\s*$/.test(raw) || !ok(Number(raw))) throw new ConfigError(`${name} must be ${what}, got "${raw}".`);
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === "https:" || url.protocol === "http:") && url.hostname !== "" && !/\s/.test(text);
  } catch {
    return false;
  }
}

/** `status@example.com` or `Example Status <status@example.com>`. */
function isFromHeader(text: string): boolean {
  if (/[\r\n]/.test(text)) return false;
  const named = /^\s*([^<>]*?)\s*<([^<>\s]+)>\s*$/.exec(text);
  return normalizeEmail(named ? named[2]! : text) !== null;
}

/** Credentials a libSQL URL may carry are never printed. */
export function redactSecrets(text: string): string {
  return text.replace(/(authToken|token|password)=[^&\s]+/gi, "$1=…");
}

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
