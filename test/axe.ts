/** axe-core in a real page: no serious or critical violation (the bar every page a person uses must meet). */
import axe from "axe-core";
import type { AxeResults } from "axe-core";
import type { Page } from "playwright-core";
import { expect } from "vitest";

export async function expectAxeClean(page: Page, where: string): Promise<void> {
  await page.evaluate(axe.source);
  const results = (await page.evaluate(() => (window as unknown as { axe: { run(d: Document, o: object): Promise<unknown> } }).axe.run(document, { resultTypes: ["violations"] }))) as AxeResults;
  const severe = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(severe.map((v) => `${v.id}: ${v.help}`), where).toEqual([]);
}

/** How the browser tests launch Debian's Chromium. */
export const CHROMIUM = "/usr/bin/chromium";
export const CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"];
