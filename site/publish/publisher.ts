import type { ChangeEvent } from "../../api/app-deps.ts";
import { EN } from "../../locales/catalogues.ts";
import type { Transaction } from "@libsql/client";
import type { Database } from "../../db/database.ts";
import { getIncidentsByIds, incidentsOfComponent, incidentsOrLinked, listAllIncidentIds } from "../../db/queries/incidents.ts";
import { UPTIME_DAYS } from "../../domain/uptime.ts";
import { componentRss } from "../lib/component-page.ts";
import { EMBED_PATH } from "../lib/embed.ts";
import { brandFilesToPublish } from "../lib/brand.ts";
import type { IncidentRecord } from "../../db/records.ts";
import { historyAtom } from "../lib/atom.ts";
import { historyRss } from "../lib/feed.ts";
import type { HistoryMonth, PageInfo, RouteData, SiteSnapshot } from "../lib/snapshot.ts";
import { statuspageDocuments } from "../lib/statuspage.ts";
import { badgeFiles } from "../lib/badges.ts";
import { CALENDAR_PATH, maintenanceCalendar } from "../lib/calendar.ts";
import { NOT_FOUND_PATH } from "../../api/http/public-pages.ts";
import { monthKey } from "./months.ts";
import { loadHistoryMonth, loadHistoryMonths, loadSnapshot, readConsistently } from "./snapshot.ts";
import type { FileToPublish, PublishedEntry, SiteGarbage, SiteStore } from "./manifest.ts";

/** Renders one route of the Astro site to HTML (site/render.ts provides the real one). */
export interface PageRenderer {
  render(pathname: string, locals: RouteData): Promise<string>;
  /** The same as UTF-8 bytes, where the renderer has them so (what is stored: no decoding and encoding again). */
  renderBytes?(pathname: string, locals: RouteData): Promise<Uint8Array>;
  /** The build's client files (hashed CSS under /_astro/), published with every full publish; absent where the host serves them itself (Workers Static Assets). */
  assets?(): Iterable<FileToPublish>;
  /** Changes whenever the site's code changes: a new build republishes every page. */
  buildId: string;
}

let enText: string | undefined;

/** What a published site was made from: the build, plus the locale and its catalogue's hash when not en's. */
export function siteVersion(buildId: string, page: Pick<PageInfo, "locale" | "messages">): string {
  const text = JSON.stringify(page.messages ?? EN);
  if ((page.locale ?? "en") === "en" && text === (enText ??= JSON.stringify(EN))) return buildId;
  // FNV-1a: a change detector, not a security measure.
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return `${buildId}+${page.locale ?? "en"}.${hash.toString(16)}`;
}

export interface PublisherOptions {
  db: Database;
  page: Omit<PageInfo, "updatedAt">;
  site: SiteStore;
  renderer: PageRenderer;
  clock: { now(): Date };
  log: (line: string) => void;
  /** First retry delay after a failed publish; doubles up to maxRetryMs. */
  retryMs?: number;
  maxRetryMs?: number;
  /**
   * Under a steady stream of writes, publishes start at most this often (default 200 ms): a change
   * that finds the publisher idle is published at once, but the changes that pile up while one
   * runs wait for the rest of this interval, so publishing takes a bounded share of the CPU and
   * the page and the API keep the rest (10 writers back to back kept it rendering non-stop).
   */
  burstIntervalMs?: number;
  /**
   * Under that stream, publishing keeps to at most this share of one core (default 0.25): the next
   * publish of a burst starts no sooner than the last one's run time divided by it after its start.
   * Publishes grow slower as the machine gets busier, and each one running made the serving
   * thread slower too (the two share the cores); so the busier the machine, the further apart.
   */
  busyShare?: number;
  /**
   * However long the last publish took, keeping to busyShare delays the next one at most this
   * long after it ends (default 1 s): freshness first — a full publish of 100,000 incidents runs a
   * minute, and a change made meanwhile must not then wait four more (it did, once, in the bench).
   */
  maxShareWaitMs?: number;
  /** Unreferenced objects removed between two looks for new changes (default 500). */
  garbageSlice?: number;
  /** Renders part of a full publish's pages on other cores (Node), from `helpFrom` incidents (default 2,000). */
  helper?: PageHelper;
  helpFrom?: number;
}

/**
 * Renders and stores pages of a full publish elsewhere (other threads, each with its own
 * connection and renderer), returning each page's entry for the publish to adopt. The jobs are
 * chunks of incident pages, then archive months; the publish and the helper take them from one
 * shared counter (`Atomics.add` on `claim`), so whichever is faster does more and both finish
 * together. Pages are content-addressed objects, so two writers never conflict; a helper reads a
 * moment after the snapshot, and any change since then has its own publish queued behind this
 * one, which renders those pages again.
 */
export interface PageHelper {
  pages(jobs: HelperJobs): Promise<Array<[string, PublishedEntry]>>;
}

export interface HelperJobs {
  /** Ids of incidents whose pages to render, in chunks (job k < chunks.length). */
  chunks: readonly (readonly string[])[];
  /** Archive months whose pages to render (job chunks.length + i), and every month, newest first, for their navigation. */
  months: readonly string[];
  allMonths: readonly string[];
  claim: Int32Array;
  snapshot: SiteSnapshot;
  at: string;
}

/** Renders job `k` of `jobs` (an incident chunk or an archive month) through `add`, reading from `tx`. */
export async function renderJob(k: number, jobs: Omit<HelperJobs, "claim" | "at">, renderer: PageRenderer, tx: Transaction, add: (file: FileToPublish, incident?: IncidentRecord) => Promise<void>): Promise<void> {
  const { chunks, months, allMonths, snapshot } = jobs;
  if (k < chunks.length) {
    for (const incident of await getIncidentsByIds(tx, chunks[k]!)) await add(await incidentPage(renderer, snapshot, incident), incident);
    return;
  }
  const month = await loadHistoryMonth(tx, months[k - chunks.length]!, snapshot.page.timeZone);
  await add(await historyPage(renderer, snapshot, month, allMonths));
}

/** Takes the next job from a counter shared with helpers; null when none are left. */
export function claimJob(claim: Int32Array, count: number): number | null {
  const index = Atomics.add(claim, 0, 1);
  return index < count ? index : null;
}

/** At most this often under a stream of writes (PublisherOptions.burstIntervalMs). */
const BURST_INTERVAL_MS = 200;
/** Publishing's share of a core under a stream of writes (PublisherOptions.busyShare). */
const BUSY_SHARE = 0.25;
/** The longest busyShare keeps a piled-up change waiting after the last publish ended (PublisherOptions.maxShareWaitMs). */
const MAX_SHARE_WAIT_MS = 1000;

/** Files removed between two looks for new changes (PublisherOptions.garbageSlice): ~10–20 ms of deleting. */
const GARBAGE_SLICE = 500;

/** Below this many incidents a full publish renders alone: starting a helper costs about a second. */
const HELP_FROM = 2000;

/** What a queued publish must cover. */
interface Work {
  full: boolean;
  incidents: Set<string>;
  components: Set<string>;
}

const emptyWork = (): Work => ({ full: false, incidents: new Set(), components: new Set() });
const isEmpty = (w: Work) => !w.full && w.incidents.size === 0 && w.components.size === 0;

/** Paths published on every run: they show the page's overall state. */
const HOME = "/";
const FEED = "/history.rss";
const ATOM = "/history.atom";

export interface PublishReport {
  rendered: number;
  changed: number;
  ms: number;
  full: boolean;
}

/** What a runtime's publisher offers (the Publisher itself, or api/runtime/thread-publisher.ts running one in a worker thread). */
export interface SitePublisher {
  notify(event: ChangeEvent): void;
  publishAll(): void;
  refresh(): void;
  idle(): Promise<void>;
  stop(): void;
  readonly lastReport: PublishReport | null;
  readonly lastError: string | null;
}

/**
 * Regenerates the public site after committed writes, off the request path.
 *
 * Bursts coalesce: one publish runs at a time and every change that arrives meanwhile is merged
 * into the single next one, which reads a fresh snapshot, so the last write always wins. Only the
 * routes a change touches are rendered (the home page, feed and JSON always; the incident's page
 * and its archive month). A failed publish leaves the previous site live, is logged, and is
 * retried with backoff together with whatever arrived since.
 */
export class Publisher implements SitePublisher {
  private readonly options: PublisherOptions;
  private pending: Work = emptyWork();
  /** Set when the home page must be refreshed even without a write (the day rolled over). */
  private refreshRequested = false;
  private running: Promise<void> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private failures = 0;
  private stopped = false;
  /** The wait between two publishes of a burst (burstIntervalMs), cut short by stop(). */
  private pacing: { timer: ReturnType<typeof setTimeout>; resolve: () => void } | null = null;
  private waiters: (() => void)[] = [];
  /** Months of the archive (page zone), newest first once sorted; loaded on the first publish. */
  private months: Set<string> | null = null;
  /**
   * What incident pages show of each component (name, place, group) as of the last publish. A
   * component change that leaves it as it was — a status change, the most common one — renders
   * none of the component's incidents again (at 100,000 incidents that was 8,000 pages and their
   * months, 25 s). Unknown before the first publish, and never trusted by `publishOnce` (hosts
   * with several publishers): then every linked incident is rendered.
   */
  private shownComponents: Map<string, string> | null = null;
  /** Set by a full publish: what it left unreferenced is to be removed once nothing waits. */
  private garbageDue = false;
  private garbage: { found: SiteGarbage; removed: number; since: number } | null = null;
  /** siteVersion of the renderer's build and this publisher's page. */
  private version: { buildId: string; version: string } | undefined;
  lastReport: PublishReport | null = null;
  lastError: string | null = null;

  constructor(options: PublisherOptions) {
    this.options = options;
  }

  /** Queues the routes a committed change touches. Never throws, never waits. */
  notify(event: ChangeEvent): void {
    if (addChange(this.pending, event)) this.kick();
  }

  /**
   * Publishes what these changes touch right now, bypassing the queue, for hosts that bring their
   * own queueing and retries (the Worker's Cloudflare Queue consumer). Throws when it fails; the
   * live site is then untouched.
   */
  async publishOnce(events: readonly ChangeEvent[], options: { full?: boolean } = {}): Promise<PublishReport> {
    const work = emptyWork();
    work.full = options.full === true;
    for (const event of events) addChange(work, event);
    // Such hosts may run several publishers (a Worker isolate each): what this one last published
    // may since have been overwritten by another's, so any component change renders its incidents.
    this.shownComponents = null;
    this.lastReport = await this.publish(work);
    return this.lastReport;
  }

  /** Everything, e.g. at start with a new site build or an empty published directory. */
  publishAll(): void {
    this.pending.full = true;
    this.kick();
  }

  /** The home page, feed and JSON (time passes: uptime bars, "past 15 days", maintenance windows). */
  refresh(): void {
    this.refreshRequested = true;
    this.kick();
  }

  /** Resolves once nothing is queued, running or waiting to be retried. */
  idle(): Promise<void> {
    if (!this.running && !this.retryTimer && isEmpty(this.pending) && !this.refreshRequested) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** No more publishing: pending retries are dropped (what is published stays published). */
  stop(): void {
    this.stopped = true;
    if (this.pacing) {
      clearTimeout(this.pacing.timer);
      this.pacing.resolve();
      this.pacing = null;
    }
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (!this.running) this.settle();
  }

  private kick(): void {
    if (this.stopped) return this.settle();
    if (this.running || this.retryTimer) return;
    // Start on a fresh macrotask: the embedded database answers synchronously, so a publish begun
    // inside the write's request would otherwise run before that request's response is sent.
    this.running = nextTick().then(() => this.drain()).finally(() => {
      this.running = null;
      if (!this.retryTimer && (!isEmpty(this.pending) || this.refreshRequested)) this.kick();
      else if (!this.retryTimer) this.settle();
    });
  }

  /**
   * Removes a slice of the objects the last full publish left unreferenced (a new build's full
   * publish leaves the old build's every page: 17 s of deleting at 100,000 incidents, which held back
   * the next change). False when there is nothing to remove. A failure is logged and the rest left
   * for the next full publish: the site is whole either way.
   */
  private async collectSomeGarbage(): Promise<boolean> {
    try {
      if (this.garbageDue) {
        this.garbageDue = false;
        const found = this.options.site.garbage?.();
        this.garbage = found ? { found, removed: 0, since: performance.now() } : null;
      }
      if (!this.garbage) return false;
      const g = this.garbage;
      g.removed += await g.found.removeSome(this.options.garbageSlice ?? GARBAGE_SLICE);
      if (g.found.left() === 0) {
        this.garbage = null;
        if (g.removed > 0) this.options.log(`removed ${g.removed} unreferenced files between publishes, ${((performance.now() - g.since) / 1000).toFixed(1)} s after the full publish`);
      }
    } catch (error) {
      this.garbage = null;
      this.options.log(`removing unreferenced objects failed, the rest stays until the next full publish: ${(error as Error)?.message ?? String(error)}`);
    }
    // Lets a change that arrived meanwhile in: it is published before the next slice.
    await nextTick();
    return true;
  }

  private settle(): void {
    for (const resolve of this.waiters.splice(0)) resolve();
  }

  private async drain(): Promise<void> {
    let started: number | null = null;
    let took = 0;
    while (!this.stopped) {
      if (isEmpty(this.pending) && !this.refreshRequested) {
        // Nothing to publish: remove a slice of what the last full publish left behind, then look again.
        if (await this.collectSomeGarbage()) continue;
        break;
      }
      // Work that arrived while a publish ran: wait out the interval, gathering more.
      const shareWait = Math.min(took / (this.options.busyShare ?? BUSY_SHARE), took + (this.options.maxShareWaitMs ?? MAX_SHARE_WAIT_MS));
      const spacing = Math.max(this.options.burstIntervalMs ?? BURST_INTERVAL_MS, shareWait);
      const wait = started === null ? 0 : started + spacing - performance.now();
      if (wait > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => ((this.pacing = null), resolve()), wait);
          this.pacing = { timer, resolve };
        });
      }
      if (this.stopped) break;
      started = performance.now();
      const work = this.pending;
      this.pending = emptyWork();
      this.refreshRequested = false;
      try {
        this.lastReport = await this.publish(work);
        took = performance.now() - started;
        this.lastError = null;
        this.failures = 0;
      } catch (error) {
        // Keep the work for the retry, merged with anything newer; the live site is untouched.
        this.pending = merge(work, this.pending);
        this.failures++;
        this.lastError = (error as Error)?.message ?? String(error);
        const delay = Math.min((this.options.retryMs ?? 1000) * 2 ** (this.failures - 1), this.options.maxRetryMs ?? 30_000);
        this.options.log(`publish failed (attempt ${this.failures}), previous site stays live, retrying in ${delay} ms: ${this.lastError}`);
        this.retryTimer = setTimeout(() => {
          this.retryTimer = null;
          this.kick();
        }, delay);
        this.retryTimer.unref?.();
        return;
      }
    }
  }

  private async publish(work: Work): Promise<PublishReport> {
    const started = performance.now();
    const { db, site, renderer, page, clock } = this.options;
    const now = clock.now();
    const at = now.toISOString();
    const current = await site.current();
    // The build and the page's language: a new build, PAGE_LOCALE or catalogue republishes every page.
    // The page's language does not change while this publisher lives: hashed once per build.
    if (this.version?.buildId !== renderer.buildId) this.version = { buildId: renderer.buildId, version: siteVersion(renderer.buildId, page) };
    const build = this.version.version;
    const full = work.full || current.build !== build;
    // "Page not found" shows no data, only the page's name and links: made on full publishes (a new
    // build), or once when a site published before it existed lacks it.
    const notFoundPage = full || !(await site.lookup(NOT_FOUND_PATH));
    const batch = await site.begin(at);
    let rendered = 0;
    const add = async (file: FileToPublish) => {
      await batch.add(file);
      rendered++;
      // Let requests (page views, API writes) run between files: publishing must not stall serving.
      await nextTick();
    };

    let shown = new Map<string, string>();
    const phases: Record<string, number> = {};
    let mark = performance.now();
    const phase = (name: string) => {
      const t = performance.now();
      phases[name] = (phases[name] ?? 0) + (t - mark);
      mark = t;
    };
    await readConsistently(db, async (tx) => {
      // Reads that do not depend on each other are issued together: on the edge they share round trips to Turso.
      const named = [...work.incidents];
      const incidentRecords = full ? null : Promise.all([getIncidentsByIds(tx, named), getIncidentsByIds(tx, named, "only")]);
      const [snapshot, knownMonths, loaded] = await Promise.all([
        loadSnapshot(tx, page, now),
        // The archive's months only ever grow (history dates never change), so they are read once.
        full || !this.months ? loadHistoryMonths(tx, page.timeZone) : null,
        incidentRecords,
      ]);
      if (knownMonths) this.months = new Set(knownMonths);
      shown = shownComponents(snapshot);
      if (loaded) {
        // The incidents linked to a component whose name, place or group changed: their pages show it.
        const reshown = [...work.components].filter((id) => this.shownComponents?.get(id) !== shown.get(id) || !shown.has(id));
        if (reshown.length > 0) {
          const linked = incidentsOrLinked([], reshown);
          const [incidents, drills] = await Promise.all([getIncidentsByIds(tx, linked), getIncidentsByIds(tx, linked, "only")]);
          for (const [into, more] of [[loaded[0], incidents], [loaded[1], drills]] as const) {
            const have = new Set(into.map((i) => i.id));
            into.push(...more.filter((i) => !have.has(i.id)));
          }
        }
      }
      phase("snapshot");
      const monthsToRender = new Set<string>();
      // An incident's page also puts its month in the archive (and among the months to render).
      const addPage = async (file: FileToPublish, incident?: IncidentRecord) => {
        if (incident) {
          const month = monthKey(historyDate(incident), page.timeZone);
          this.months!.add(month);
          monthsToRender.add(month);
        }
        await add(file);
      };
      const renderIncident = async (incident: IncidentRecord) => addPage(await incidentPage(renderer, snapshot, incident), incident);
      let helped: Promise<Array<[string, PublishedEntry]>> | null = null;
      let jobs: Omit<HelperJobs, "claim" | "at"> = { chunks: [], months: [], allMonths: [], snapshot };
      const mine = new Set<number>();
      // Drills: only their unlisted preview pages (never a public page, month, feed or JSON).
      const renderPreview = async (drill: IncidentRecord) => {
        if (!drill.previewToken) return;
        const path = `/preview/${drill.previewToken}`;
        await add(html(path, await renderPage(renderer, path, { route: "preview", snapshot, incident: drill })));
      };
      if (loaded) {
        const [incidents, drills] = loaded;
        for (const incident of incidents) await renderIncident(incident);
        for (const drill of drills) await renderPreview(drill);
      } else {
        for (const file of renderer.assets?.() ?? []) await add(file);
        // Incident pages in chunks, so a full publish of a large archive streams to disk; on a
        // large archive helpers on other cores take chunks (and archive months) too.
        const ids = await listAllIncidentIds(tx);
        const chunks: string[][] = [];
        for (let i = 0; i < ids.length; i += 200) chunks.push(ids.slice(i, i + 200));
        const { helper } = this.options;
        const helping = helper !== undefined && batch.adopt !== undefined && ids.length >= (this.options.helpFrom ?? HELP_FROM);
        // Shared memory only when a helper shares it (the edge publishes alone).
        const claim = new Int32Array(helping ? new SharedArrayBuffer(4) : new ArrayBuffer(4));
        // With helpers, the archive's months are jobs too (all but the newest, which also backs /history).
        const allMonths = [...this.months!].sort().reverse();
        jobs = { chunks, months: helping ? allMonths.slice(1) : [], allMonths, snapshot };
        if (helping) {
          helped = helper.pages({ ...jobs, claim, at });
          helped.catch(() => {}); // awaited below; a failure is handled there
        }
        const count = chunks.length + jobs.months.length;
        for (let k = claimJob(claim, count); k !== null; k = claimJob(claim, count)) {
          mine.add(k);
          await renderJob(k, jobs, renderer, tx, addPage);
        }
        for (const drill of await getIncidentsByIds(tx, await listAllIncidentIds(tx, "only"), "only")) await renderPreview(drill);
      }
      phase("incidents");
      // Component pages and feeds: every one on a full publish or a refresh (their bars move with the
      // days), else those a change names and those of the incidents it touched (and their groups).
      const refreshOnly = isEmpty(work);
      const wantedComponents = new Set<string>(full || refreshOnly ? snapshot.components.map((c) => c.id) : work.components);
      if (loaded) for (const incident of loaded[0]) for (const id of [...incident.componentIds, ...incident.updates.flatMap((u) => u.affected.map((a) => a.componentId))]) wantedComponents.add(id);
      const since = new Date(Date.parse(snapshot.generatedAt) - (UPTIME_DAYS + 1) * 86_400_000).toISOString();
      const components = snapshot.components.filter(
        (component) => wantedComponents.has(component.id) || (component.isGroup && snapshot.components.some((c) => c.groupId === component.id && wantedComponents.has(c.id))),
      );
      const months = [...this.months!].sort().reverse();
      if (full) for (const month of months) monthsToRender.add(month);
      if (months[0]) monthsToRender.add(months[0]);
      const monthJobs = new Set(jobs.months); // rendered as jobs above
      const wanted = [...monthsToRender].filter((m) => months.includes(m) && !monthJobs.has(m));
      // The components' incidents and (an ordinary publish) the few months, read together: on the
      // edge one round trip, not one per component page. A full publish reads every month one at a
      // time below, so the archive never sits in memory.
      const [componentIncidents, monthData] = await Promise.all([
        Promise.all(components.map((component) => getIncidentsByIds(tx, incidentsOfComponent(component.id, since, 200)))),
        full ? new Map<string, HistoryMonth>() : Promise.all(wanted.map(async (m) => [m, await loadHistoryMonth(tx, m, page.timeZone)] as const)).then((pairs) => new Map(pairs)),
      ]);
      for (const [k, component] of components.entries()) {
        const incidents = componentIncidents[k]!;
        const path = `/components/${component.id}`;
        await add(html(path, await renderPage(renderer, path, { route: "component", snapshot, component, incidents })));
        await add({ path: `${path}/history.rss`, body: componentRss(snapshot, component, incidents), contentType: "application/rss+xml; charset=utf-8" });
      }
      phase("components");
      for (const month of wanted) {
        const data = monthData.get(month) ?? (await loadHistoryMonth(tx, month, page.timeZone));
        const monthPage = await historyPage(renderer, snapshot, data, months);
        await add(monthPage);
        // /history is the newest month's page under a stable address.
        if (month === months[0]) await add(hot({ ...monthPage, path: "/history" }));
      }
      if (months.length === 0) {
        const locals: RouteData = { route: "history", snapshot, month: { month: monthKey(snapshot.generatedAt, page.timeZone), incidents: [] }, months: [] };
        await add(hot(html("/history", await renderPage(renderer, "/history", locals))));
      }
      phase("history");
      for (const file of publicDocuments(snapshot)) await add(hot(file));
      phase("documents");
      await add(hot(html(HOME, await renderPage(renderer, HOME, { route: "home", snapshot }))));
      await add(hot(html(EMBED_PATH, await renderPage(renderer, EMBED_PATH, { route: "embed", snapshot }))));
      if (notFoundPage) await add(html(NOT_FOUND_PATH, await renderPage(renderer, "/not-found", { route: "notfound", snapshot })));
      phase("home");
      if (helped) {
        try {
          for (const [path, entry] of await helped) {
            batch.adopt!(path, entry);
            rendered++;
          }
        } catch (error) {
          // The helper failed: the jobs it took are rendered here, as without one.
          const theirs = Array.from({ length: jobs.chunks.length + jobs.months.length }, (_, k) => k).filter((k) => !mine.has(k));
          this.options.log(`publish helper failed, rendering its ${theirs.length} jobs of pages here: ${(error as Error)?.message ?? String(error)}`);
          for (const k of theirs) await renderJob(k, jobs, renderer, tx, addPage);
        }
        phase("helper");
      }
    });

    const changed = await batch.commit({ build });
    this.shownComponents = shown;
    phase("commit");
    // Removed between publishes, once nothing waits (collectSomeGarbage): not before the next one.
    if (full) this.garbageDue = true;
    const ms = performance.now() - started;
    const detail = Object.entries(phases).map(([name, t]) => `${name} ${t.toFixed(0)}`).join(", ");
    this.options.log(`published ${changed.length} changed of ${rendered} rendered files in ${ms.toFixed(0)} ms${full ? " (full)" : ""} (${detail})`);
    return { rendered, changed: changed.length, ms, full };
  }
}

/** Adds the routes a change touches; false when it touches nothing public (an API key). */
function addChange(work: Work, event: ChangeEvent): boolean {
  if (event.type === "incident" || event.type === "maintenance") work.incidents.add(event.id);
  else if (event.type === "component") work.components.add(event.id);
  else return false;
  return true;
}

function merge(a: Work, b: Work): Work {
  return { full: a.full || b.full, incidents: new Set([...a.incidents, ...b.incidents]), components: new Set([...a.components, ...b.components]) };
}

/** Per component, what incident pages show of it (name, place among the others, group); its status is not among it. */
function shownComponents(snapshot: SiteSnapshot): Map<string, string> {
  return new Map(snapshot.components.map((c) => [c.id, JSON.stringify([c.name, c.position, c.groupId])]));
}

function historyDate(incident: IncidentRecord): string {
  return incident.scheduledFor ?? incident.createdAt;
}

/** Yields to pending I/O (setImmediate where there is one: setTimeout(0) costs a millisecond per file on Node). */
function nextTick(): Promise<void> {
  return new Promise((resolve) => (typeof setImmediate === "function" ? setImmediate(resolve) : setTimeout(resolve, 0)));
}

/** Fetched by nearly every visitor: compress at publish time rather than on first request. */
function hot(file: FileToPublish): FileToPublish {
  return { ...file, precompress: true };
}

/** An archive month's page. */
export async function historyPage(renderer: PageRenderer, snapshot: SiteSnapshot, month: HistoryMonth, months: readonly string[]): Promise<FileToPublish> {
  const path = `/history/${month.month}`;
  return html(path, await renderPage(renderer, path, { route: "history", snapshot, month, months: [...months] }));
}

/** An incident's public page as of a snapshot (also what a helper thread renders). */
export async function incidentPage(renderer: PageRenderer, snapshot: SiteSnapshot, incident: IncidentRecord): Promise<FileToPublish> {
  const path = `/incidents/${incident.id}`;
  return html(path, await renderPage(renderer, path, { route: "incident", snapshot, incident }));
}

/** A page's HTML for the store: its bytes when the renderer gives them. */
function renderPage(renderer: PageRenderer, pathname: string, locals: RouteData): Promise<string | Uint8Array> {
  return renderer.renderBytes ? renderer.renderBytes(pathname, locals) : renderer.render(pathname, locals);
}

function html(path: string, body: string | Uint8Array): FileToPublish {
  return { path, body, contentType: "text/html; charset=utf-8" };
}

/** The feeds (RSS and Atom), Statuspage's eight JSON documents, the status badges and the maintenance calendar. */
export function publicDocuments(snapshot: SiteSnapshot): FileToPublish[] {
  const files: FileToPublish[] = [
    { path: FEED, body: historyRss(snapshot), contentType: "application/rss+xml; charset=utf-8" },
    { path: ATOM, body: historyAtom(snapshot), contentType: "application/atom+xml; charset=utf-8" },
  ];
  for (const [path, value] of Object.entries(statuspageDocuments(snapshot))) {
    files.push({ path: `/${path}`, body: JSON.stringify(value), contentType: "application/json; charset=utf-8" });
  }
  files.push(...badgeFiles(snapshot));
  files.push(...brandFilesToPublish(snapshot.page.brand));
  files.push({ path: CALENDAR_PATH, body: maintenanceCalendar(snapshot), contentType: "text/calendar; charset=utf-8" });
  return files;
}

const TYPES: Record<string, string> = {
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".webmanifest": "application/manifest+json",
};

export function contentTypeOf(path: string): string {
  const ext = /\.[a-z0-9]+$/i.exec(path)?.[0]?.toLowerCase() ?? "";
  return TYPES[ext] ?? "application/octet-stream";
}
