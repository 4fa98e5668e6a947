// Modules wrangler provides when it bundles api/worker.ts (see [alias] and [[rules]] in wrangler.toml).

/** The Astro build's server entry (dist/site/server/entry.mjs, made by `npm run build:site`). */
declare module "herald:site-app" {
  export const app: import("../site/renderer.ts").AstroApp;
}

/** dist/site/build-id.json, written by site/build.ts next to the build. */
declare module "herald:site-build" {
  const build: { buildId: string; stylesheet: string | null };
  export default build;
}

/** dist/site/languages.json, written by site/build.ts: every catalogue (locales/*.json) and locale template (templates/<locale>/*.md). */
declare module "herald:languages" {
  const languages: { catalogues: Record<string, unknown>; templates: Record<string, string> };
  export default languages;
}

/** Template files, bundled as text. */
declare module "*.md" {
  const text: string;
  export default text;
}
