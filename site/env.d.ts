/// <reference types="astro/client" />

/**
 * What every page reads: `Astro.locals` is the RouteData the renderer (site/render.ts) passes in.
 * Pages narrow it with `expectRoute(Astro.locals, "<route>")` from site/lib/view.ts.
 */
declare namespace App {
  interface Locals {
    route: import("./lib/snapshot.ts").RouteData["route"];
    snapshot: import("./lib/snapshot.ts").SiteSnapshot;
    incident?: import("../db/records.ts").IncidentRecord;
    month?: import("./lib/snapshot.ts").HistoryMonth;
    months?: string[];
  }
}
