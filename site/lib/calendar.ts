/**
 * The maintenance calendar, /maintenances.ics (RFC 5545, written by `ical-generator`): every
 * upcoming, active and recent maintenance as a VEVENT whose UID never changes (`<id>@<page host>`),
 * whose SEQUENCE grows each time its window moves (and once more when it is cancelled), with
 * STATUS:CANCELLED for one called off, the affected components and the latest words in the
 * description, times in UTC. A calendar that subscribes to it updates events in place.
 */
import { wordsOf } from "../../locales/words.ts";
import ical, { ICalCalendarMethod, ICalEventStatus } from "ical-generator";
import type { IncidentRecord } from "../../db/records.ts";
import { incidentUrl } from "../../api/serialize.ts";
import { renderMarkdownToText } from "../../templates/markdown.ts";
import type { SiteSnapshot } from "./snapshot.ts";

export const CALENDAR_PATH = "/maintenances.ics";

/** Every maintenance the snapshot knows, once each, soonest first. */
function maintenancesOf(snapshot: SiteSnapshot): IncidentRecord[] {
  const byId = new Map<string, IncidentRecord>();
  for (const m of [...snapshot.latestMaintenances, ...snapshot.activeMaintenances, ...snapshot.upcomingMaintenances]) {
    if (m.kind === "maintenance" && m.scheduledFor && m.scheduledUntil && !byId.has(m.id)) byId.set(m.id, m);
  }
  return [...byId.values()].sort((a, b) => Date.parse(a.scheduledFor!) - Date.parse(b.scheduledFor!) || (a.id < b.id ? -1 : 1));
}

export function maintenanceCalendar(snapshot: SiteSnapshot): string {
  const { page } = snapshot;
  const host = new URL(page.url).hostname;
  const names = new Map(snapshot.components.map((c) => [c.id, c.name]));
  const w = wordsOf(page);
  const calendar = ical({
    name: w.t("calendar.name", { page: page.name }),
    description: w.t("calendar.description", { page: page.name }),
    prodId: { company: "Herald", product: "Status page", language: w.locale.toUpperCase() },
    method: ICalCalendarMethod.PUBLISH,
    url: `${page.url}${CALENDAR_PATH}`,
    // Calendar apps poll subscribed feeds; ask for hourly (RFC 7986 REFRESH-INTERVAL, and the Microsoft/Apple hint).
    ttl: 60 * 60,
  });
  for (const m of maintenancesOf(snapshot)) {
    const components = m.componentIds.map((id) => names.get(id)).filter((n): n is string => n !== undefined);
    const latest = [...m.updates].sort((a, b) => b.seq - a.seq)[0];
    const description = [
      components.length > 0 ? w.t("calendar.affected", { names: components.join(w.t("list.separator")) }) : null,
      latest ? renderMarkdownToText(latest.body).trim() : null,
      incidentUrl(page, m),
    ].filter((line): line is string => !!line);
    calendar.createEvent({
      id: `${m.id}@${host}`,
      sequence: m.scheduleSequence ?? 0,
      // When this version of the event was made: the last change, so unchanged events keep their bytes.
      stamp: new Date(m.updatedAt),
      start: new Date(m.scheduledFor!),
      end: new Date(m.scheduledUntil!),
      summary: m.cancelledAt ? w.t("calendar.cancelled", { name: m.name }) : m.name,
      description: description.join("\n\n"),
      url: incidentUrl(page, m),
      status: m.cancelledAt ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    });
  }
  return calendar.toString();
}
