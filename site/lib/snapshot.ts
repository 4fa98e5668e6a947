import type { IncidentRecord } from "../../db/records.ts";
import type { PageStatus } from "../../domain/indicator.ts";
import type { ComponentView } from "../../api/service/components.ts";
import type { PageBrand } from "../../api/brand.ts";
import type { Catalogue } from "../../domain/locale.ts";

/**
 * Everything the public surfaces are made from, read from libSQL in one go by the publisher
 * (site/publish/), then handed to the Astro pages through `Astro.locals` and to the feed and
 * JSON writers. Pages never query the database. Plain data only: it can be serialized.
 */
export interface PageInfo {
  id: string;
  name: string;
  /** Public base URL, no trailing slash. */
  url: string;
  /** IANA zone times are shown in. */
  timeZone: string;
  /** Last write to anything public (ISO UTC). */
  updatedAt: string;
  /** Published action items name their owners (POSTMORTEM_SHOW_OWNERS); off when absent. */
  showOwners?: boolean;
  /** Accent, logo and favicon (api/brand.ts); absent: Herald's own look and a status favicon. */
  brand?: PageBrand;
  /** PAGE_LOCALE (BCP 47); absent: en. */
  locale?: string;
  /** Its catalogue (locales/<locale>.json), checked at start; absent: en's. */
  messages?: Catalogue;
}

export type { StatusChange } from "../../domain/uptime.ts";
import type { StatusChange } from "../../domain/uptime.ts";

export interface SiteSnapshot {
  page: PageInfo;
  /** When the snapshot was taken (ISO UTC): "now" for uptime bars and the 15 past days. */
  generatedAt: string;
  status: PageStatus;
  /** Every component and group; a group's status is already its most degraded child's. */
  components: ComponentView[];
  /** Unresolved incidents, newest first, with all updates (newest first). */
  unresolvedIncidents: IncidentRecord[];
  /** Maintenances in progress or verifying, soonest first. */
  activeMaintenances: IncidentRecord[];
  /** Maintenances still scheduled, soonest first. */
  upcomingMaintenances: IncidentRecord[];
  /**
   * Incidents and maintenances created or updated within the last 15 days (page zone), newest
   * first, each with ONLY its newest update (the list shows just that).
   */
  recentIncidents: IncidentRecord[];
  /** The 50 most recent incidents (any status) — /api/v2/incidents.json. */
  latestIncidents: IncidentRecord[];
  /** The 50 most recent maintenances (any status) — /api/v2/scheduled-maintenances.json. */
  latestMaintenances: IncidentRecord[];
  /**
   * Incidents and maintenances that own at least one of the 50 newest public updates or published
   * postmortems (with all their updates) — the feeds take their 50 newest items from these.
   */
  feedIncidents: IncidentRecord[];
  /**
   * Status history of every component from 90 days before generatedAt (plus, per component, the
   * last change before that window, which gives the status the window opens with).
   */
  statusChanges: StatusChange[];
}

/** One month of the archive at /history/<yyyy-mm> (months in the page's zone). */
export interface HistoryMonth {
  /** "2026-11" */
  month: string;
  /** Each with ONLY its newest update (the archive shows just that). */
  incidents: IncidentRecord[];
}

/** What a route is given in Astro.locals. */
export type RouteData =
  | { route: "home"; snapshot: SiteSnapshot }
  | { route: "incident"; snapshot: SiteSnapshot; incident: IncidentRecord }
  /** A drill's unlisted preview page (/preview/<token>): never linked from anything public. */
  | { route: "preview"; snapshot: SiteSnapshot; incident: IncidentRecord }
  | { route: "history"; snapshot: SiteSnapshot; month: HistoryMonth; months: string[] }
  /** One component's page (/components/<id>): its bar and the incidents and maintenances of its last 90 days. */
  | { route: "component"; snapshot: SiteSnapshot; component: ComponentView; incidents: IncidentRecord[] }
  /** The compact status card other sites may frame (/embed). */
  | { route: "embed"; snapshot: SiteSnapshot }
  /** The page answered for an address that names nothing (published at NOT_FOUND_PATH, served with a 404). */
  | { route: "notfound"; snapshot: SiteSnapshot };
