/**
 * Cloudflare Workers entry: the same app, schema, templates and site as on Node (api/server.ts);
 * it chooses the parts — Turso through `@libsql/client/web`, the published site in an R2 bucket
 * (binding SITE; the build's CSS from Workers Static Assets, ASSETS), the Astro build bundled and
 * rendered in the Worker, the publish Queue (PUBLISH_QUEUE) and cron-driven senders — and
 * api/runtime/worker-host.ts runs them. See wrangler.toml and the README's "Deploying to
 * Cloudflare Workers".
 */
import { createClient } from "@libsql/client/web";
import siteBuild from "herald:site-build";
import languages from "herald:languages";
import { app as astroApp } from "herald:site-app";
import customerNotice from "../templates/customer-notice.md";
import postmortemNotice from "../templates/postmortem-notice.md";
import internalUpdate from "../templates/internal-update.md";
import webhookQuarantine from "../templates/webhook-quarantine.md";
import { createDatabase } from "../db/database.ts";
import { ensurePage } from "../db/queries/page.ts";
import { newId } from "../domain/ids.ts";
import { createSiteRenderer } from "../site/renderer.ts";
import { BucketSite, type Bucket } from "../site/publish/store-bucket.ts";
import { setTemplateSource } from "../templates/source.ts";
import { setCatalogueSource } from "../locales/catalogues.ts";
import { systemClock } from "./clock.ts";
import { checkEnvironment, ConfigError, readConfig } from "./config.ts";
import { assembleHerald, checkTemplates } from "./runtime/herald.ts";
import { cloudflareClientIp, workerHandlers, type PublishMessage } from "./runtime/worker-host.ts";

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

const log = (line: string) => console.log(line);

/** Every template file the app reads, bundled as text (a Worker has no files). */
const TEMPLATES: Readonly<Record<string, string>> = {
  "customer-notice.md": customerNotice,
  "postmortem-notice.md": postmortemNotice,
  "internal-update.md": internalUpdate,
  "webhook-quarantine.md": webhookQuarantine,
  // templates/<locale>/*.md, gathered by site/build.ts.
  ...languages.templates,
};
setCatalogueSource(languages.catalogues);
setTemplateSource((file) => {
  const text = TEMPLATES[file];
  if (text === undefined) throw new Error(`templates/${file} is not bundled into the Worker (add it to TEMPLATES in api/worker.ts)`);
  return text;
});
/** Checked when the isolate starts: a broken template keeps the API from sending (logged at once), while the page stays up. */
const templateProblem = (() => {
  try {
    checkTemplates();
    return null;
  } catch (error) {
    return error as Error;
  }
})();

let site: BucketSite | null = null;
const siteOf = (env: WorkerEnv) => (site ??= new BucketSite(env.SITE));

export default workerHandlers<WorkerEnv>({
  log,
  site: siteOf,
  assets: (env) => env.ASSETS,
  publishQueue: (env) => env.PUBLISH_QUEUE,
  async open(env, queued) {
    if (templateProblem) throw templateProblem;
    const vars = env as unknown as Record<string, string | undefined>;
    if (!env.DATABASE_URL) throw new ConfigError("DATABASE_URL must be set (libsql://<database>.turso.io).");
    const config = readConfig(vars);
    checkTemplates(config.page.locale);
    checkEnvironment(vars, { mailToFiles: false });
    for (const [variable, asset] of [["PAGE_LOGO", config.page.brand?.logo], ["PAGE_FAVICON", config.page.brand?.favicon]] as const) {
      if (asset?.source) throw new ConfigError(`${variable} must be an https URL on Workers: there is no data directory to copy "${asset.source}" from.`);
    }
    const db = createDatabase(createClient({ url: env.DATABASE_URL, authToken: env.DATABASE_AUTH_TOKEN || undefined }));
    const pageId = await db.write((tx) => ensurePage(tx, newId(), new Date().toISOString()));
    return assembleHerald({
      db, pageId, config, env: vars, clock: systemClock, log, ...queued,
      site: siteOf(env),
      renderer: createSiteRenderer(astroApp, siteBuild.buildId),
      stylesheet: () => siteBuild.stylesheet,
      clientIp: cloudflareClientIp,
    });
  },
});
