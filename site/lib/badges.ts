/**
 * Status badges, published with the site (so they outlive an outage like the page): the page's
 * status at /badge.svg and each component's status with its 90-day uptime at
 * /components/<id>/badge.svg, drawn by shields.io's own `badge-maker` (flat style, its text-width
 * tables), plus the same figures in shields.io's endpoint schema at /api/badge.json and
 * /api/components/<id>/badge.json for those who build their badges at shields.io. The words are
 * the page's own: "All Systems Operational", "Partial Outage".
 */
import { makeBadge } from "badge-maker";
import type { ComponentStatus } from "../../domain/components.ts";
import { componentStatusWord, words, wordsOf, type At } from "../../locales/words.ts";
import { indicatorWords } from "./labels.ts";
import type { Indicator, PageStatus } from "../../domain/indicator.ts";
import { formatUptime, UPTIME_DAYS } from "../../domain/uptime.ts";
import type { FileToPublish } from "../publish/manifest.ts";
import type { SiteSnapshot } from "./snapshot.ts";
import { snapshotUptime } from "./view.ts";

/** shields.io's named colours, as its own badges use them for the same meanings. */
const INDICATOR_COLORS: Readonly<Record<Indicator, string>> = { none: "brightgreen", minor: "yellow", major: "orange", critical: "red", maintenance: "blue" };
const STATUS_COLORS: Readonly<Record<ComponentStatus, string>> = {
  operational: "brightgreen",
  degraded_performance: "yellow",
  partial_outage: "orange",
  major_outage: "red",
  under_maintenance: "blue",
};

/** What one badge says, in shields.io's endpoint schema (https://shields.io/badges/endpoint-badge). */
export interface ShieldsEndpoint {
  schemaVersion: 1;
  label: string;
  message: string;
  color: string;
  /** How long shields.io may cache it: a status changes within minutes. */
  cacheSeconds: number;
}

export function pageBadge(status: PageStatus, at: At = "UTC"): ShieldsEndpoint {
  const w = words(at);
  return { schemaVersion: 1, label: w.t("badge.label"), message: indicatorWords(w, status), color: INDICATOR_COLORS[status.indicator], cacheSeconds: 300 };
}

/** "Operational · 99.95 % (90 days)", or the status alone when there is no uptime data yet. */
export function componentBadge(name: string, status: ComponentStatus, uptime: number | null, at: At = "UTC"): ShieldsEndpoint {
  const w = words(at);
  const word = componentStatusWord(w, status);
  const message = uptime === null ? word : w.t("badge.component", { status: word, percent: formatUptime(uptime, w.locale), count: UPTIME_DAYS });
  return { schemaVersion: 1, label: name, message, color: STATUS_COLORS[status], cacheSeconds: 300 };
}

/**
 * Drawn badges by what they say: every publish draws every badge again, and badge-maker measuring
 * and laying out the text was a twelfth of a small publish's time, for badges that change only
 * with a status or an uptime figure. Bounded: the oldest is dropped past a few times the badges a
 * page has.
 */
const drawn = new Map<string, string>();
const DRAWN_LIMIT = 1000;

export function badgeSvg(badge: ShieldsEndpoint): string {
  const key = JSON.stringify([badge.label, badge.message, badge.color]);
  let svg = drawn.get(key);
  if (svg === undefined) {
    svg = makeBadge({ label: badge.label, message: badge.message, color: badge.color, style: "flat" });
    if (drawn.size >= DRAWN_LIMIT) drawn.delete(drawn.keys().next().value!);
    drawn.set(key, svg);
  }
  return svg;
}

/** Every badge of the snapshot, as SVG and as shields.io endpoint JSON (groups included: their status is their children's worst). */
export function badgeFiles(snapshot: SiteSnapshot): FileToPublish[] {
  const files: FileToPublish[] = [];
  const add = (svgPath: string, jsonPath: string, badge: ShieldsEndpoint) => {
    files.push({ path: svgPath, body: badgeSvg(badge), contentType: "image/svg+xml" });
    files.push({ path: jsonPath, body: JSON.stringify(badge), contentType: "application/json; charset=utf-8" });
  };
  const w = wordsOf(snapshot.page);
  add("/badge.svg", "/api/badge.json", pageBadge(snapshot.status, w));
  const uptime = snapshotUptime(snapshot);
  for (const c of snapshot.components) {
    add(`/components/${c.id}/badge.svg`, `/api/components/${c.id}/badge.json`, componentBadge(c.name, c.status, uptime.get(c.id)?.uptime ?? null, w));
  }
  return files;
}
