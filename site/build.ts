/**
 * Builds the Astro status page (dist/site) when it is missing or older than its sources. Used by
 * `npm start` (so a fresh clone needs no extra step) and by the test suite's global setup.
 * Run directly (`node site/build.ts`) it builds if needed and exits.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { BUILD_ID_FILE, hashBuild } from "./render.ts";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const ENTRY = join(ROOT, "dist", "site", "server", "entry.mjs");
/** Held while building, so two test runs started together do not write dist/site at once. */
const LOCK = join(ROOT, "dist", ".site-build.lock");
const LOCK_STALE_MS = 5 * 60_000;
/** What the build reads: the site, the code it imports, its config and the locked dependencies. */
const INPUTS = ["site", "templates", "api", "domain", "locales", "db/records.ts", "astro.config.mjs", "package-lock.json"];
/** Every catalogue and every locale's own templates, gathered for the Worker (it has no files to read). */
export const LANGUAGES_FILE = "languages.json";

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return path.endsWith(".test.ts") ? 0 : stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** Why the build must run, or null when it is up to date. */
export function staleReason(): string | null {
  if (!existsSync(ENTRY)) return "no build yet";
  // A build made by `astro build` alone lacks the id the Worker bundles (wrangler.toml's alias).
  if (!existsSync(join(ROOT, "dist", "site", BUILD_ID_FILE))) return "no build id";
  if (!existsSync(join(ROOT, "dist", "site", LANGUAGES_FILE))) return "no languages file";
  const built = statSync(ENTRY).mtimeMs;
  for (const input of INPUTS) {
    if (newestMtime(join(ROOT, input)) > built) return `${input} changed`;
  }
  return null;
}

export function buildSite(): void {
  const astro = join(ROOT, "node_modules", "astro", "bin", "astro.mjs");
  const result = spawnSync(process.execPath, [astro, "build"], {
    cwd: ROOT,
    env: { ...process.env, ASTRO_TELEMETRY_DISABLED: "1" },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(`astro build failed (exit ${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
  }
  // The Worker bundles the build and cannot hash it at run time: it imports this id instead.
  const dist = join(ROOT, "dist", "site");
  const stylesheet = readdirSync(join(dist, "client", "_astro")).find((name) => name.endsWith(".css"));
  writeFileSync(join(dist, BUILD_ID_FILE), JSON.stringify({ buildId: hashBuild(dist), stylesheet: stylesheet ? `/_astro/${stylesheet}` : null }) + "\n");
  writeFileSync(join(dist, LANGUAGES_FILE), JSON.stringify(gatherLanguages()) + "\n");
}

/** locales/*.json and templates/<locale>/*.md, as the Worker registers them (api/worker.ts). */
export function gatherLanguages(): { catalogues: Record<string, unknown>; templates: Record<string, string> } {
  const catalogues: Record<string, unknown> = {};
  for (const name of readdirSync(join(ROOT, "locales")).filter((n) => n.endsWith(".json")).sort()) {
    catalogues[name.slice(0, -".json".length)] = JSON.parse(readFileSync(join(ROOT, "locales", name), "utf8"));
  }
  const templates: Record<string, string> = {};
  const dir = join(ROOT, "templates");
  for (const locale of readdirSync(dir).filter((n) => statSync(join(dir, n)).isDirectory()).sort()) {
    for (const file of readdirSync(join(dir, locale)).filter((n) => n.endsWith(".md")).sort()) {
      templates[`${locale}/${file}`] = readFileSync(join(dir, locale, file), "utf8");
    }
  }
  return { catalogues, templates };
}

function tryLock(): boolean {
  mkdirSync(join(ROOT, "dist"), { recursive: true });
  try {
    mkdirSync(LOCK);
    return true;
  } catch {
    // A lock left by a killed run is taken over after a while.
    const held = statSync(LOCK, { throwIfNoEntry: false });
    if (held && Date.now() - held.mtimeMs > LOCK_STALE_MS) rmSync(LOCK, { recursive: true, force: true });
    return false;
  }
}

/** Builds dist/site unless it is up to date; safe to call from several processes at once. */
export async function ensureSiteBuilt(log: (line: string) => void = console.log): Promise<void> {
  if (staleReason() === null) return;
  while (!tryLock()) await new Promise((resolve) => setTimeout(resolve, 250));
  try {
    const reason = staleReason(); // another run may have built it meanwhile
    if (reason === null) return;
    const started = performance.now();
    buildSite();
    log(`built the status page (${reason}) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  await ensureSiteBuilt((line) => console.error(line));
}
