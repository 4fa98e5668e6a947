import { readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

/**
 * The Worker bundles api/worker.ts and everything it imports from this repository: none of those
 * files may import `node:*` (workerd has only part of Node, and the shared app must not depend on
 * it) or the native `libsql` driver (db/embedded-client.ts). Node-only modules stay behind the Node
 * entry (api/node.ts → api/server.ts).
 */
const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|(?:^|\n)\s*import\s+["']([^"']+)["']/g;

function reachableFrom(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const queue = [resolve(ROOT, entry)];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    const source = readFileSync(file, "utf8");
    const specifiers = [...source.matchAll(IMPORT)].map((m) => (m[1] ?? m[2] ?? m[3])!);
    seen.set(file, specifiers);
    for (const spec of specifiers) {
      if (spec.startsWith(".") && /\.(ts|mjs|js)$/.test(spec)) queue.push(resolve(dirname(file), spec));
    }
  }
  return seen;
}

/** Native database drivers: workerd cannot load them, and the bundle then fails at its start. */
const NATIVE = /^(libsql|better-sqlite3)(\/|$)/;

test("nothing the Worker bundles from this repository imports node:* or a native driver", () => {
  const files = reachableFrom("api/worker.ts");
  // The walk must really follow the app (so this test can fail): the app, the mail, the publisher.
  const names = [...files.keys()].map((f) => relative(ROOT, f));
  for (const expected of ["api/app.ts", "api/mail/sender.ts", "site/publish/publisher.ts", "api/webhooks/sender.ts", "api/internal/index.ts"]) {
    expect(names).toContain(expected);
  }
  expect(names).not.toContain("api/server.ts");
  const offenders = [...files].flatMap(([file, specs]) => specs.filter((s) => s.startsWith("node:") || NATIVE.test(s)).map((s) => `${relative(ROOT, file)} imports ${s}`));
  expect(offenders).toEqual([]);
});
