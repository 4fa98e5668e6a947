/**
 * A full publish with helper threads (api/runtime/page-helper.ts) publishes exactly what one
 * without them publishes — incident pages and archive months alike; a helper that fails costs
 * time, never a page.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { pageHelper } from "../api/runtime/page-helper.ts";
import { createIncident } from "../api/service/incidents.ts";
import { loadSiteRenderer, type SiteRenderer } from "../site/render.ts";
import { listAllIncidentIds } from "../db/queries/incidents.ts";
import type { PublishedEntry } from "../site/publish/manifest.ts";
import { claimJob, Publisher, renderJob, type PageHelper } from "../site/publish/publisher.ts";
import { loadSnapshot, readConsistently } from "../site/publish/snapshot.ts";
import { PublishedSite, storeFile } from "../site/publish/store.ts";
import { startTestHerald, type TestHerald } from "./harness.ts";

let h: TestHerald;
let renderer: SiteRenderer;
/** More than two chunks of 200, so a publish and a helper can each take some. */
const INCIDENTS = 650;

/** Incidents over this many months, so the archive has months for helpers to take. */
const MONTHS = 5;

beforeAll(async () => {
  h = await startTestHerald();
  renderer = await loadSiteRenderer();
  for (let m = 0; m < MONTHS; m++) {
    await h.db.write(async (tx) => {
      const ctx = { tx, actor: { id: null, name: "Ada", role: "admin" as const }, now: h.clock.now().toISOString(), hooks: {}, timeZone: "Europe/Berlin" };
      for (let i = m; i < INCIDENTS; i += MONTHS) await createIncident(ctx, { name: `Incident ${i}`, severity: "SEV3", body: `Looking at **${i}**.` });
    });
    h.clock.advance(32 * 24 * 60 * 60 * 1000);
  }
}, 60_000);
afterAll(() => h.close());

function publishInto(name: string, helper?: PageHelper) {
  const site = new PublishedSite(join(h.dir, name));
  const logs: string[] = [];
  const { page } = h.config;
  const publisher = new Publisher({
    db: h.db, site, renderer, clock: h.clock, log: (line) => logs.push(line), helper, helpFrom: 1,
    page: { id: h.deps.pageId, name: page.name, url: page.url, timeZone: page.timeZone, showOwners: page.showOwners, brand: page.brand, locale: page.locale, messages: page.messages },
  });
  return { site, logs, publish: () => publisher.publishOnce([], { full: true }) };
}

/** Each published path with the bytes it serves. */
function contents(site: PublishedSite): Map<string, string> {
  return new Map(Object.entries(site.current().entries).map(([path, entry]) => [path, readFileSync(site.objectPath(entry), "utf8")]));
}

/** The ids of every incident in chunks of 200, as a full publish takes them. */
async function allChunks(): Promise<string[][]> {
  const ids = await listAllIncidentIds(h.db.client);
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += 200) chunks.push(ids.slice(i, i + 200));
  return chunks;
}

describe("a full publish with helper threads", () => {
  test("helper threads render and store incident and archive pages exactly as the publish does, each job once", async () => {
    const alone = publishInto("alone");
    await alone.publish();
    const dir = join(h.dir, "threads");
    mkdirSync(join(dir, "objects"), { recursive: true });
    const helper = pageHelper({ databaseUrl: h.databaseUrl, publicDir: dir, siteDist: undefined }, 4)!;
    const chunks = await allChunks();
    const { page } = h.config;
    const snapshot = await readConsistently(h.db, (tx) =>
      loadSnapshot(tx, { id: h.deps.pageId, name: page.name, url: page.url, timeZone: page.timeZone, showOwners: page.showOwners, brand: page.brand, locale: page.locale, messages: page.messages }, h.clock.now()),
    );
    const claim = new Int32Array(new SharedArrayBuffer(4));
    const allMonths = Object.keys(alone.site.current().entries).filter((p) => p.startsWith("/history/")).map((p) => p.slice("/history/".length)).sort().reverse();
    expect(allMonths.length).toBeGreaterThanOrEqual(MONTHS);
    const months = allMonths.slice(1);
    const entries = await helper.pages({ chunks, months, allMonths, claim, snapshot, at: h.clock.now().toISOString() });
    // Three threads shared the jobs: every incident and month once, none twice.
    expect(entries.map(([path]) => path).sort()).toEqual([...chunks.flat().map((id) => `/incidents/${id}`), ...months.map((m) => `/history/${m}`)].sort());
    for (const [path, entry] of entries) {
      expect(entry.object).toBe(alone.site.lookup(path)!.object);
      expect(readFileSync(join(dir, "objects", entry.object), "utf8")).toBe(readFileSync(alone.site.objectPath(entry), "utf8"));
    }
  }, 120_000);

  test("the publish adopts what a helper stored: the same site as a publish alone", async () => {
    const alone = publishInto("alone-2");
    const aloneReport = await alone.publish();
    const dir = join(h.dir, "adopting");
    // Takes every job before the publish can take one, and renders them in this thread.
    let monthsOffered: readonly string[] = [];
    const inProcess: PageHelper = {
      pages(jobs) {
        monthsOffered = jobs.months;
        const count = jobs.chunks.length + jobs.months.length;
        const taken: number[] = [];
        for (let k = claimJob(jobs.claim, count); k !== null; k = claimJob(jobs.claim, count)) taken.push(k);
        return readConsistently(h.db, async (tx) => {
          const entries: Array<[string, PublishedEntry]> = [];
          for (const k of taken) await renderJob(k, jobs, renderer, tx, async (file) => void entries.push([file.path, storeFile(dir, file, jobs.at)]));
          return entries;
        });
      },
    };
    const helped = publishInto("adopting", inProcess);
    const report = await helped.publish();
    expect(monthsOffered.length).toBeGreaterThanOrEqual(MONTHS - 1);
    expect(contents(helped.site)).toEqual(contents(alone.site));
    expect(report.rendered).toBe(aloneReport.rendered);
  }, 120_000);

  test("a helper that fails after taking chunks: the publish renders them itself and says so", async () => {
    const failing: PageHelper = {
      async pages({ chunks, months, claim }) {
        claimJob(claim, chunks.length + months.length);
        claimJob(claim, chunks.length + months.length);
        throw new Error("helper thread ran out of memory");
      },
    };
    const alone = publishInto("alone-3");
    await alone.publish();
    const helped = publishInto("failed-helper", failing);
    await helped.publish();
    expect(helped.logs.some((l) => /publish helper failed, rendering its 2 jobs of pages here: helper thread ran out of memory/.test(l))).toBe(true);
    expect(contents(helped.site)).toEqual(contents(alone.site));
  }, 120_000);
});
