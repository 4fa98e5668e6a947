/**
 * Small builders for SiteSnapshot fixtures, shared by the statuspage and feed tests.
 * Test-only: nothing outside *.test.ts should import this.
 */
import type { ComponentView } from "../../api/service/components.ts";
import type { IncidentRecord, UpdateRecord } from "../../db/records.ts";
import type { SiteSnapshot } from "./snapshot.ts";

export const PAGE_ID = "pg0000000001";
export const PAGE_URL = "https://status.example.com";

/** `base` plus `minutes` minutes, as ISO UTC. */
export function at(base: string, minutes: number): string {
  return new Date(Date.parse(base) + minutes * 60_000).toISOString();
}

/** A 12-char lowercase base36 id from a prefix and a number ("in" 7 → "in0000000007"). */
export function fid(prefix: string, n: number): string {
  const tail = String(n);
  return prefix + "0".repeat(Math.max(0, 12 - prefix.length - tail.length)) + tail;
}

export function component(over: Partial<ComponentView> & { id: string; name: string }): ComponentView {
  return {
    description: null,
    isGroup: false,
    groupId: null,
    position: 1,
    status: "operational",
    showcase: true,
    onlyShowIfDegraded: false,
    startDate: null,
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-01T00:00:00.000Z",
    childIds: [],
    ...over,
  };
}

export function update(over: Partial<UpdateRecord> & { id: string; incidentId: string; seq: number; status: UpdateRecord["status"]; displayAt: string }): UpdateRecord {
  return {
    body: `Update ${over.seq}.`,
    author: "Cole Comms",
    deliverNotifications: true,
    reopened: false,
    createdAt: over.displayAt,
    affected: [],
    ...over,
  };
}

/**
 * An incident (or maintenance) whose updates are given oldest first as [status, displayAt, body?];
 * they are stored newest first, as the store hands them out. Update ids are the incident id's last
 * nine characters plus a 3-digit sequence number, so distinct incident ids give distinct update ids.
 */
export function incident(
  over: Partial<IncidentRecord> & { id: string; name: string },
  steps: ReadonlyArray<readonly [UpdateRecord["status"], string, string?]> = [],
): IncidentRecord {
  const kind = over.kind ?? "incident";
  const updates = steps.map(([status, displayAt, body], n) =>
    update({ id: over.id.slice(-9) + String(n + 1).padStart(3, "0"), incidentId: over.id, seq: n + 1, status, displayAt, ...(body === undefined ? {} : { body }) }),
  );
  const first = steps[0]?.[1] ?? "2026-03-01T00:00:00.000Z";
  const last = steps[steps.length - 1]?.[1] ?? first;
  const lastStatus = steps[steps.length - 1]?.[0] ?? (kind === "maintenance" ? "scheduled" : "investigating");
  return {
    kind,
    status: lastStatus,
    severity: kind === "incident" ? "SEV2" : null,
    impact: kind === "incident" ? "major" : "maintenance",
    createdAt: first,
    updatedAt: last,
    startedAt: first,
    identifiedAt: null,
    monitoringAt: null,
    resolvedAt: null,
    scheduledFor: null,
    scheduledUntil: null,
    componentIds: [],
    ...over,
    updates: over.updates ?? [...updates].reverse(),
  };
}

/** An empty, all-operational snapshot; pass the lists a test needs. */
export function snapshot(over: Partial<SiteSnapshot> = {}): SiteSnapshot {
  return {
    page: { id: PAGE_ID, name: "Acme", url: PAGE_URL, timeZone: "Etc/UTC", updatedAt: "2026-03-29T12:00:00.000Z" },
    generatedAt: "2026-03-29T12:00:00.000Z",
    status: { indicator: "none", description: "All Systems Operational" },
    components: [],
    unresolvedIncidents: [],
    activeMaintenances: [],
    upcomingMaintenances: [],
    recentIncidents: [],
    latestIncidents: [],
    latestMaintenances: [],
    feedIncidents: [],
    statusChanges: [],
    ...over,
  };
}
