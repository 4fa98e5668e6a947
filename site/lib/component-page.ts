/**
 * One component's page (/components/<id>) and feed (/components/<id>/history.rss), for a customer
 * who depends on one part: its status, its 90-day bar with each day's incidents, and the incidents
 * and maintenances of those days, newest first.
 */
import { dayKey, formatDay } from "../../domain/time.ts";
import type { IncidentRecord } from "../../db/records.ts";
import { historyRss } from "./feed.ts";
import type { SiteSnapshot } from "./snapshot.ts";
import { wordsOf } from "../../locales/words.ts";
import {
  barView,
  componentBadge,
  historyInstant,
  incidentDays,
  layoutView,
  listed,
  paths,
  snapshotUptime,
  type Badge,
  type BarView,
  type LayoutView,
  type ListedIncident,
  type RouteOf,
} from "./view.ts";

export interface ComponentPageView {
  layout: LayoutView;
  name: string;
  /** Its group's name, when it is in one. */
  group: string | null;
  description: string | null;
  badge: Badge;
  bar: BarView | null;
  /** Days (newest first) with the incidents and maintenances of that day; quiet days are left out. */
  days: { key: string; title: string; incidents: ListedIncident[] }[];
  feed: string;
  badgeSvg: string;
  /** The group's components, or an empty list. */
  members: { href: string; name: string; badge: Badge }[];
}

/** Incident names per day in the page's zone, over each incident's span (capped at the bar's length). */
function namesByDay(incidents: readonly IncidentRecord[], snapshot: SiteSnapshot): Map<string, string[]> {
  const days = new Map<string, string[]>();
  for (const incident of incidents) {
    if (incident.kind !== "incident") continue;
    for (const day of incidentDays(incident, snapshot)) days.set(day, [...(days.get(day) ?? []), incident.name]);
  }
  return days;
}

export function componentPageView(data: RouteOf<"component">): ComponentPageView {
  const { snapshot, component, incidents } = data;
  const tz = snapshot.page.timeZone;
  const w = wordsOf(snapshot.page);
  const uptime = snapshotUptime(snapshot).get(component.id);
  const byDay = new Map<string, IncidentRecord[]>();
  for (const incident of incidents) {
    const day = dayKey(historyInstant(incident), tz);
    byDay.set(day, [...(byDay.get(day) ?? []), incident]);
  }
  const group = component.groupId ? snapshot.components.find((c) => c.id === component.groupId) : undefined;
  const layout = layoutView(snapshot, component.name);
  return {
    layout: { ...layout, feedUrl: `${snapshot.page.url}${componentFeedPath(component.id)}`, feedTitle: componentFeedTitle(snapshot, component.name) },
    name: component.name,
    group: group?.name ?? null,
    description: component.description?.trim() || null,
    badge: componentBadge(component.status, w),
    bar: uptime ? barView(component.name, uptime, namesByDay(incidents, snapshot), { words: w }) : null,
    days: [...byDay.keys()].sort().reverse().map((key) => ({ key, title: formatDay(key, w.locale), incidents: byDay.get(key)!.map((i) => listed(i, w)) })),
    feed: componentFeedPath(component.id),
    badgeSvg: `${paths.component(component.id)}/badge.svg`,
    members: component.isGroup
      ? snapshot.components.filter((c) => c.groupId === component.id).map((c) => ({ href: paths.component(c.id), name: c.name, badge: componentBadge(c.status, w) }))
      : [],
  };
}

export function componentFeedPath(id: string): string {
  return `${paths.component(id)}/history.rss`;
}

/** "Acme Status - API - Incident History" */
export function componentFeedTitle(snapshot: Pick<SiteSnapshot, "page">, name: string): string {
  const page = snapshot.page.name.trim();
  return wordsOf(snapshot.page).t(/\bstatus$/i.test(page) ? "feed.component_title_status" : "feed.component_title", { page, name });
}

/** The component's feed reads like the page's, over its own incidents and maintenances only. */
export function componentRss(snapshot: SiteSnapshot, component: { id: string; name: string }, incidents: IncidentRecord[]): string {
  const { page } = snapshot;
  return historyRss({ ...snapshot, feedIncidents: incidents }, {
    title: componentFeedTitle(snapshot, component.name),
    url: `${page.url}${componentFeedPath(component.id)}`,
    siteUrl: `${page.url}${paths.component(component.id)}`,
    description: wordsOf(page).t("feed.component_description", { page: page.name, name: component.name }),
  });
}
