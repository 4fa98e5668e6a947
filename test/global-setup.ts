/**
 * vitest globalSetup: builds the Astro status page (dist/site) once per test run when it is
 * missing or older than its sources, so tests that render pages always use a build of the
 * current code. CI starts from a clean clone: it builds.
 */
import { ensureSiteBuilt } from "../site/build.ts";

export async function setup(): Promise<void> {
  await ensureSiteBuilt((line) => console.log(`[global-setup] ${line}`));
}
