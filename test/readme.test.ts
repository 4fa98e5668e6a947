/**
 * The README stands alone in a clone: every relative link points at a file in the repository,
 * and nothing points outside it (a clone has no `../shared/`).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Marked, type Token } from "marked";
import { describe, expect, test } from "vitest";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
const DOCS = ["README.md", "docs/incident-practice.md"];

function links(tokens: Token[] | undefined, out: string[] = []): string[] {
  for (const token of tokens ?? []) {
    if (token.type === "link" || token.type === "image") out.push((token as { href: string }).href);
    const nested = token as { tokens?: Token[]; items?: Token[] };
    links(nested.tokens, out);
    links(nested.items, out);
    if (token.type === "table") {
      const table = token as unknown as { header: { tokens: Token[] }[]; rows: { tokens: Token[] }[][] };
      for (const cell of [...table.header, ...table.rows.flat()]) links(cell.tokens, out);
    }
  }
  return out;
}

describe.each(DOCS)("%s", (doc) => {
  const text = readFileSync(join(ROOT, doc), "utf8");

  test("every relative link names a file in the repository", () => {
    const relative = links(new Marked().lexer(text)).filter((href) => !/^[a-z][a-z0-9+.-]*:/i.test(href) && !href.startsWith("#"));
    for (const href of relative) {
      const target = resolve(dirname(join(ROOT, doc)), decodeURIComponent(href.split("#")[0]!));
      expect(target.startsWith(ROOT + "/"), `${href} leaves the repository`).toBe(true);
      expect(existsSync(target), `${href} does not exist`).toBe(true);
    }
  });

  test("nothing outside the repository is referred to", () => {
    expect(text).not.toMatch(/\.\.\/shared\//);
  });
});
