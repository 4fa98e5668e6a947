/**
 * /embed: a compact status card other sites may frame (its own `frame-ancestors *`, still no
 * script): the page's status, what is open right now, and a link to the page. Light and dark follow
 * the reader's system, as the page does.
 */
import { wordsOf } from "../../locales/words.ts";
import { incidentSummary, indicatorBadge, layoutView, paths, shortTime, type Badge, type IncidentSummary, type LayoutView, type RouteOf, type TimeView } from "./view.ts";

export const EMBED_PATH = "/embed";
/** Open incidents and maintenances under way shown in the card; the page has the rest. */
export const EMBED_ITEMS = 3;

export interface EmbedView {
  layout: LayoutView;
  pageName: string;
  pageUrl: string;
  banner: Badge;
  items: IncidentSummary[];
  /** How many more are open than the card shows. */
  more: number;
  updated: TimeView;
}

export function embedView(data: RouteOf<"embed">): EmbedView {
  const { snapshot } = data;
  const open = [...snapshot.unresolvedIncidents, ...snapshot.activeMaintenances];
  const w = wordsOf(snapshot.page);
  return {
    layout: layoutView(snapshot, null),
    pageName: snapshot.page.name,
    pageUrl: `${snapshot.page.url}${paths.home}`,
    banner: indicatorBadge(snapshot.status, w),
    items: open.slice(0, EMBED_ITEMS).map((i) => ({ ...incidentSummary(i, w), href: `${snapshot.page.url}${paths.incident(i.id)}` })),
    more: Math.max(0, open.length - EMBED_ITEMS),
    updated: shortTime(snapshot.page.updatedAt, w),
  };
}
