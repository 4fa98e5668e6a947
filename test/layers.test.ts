/**
 * The folders are the layers (README, "How it is built"): each may import only the ones below it,
 * and no file imports itself back through a circle. This reads every import of every source file
 * and fails on the first edge that breaks the rule, naming it.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
const SKIP = new Set(["node_modules", "dist", "data", ".astro", ".wrangler", "test-output", ".git"]);
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']|(?:^|\n)\s*import\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) sourceFiles(path, out);
    else if (/\.(ts|mjs|astro)$/.test(entry.name)) out.push(relative(ROOT, path));
  }
  return out;
}

interface Edge {
  from: string;
  /** A repository path (relative imports) or a package name. */
  to: string;
  local: boolean;
}

function importsOf(file: string): Edge[] {
  let source = readFileSync(join(ROOT, file), "utf8");
  // An .astro file's imports are in its frontmatter.
  if (file.endsWith(".astro")) source = /^---\n([\s\S]*?)\n---/.exec(source)?.[1] ?? "";
  return [...source.matchAll(IMPORT)].map((m) => {
    const spec = (m[1] ?? m[2] ?? m[3])!;
    if (!spec.startsWith(".")) return { from: file, to: spec, local: false };
    return { from: file, to: relative(ROOT, resolve(ROOT, dirname(file), spec)), local: true };
  });
}

const files = sourceFiles(ROOT);
const edges = files.flatMap(importsOf);
const isTest = (file: string) => /\.test\.ts$/.test(file);

/** The layer of a repository path, bottom first. */
const LAYERS = ["domain", "db", "locales", "templates", "api", "site", "runtime", "bin"] as const;
type Layer = (typeof LAYERS)[number] | "outside";
function layerOf(path: string): Layer {
  // Where the runtime parts meet: the entries and api/runtime/ may import the site (the publisher).
  if (/^api\/(runtime\/|server\.ts$|worker\.ts$|worker-modules\.d\.ts$|node\.ts$)/.test(path)) return "runtime";
  const top = path.split("/")[0]!;
  return (LAYERS as readonly string[]).includes(top) ? (top as Layer) : "outside";
}

describe("the layers", () => {
  test("the walk really reads the tree (so this test can fail)", () => {
    expect(files).toContain("domain/lifecycle.ts");
    expect(files).toContain("site/pages/index.astro");
    expect(edges.some((e) => e.from === "api/app.ts" && e.to.startsWith("api/routes/"))).toBe(true);
  });

  test("domain/ imports nothing but domain/: no other folder of Herald's, no package, no node:*", () => {
    const offenders = edges
      .filter((e) => e.from.startsWith("domain/"))
      .filter((e) => (e.local ? !e.to.startsWith("domain/") : !(isTest(e.from) && e.to === "vitest")))
      .map((e) => `${e.from} imports ${e.to}`);
    expect(offenders).toEqual([]);
  });

  test("each folder imports only the folders below it (domain < db < locales < templates < api < site < runtime < bin)", () => {
    const offenders = edges
      .filter((e) => e.local && !isTest(e.from))
      .filter((e) => {
        const from = layerOf(e.from);
        const to = layerOf(e.to);
        if (from === "outside") return false; // test/, bench/ and config files may use anything
        return to === "outside" ? !/^templates\/.*\.md$/.test(e.to) : LAYERS.indexOf(to) > LAYERS.indexOf(from);
      })
      .map((e) => `${e.from} (${layerOf(e.from)}) imports ${e.to} (${layerOf(e.to)})`);
    expect(offenders).toEqual([]);
  });

  test("no framework below api/: domain, db and templates know nothing of hono or astro", () => {
    const offenders = edges
      .filter((e) => !e.local && ["domain", "db", "locales", "templates"].includes(layerOf(e.from)))
      .filter((e) => /^(hono|@hono\/|astro)/.test(e.to))
      .map((e) => `${e.from} imports ${e.to}`);
    expect(offenders).toEqual([]);
  });

  test("no circle of imports anywhere", () => {
    const graph = new Map<string, string[]>();
    for (const e of edges) if (e.local) graph.set(e.from, [...(graph.get(e.from) ?? []), e.to]);
    const circles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const stack: string[] = [];
    const visit = (file: string) => {
      state.set(file, "open");
      stack.push(file);
      for (const next of graph.get(file) ?? []) {
        if (state.get(next) === "open") circles.push([...stack.slice(stack.indexOf(next)), next].join(" → "));
        else if (!state.has(next)) visit(next);
      }
      stack.pop();
      state.set(file, "done");
    };
    for (const file of files) if (!state.has(file)) visit(file);
    expect(circles).toEqual([]);
  });
});
