/**
 * The status page renderer: loads the Astro build (dist/site, made once by `npm run build:site`)
 * and renders any route to an HTML string from RouteData, in-process and in milliseconds.
 * The publisher (site/publish/) writes the results out as static files next to `assetsDir`.
 *
 *   const site = await loadSiteRenderer();            // once
 *   const html = await site.render("/", { route: "home", snapshot });
 *   // publish every file under site.assetsDir too (hashed CSS under /_astro/, immutable)
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import type { RouteData } from "./lib/snapshot.ts";

export interface SiteRenderer {
  /** HTML of one route. Throws when the route does not exist or the page fails (with the page's error as `cause`). */
  render(pathname: string, locals: RouteData): Promise<string>;
  /** Absolute path of dist/site/client: files to publish alongside the pages, under the same paths. */
  assetsDir: string;
  /** Hash of every file of the build: changes whenever the site's code or styles change. */
  buildId: string;
}

interface AstroApp {
  render(request: Request, options?: { locals?: object }): Promise<Response>;
}

/** Must match site/middleware.ts. */
const RENDER_ERROR = Symbol.for("herald.renderError");
/** Requests are only matched against routes; the origin is never shown (absolute links use snapshot.page.url). */
const ORIGIN = "http://herald.invalid";

/** Every file below a directory, in name order (a missing directory has none). */
export function* walk(dir: string): Generator<string> {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile()) yield path;
  }
}

function hashBuild(distDir: string): string {
  const hash = createHash("sha256");
  for (const file of walk(distDir)) {
    hash.update(relative(distDir, file).split(sep).join("/")).update("\0").update(readFileSync(file)).update("\0");
  }
  return hash.digest("hex").slice(0, 16);
}

/** Loads the built site once; `distDir` is Astro's outDir (relative to the working directory or absolute). */
export async function loadSiteRenderer(distDir = "dist/site"): Promise<SiteRenderer> {
  const dist = resolve(distDir);
  const entry = join(dist, "server", "entry.mjs");
  if (!existsSync(entry)) {
    throw new Error(`No status page build at ${entry}: run \`npm run build:site\` first.`);
  }
  const mod = (await import(pathToFileURL(entry).href)) as { app?: AstroApp };
  const app = mod.app;
  if (!app || typeof app.render !== "function") throw new Error(`${entry} does not export the herald adapter's \`app\`.`);
  const assetsDir = join(dist, "client");

  async function render(pathname: string, locals: RouteData): Promise<string> {
    if (!pathname.startsWith("/")) throw new Error(`Cannot render "${pathname}": the path must start with "/".`);
    // A copy: Astro may add to locals, and the middleware leaves a failing page's error on it.
    const pageLocals: RouteData & { [RENDER_ERROR]?: unknown } = { ...locals };
    const response = await app!.render(new Request(ORIGIN + pathname), { locals: pageLocals });
    if (response.status !== 200) {
      await response.body?.cancel();
      const cause = pageLocals[RENDER_ERROR];
      const why = cause instanceof Error ? `: ${cause.message}` : response.status === 404 ? ": no such route" : "";
      throw new Error(`Rendering ${pathname} (route "${locals.route}") failed with HTTP ${response.status}${why}`, { cause });
    }
    return response.text();
  }

  return { render, assetsDir, buildId: hashBuild(dist) };
}
