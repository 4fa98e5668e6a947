// @ts-check
/**
 * Astro builds the status page ONCE (`npm run build:site`) as a server app with a tiny in-house
 * adapter. Our publisher imports the compiled entry (dist/site/server/entry.mjs) and renders only
 * the routes a write changed, writing them out as static files (see site/render.ts).
 */
import { defineConfig } from "astro/config";

/** Exposes `app` from the compiled entry so our own process can call `app.render(request, { locals })`. */
function heraldAdapter() {
  return {
    name: "herald-adapter",
    hooks: {
      "astro:config:done": ({ setAdapter }) =>
        setAdapter({
          name: "herald-adapter",
          entrypointResolution: "auto",
          serverEntrypoint: new URL("./site/adapter/entry.mjs", import.meta.url),
          supportedAstroFeatures: {
            serverOutput: "stable",
            staticOutput: "stable",
            hybridOutput: "stable",
            sharpImageService: "unsupported",
          },
          adapterFeatures: { buildOutput: "server" },
        }),
    },
  };
}

export default defineConfig({
  srcDir: "./site",
  outDir: "./dist/site",
  output: "server",
  adapter: heraldAdapter(),
  trailingSlash: "never",
  // Hashed CSS files under dist/site/client/_astro/, linked with <link>: the CSP allows
  // style-src 'self' only, so nothing may be inlined.
  build: { format: "file", inlineStylesheets: "never" },
  image: { service: { entrypoint: "astro/assets/services/noop" } },
  devToolbar: { enabled: false },
  vite: { ssr: { noExternal: true }, build: { assetsInlineLimit: 0 } },
});
