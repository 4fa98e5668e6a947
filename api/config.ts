/**
 * Herald's configuration, read from environment variables (see the README's table).
 * Pure: it takes the environment as an argument so the Node and Worker entries share it.
 */
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
  };
  webhooks: {
    /** WEBHOOK_ALLOW_LOOPBACK=1: endpoints on this machine (http or https) are accepted; for tests and local development only. */
    allowLoopback: boolean;
    /** WEBHOOK_TIMEOUT_MS: a delivery slower than this is a failure (default 30 s, Statuspage's). */
    timeoutMs: number;
  };
}

export class ConfigError extends Error {}

export function readConfig(env: Readonly<Record<string, string | undefined>>): HeraldConfig {
  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT must be a port number, got "${env.PORT}".`);
  const timeZone = env.PAGE_TIME_ZONE || "Etc/UTC";
  if (!isTimeZone(timeZone)) throw new ConfigError(`PAGE_TIME_ZONE must be an IANA time zone such as Europe/Berlin, got "${timeZone}".`);
  const url = (env.PAGE_URL || `http://localhost:${port}`).replace(/\/+$/, "");
  if (!/^https?:\/\/[^\s/]+/.test(url)) throw new ConfigError(`PAGE_URL must be an http(s) URL, got "${env.PAGE_URL}".`);
  const webhookTimeoutMs = Number(env.WEBHOOK_TIMEOUT_MS || 30_000);
  if (!Number.isInteger(webhookTimeoutMs) || webhookTimeoutMs < 1 || webhookTimeoutMs > 120_000) {
    throw new ConfigError(`WEBHOOK_TIMEOUT_MS must be a number of milliseconds from 1 to 120000, got "${env.WEBHOOK_TIMEOUT_MS}".`);
  }
  return {
    port,
    databaseUrl: env.DATABASE_URL || "file:data/herald.db",
    databaseAuthToken: env.DATABASE_AUTH_TOKEN || undefined,
    publicDir: env.PUBLIC_DIR || "data/public",
    page: { name: env.PAGE_NAME || "Herald Status", url, timeZone },
    webhooks: { allowLoopback: env.WEBHOOK_ALLOW_LOOPBACK === "1", timeoutMs: webhookTimeoutMs },
  };
}

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
