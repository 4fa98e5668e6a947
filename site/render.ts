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
import { contentTypeOf } from "./publish/publisher.ts";
import type { FileToPublish } from "./publish/manifest.ts";
import { createSiteRenderer, type AstroApp, type SiteRenderer as RouteRenderer } from "./renderer.ts";

/** The file with the build id, written next to the build by site/build.ts (the Worker imports it). */
export const BUILD_ID_FILE = "build-id.json";

export interface SiteRenderer extends RouteRenderer {
  /** Absolute path of dist/site/client: files to publish alongside the pages, under the same paths. */
  assetsDir: string;
  assets(): Iterable<FileToPublish>;
}

/** Every file below a directory, in name order (a missing directory has none). */
export function* walk(dir: string): Generator<string> {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile()) yield path;
  }
}

/** Hash of every file of the build (but the id file itself). */
export function hashBuild(distDir: string): string {
  const hash = createHash("sha256");
  for (const file of walk(distDir)) {
    if (relative(distDir, file) === BUILD_ID_FILE) continue;
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

  const renderer = createSiteRenderer(app, hashBuild(dist));
  return {
    ...renderer,
    assetsDir,
    *assets() {
      for (const file of walk(assetsDir)) {
        const path = "/" + relative(assetsDir, file).split(sep).join("/");
        yield { path, body: readFileSync(file), contentType: contentTypeOf(path), immutable: path.startsWith("/_astro/") };
      }
    },
  };
}
