/**
 * The page in every shipped locale in Debian's Chromium: axe clean in light and dark, nothing
 * wider than the window on a phone or a desktop, the header's items side by side without
 * overlapping, and Arabic laid out right to left (the brand at the right, the navigation after it
 * to its left). Pages are rendered by the real site renderer and served to the browser from memory.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { buildFixture } from "../site/fixtures/snapshot.ts";
import { loadSiteRenderer, type SiteRenderer } from "../site/render.ts";
import type { RouteData } from "../site/lib/snapshot.ts";
import { SHIPPED_LOCALES } from "../locales/catalogues.ts";
import { CHROMIUM, CHROMIUM_ARGS, expectAxeClean } from "./axe.ts";
import { catalogue, neutralSnapshot } from "./locale-surfaces.ts";

const ORIGIN = "http://herald.test";
const OUTPUT = join(import.meta.dirname, "..", "test-output");
const VIEWPORTS = { desktop: { width: 1280, height: 900 }, phone: { width: 360, height: 740 } } as const;
const FAVICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="8" fill="#1a7f37"/></svg>';

let site: SiteRenderer;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run \`bash bin/ensure-chromium.sh\` as root (npm test runs it first).`);
  site = await loadSiteRenderer();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 20_000 });
  mkdirSync(OUTPUT, { recursive: true });
}, 30_000);

afterAll(async () => {
  await browser?.close();
});

/** Where the header's items are, and whether anything is wider than the window. */
async function layout(page: Page): Promise<{ dir: string; overflow: number; boxes: { name: string; left: number; right: number; top: number; bottom: number }[] }> {
  return page.evaluate(() => {
    const box = (name: string, el: Element | null) => {
      const r = el!.getBoundingClientRect();
      return { name, left: r.left, right: r.right, top: r.top, bottom: r.bottom };
    };
    const links = [...document.querySelectorAll("header.site nav a")];
    return {
      dir: getComputedStyle(document.documentElement).direction,
      overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      boxes: [box("brand", document.querySelector("header.site .brand")), ...links.map((a, i) => box(`nav ${i}`, a)), box("subscribe", document.querySelector("header.site .cta"))],
    };
  });
}

const overlaps = (a: { left: number; right: number; top: number; bottom: number }, b: typeof a): boolean =>
  a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;

describe.each(SHIPPED_LOCALES)("%s in Chromium", (locale) => {
  const pages = new Map<string, string>();

  beforeAll(async () => {
    const fixture = buildFixture();
    const neutral = neutralSnapshot(fixture.snapshot, locale, fixture.resolved.id);
    // People's words stay in the fixture's English here: a real page mixes them with the locale's.
    const snapshot = { ...fixture.snapshot, page: neutral.snapshot.page };
    const routes: [string, RouteData][] = [
      ["/", { route: "home", snapshot }],
      ["/incidents/x", { route: "incident", snapshot, incident: fixture.resolved }],
      ["/history", { route: "history", snapshot, month: fixture.history(fixture.months[0]!), months: fixture.months }],
    ];
    for (const [path, locals] of routes) pages.set(path, await site.render(path, locals));
  });

  test.each(Object.keys(VIEWPORTS) as (keyof typeof VIEWPORTS)[])("on a %s: axe clean in light and dark, nothing overflows, the header's items never overlap", async (viewport) => {
    for (const scheme of ["light", "dark"] as const) {
      const context = await browser.newContext({ viewport: VIEWPORTS[viewport], colorScheme: scheme });
      const problems: string[] = [];
      await context.route("**/*", (route) => {
        const url = new URL(route.request().url());
        if (url.origin !== ORIGIN) return route.abort("blockedbyclient");
        if (pages.has(url.pathname)) return route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", body: pages.get(url.pathname)! });
        if (url.pathname.startsWith("/_astro/")) return route.fulfill({ status: 200, contentType: "text/css", body: readFileSync(join(site.assetsDir, url.pathname)) });
        if (/^\/favicon-\w+\.svg$/.test(url.pathname)) return route.fulfill({ status: 200, contentType: "image/svg+xml", body: FAVICON });
        problems.push(`unexpected request: ${url.pathname}`);
        return route.fulfill({ status: 404, body: "" });
      });
      const page = await context.newPage();
      page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
      try {
        for (const path of pages.keys()) {
          await page.goto(`${ORIGIN}${path}`, { waitUntil: "load" });
          const where = `${locale} ${path} ${viewport} ${scheme}`;
          expect(await page.getAttribute("html", "lang"), where).toBe(locale);
          const { dir, overflow, boxes } = await layout(page);
          expect(dir, where).toBe(locale === "ar" ? "rtl" : "ltr");
          expect(overflow, `${where}: wider than the window by ${overflow} px`).toBeLessThanOrEqual(0);
          for (let i = 0; i < boxes.length; i++) {
            for (let j = i + 1; j < boxes.length; j++) {
              expect(overlaps(boxes[i]!, boxes[j]!), `${where}: ${boxes[i]!.name} overlaps ${boxes[j]!.name}`).toBe(false);
            }
          }
          if (path === "/" && viewport === "desktop") {
            const brand = boxes.find((b) => b.name === "brand")!;
            const firstLink = boxes.find((b) => b.name === "nav 0")!;
            // Right to left: the brand starts the line at the right, the navigation follows to its left.
            if (locale === "ar") expect(brand.left, where).toBeGreaterThan(firstLink.right);
            else expect(brand.right, where).toBeLessThan(firstLink.left);
            const t = catalogue(locale);
            expect(await page.textContent("header.site nav"), where).toContain(String(t["nav.current"]));
          }
          await expectAxeClean(page, where);
          if (path === "/" && (locale === "ar" || locale === "ja")) await page.screenshot({ path: join(OUTPUT, `home-${locale}-${viewport}-${scheme}.png`), fullPage: false });
        }
        expect(problems).toEqual([]);
      } finally {
        await context.close();
      }
    }
  }, 60_000);
});
