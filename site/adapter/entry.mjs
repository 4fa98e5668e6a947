// Server entry of the herald adapter (see astro.config.mjs): the built module exports `app`,
// which site/render.ts imports once and calls per route. No server, no streaming.
import { createApp } from "astro/app/entrypoint";

export const app = createApp({ streaming: false });
