import { describe, expect, test } from "vitest";
import type { ComponentStatus } from "../../domain/components.ts";
import { viewComponents } from "../../api/service/components.ts";
import type { ComponentRecord, IncidentRecord, UpdateRecord } from "../../db/records.ts";
import type { SiteSnapshot } from "./snapshot.ts";
import { component, PAGE_ID, PAGE_URL, snapshot } from "./test-fixtures.ts";
import { computeUptime } from "../../domain/uptime.ts";
import {
  postmortemView,
  levelBadge,
  listedWindow,
  percentText,
  affectedNames,
  barPath,
  barView,
  componentBadge,
  componentRows,
  durationText,
  excerpt,
  expectRoute,
  historyView,
  impactBadge,
  indicatorBadge,
  layoutView,
  pastDays,
  severityText,
  stateBadge,
  updateViews,
  windowView,
} from "./view.ts";

const NOW = "2026-11-27T15:30:00.000Z";

function comp(over: Partial<ComponentRecord> & { id: string; name: string }): ComponentRecord {
  // A stored record: the view's derived child list is not part of it.
  const { childIds: _derived, ...record } = component(over);
  return record;
}

function upd(incidentId: string, seq: number, status: UpdateRecord["status"], displayAt: string, body = `Update ${seq}.`): UpdateRecord {
  return { id: `${incidentId}-${seq}`, incidentId, seq, status, body, author: "Cole", deliverNotifications: true, reopened: false, createdAt: displayAt, displayAt, affected: [] };
}

function inc(over: Partial<IncidentRecord> & { id: string }): IncidentRecord {
  return {
    kind: "incident",
    name: `Incident ${over.id}`,
    status: "resolved",
    severity: "SEV2",
    impact: "major",
    createdAt: NOW,
    updatedAt: NOW,
    startedAt: NOW,
    identifiedAt: null,
    monitoringAt: null,
    resolvedAt: null,
    scheduledFor: null,
    scheduledUntil: null,
    updates: [],
    componentIds: [],
    ...over,
  };
}

function snap(over: Partial<SiteSnapshot> = {}, timeZone = "UTC"): SiteSnapshot {
  return snapshot({ page: { id: PAGE_ID, name: "Acme", url: PAGE_URL, timeZone, updatedAt: NOW }, generatedAt: NOW, ...over });
}

describe("badges: words, icon and tone for every status", () => {
  test("component statuses use the domain labels and a distinct icon each", () => {
    const all: ComponentStatus[] = ["operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"];
    const badges = all.map((status) => componentBadge(status));
    expect(badges.map((b) => b.label)).toEqual(["Operational", "Degraded Performance", "Partial Outage", "Major Outage", "Under Maintenance"]);
    expect(badges.map((b) => b.tone)).toEqual(["ok", "minor", "partial", "major", "maint"]);
    expect(new Set(badges.map((b) => b.icon)).size).toBe(5);
  });

  test("the banner keeps Statuspage's description", () => {
    expect(indicatorBadge({ indicator: "none", description: "All Systems Operational" })).toEqual({ label: "All Systems Operational", icon: "✓", tone: "ok" });
    expect(indicatorBadge({ indicator: "major", description: "Partial System Outage" }).tone).toBe("partial");
    expect(indicatorBadge({ indicator: "critical", description: "Major System Outage" }).tone).toBe("major");
    expect(indicatorBadge({ indicator: "maintenance", description: "Service Under Maintenance" }).tone).toBe("maint");
  });

  test("impacts and severities", () => {
    expect(impactBadge("critical").label).toBe("Critical impact");
    expect(impactBadge("none").label).toBe("No impact");
    expect(impactBadge("maintenance").label).toBe("Maintenance");
    expect(severityText("SEV1")).toBe("SEV1 · Critical");
    expect(severityText("SEV4")).toBe("SEV4 · Low");
    expect(severityText(null)).toBeNull();
  });

  test("state: resolved is green, open takes its impact's tone, maintenance is blue", () => {
    expect(stateBadge(inc({ id: "a", status: "resolved" }))).toMatchObject({ label: "Resolved", tone: "ok" });
    expect(stateBadge(inc({ id: "a", status: "identified", impact: "critical" }))).toMatchObject({ label: "Identified", tone: "major" });
    expect(stateBadge(inc({ id: "a", kind: "maintenance", status: "in_progress", impact: "maintenance" }))).toMatchObject({ label: "In progress", tone: "maint" });
  });

  test("the state icon says the stage, never the damage: monitoring is not a red ✕", () => {
    const stages = (["investigating", "identified", "monitoring", "resolved"] as const).map((status) => stateBadge(inc({ id: "a", status, impact: "critical" })));
    expect(stages.map((b) => b.icon)).toEqual(["◔", "◑", "◕", "✓"]);
    expect(stages.map((b) => b.tone)).toEqual(["major", "major", "info", "ok"]);
    expect(stages.map((b) => b.icon)).not.toContain("✕");
  });

  test("severity is said one way: the severity badge in its impact's colour, the impact only without one", () => {
    expect(levelBadge(inc({ id: "a", severity: "SEV1", impact: "critical" }))).toEqual({ label: "SEV1 · Critical", icon: "✕", tone: "major" });
    expect(levelBadge(inc({ id: "a", severity: null, impact: "minor" }))).toEqual({ label: "Minor impact", icon: "▲", tone: "minor" });
  });
});

describe("postmortemView", () => {
  test("owners of action items are shown only when the team says so (POSTMORTEM_SHOW_OWNERS)", () => {
    const incident = inc({
      id: "p",
      status: "resolved",
      resolvedAt: NOW,
      postmortem: {
        incidentId: "p", body: "## Summary\n\nIt broke.", author: "Ada", createdAt: NOW, updatedAt: NOW, publishedAt: NOW, notifiedAt: null,
        actionItems: [{ description: "Alert on queue depth", owner: "@alice", dueDate: "2026-11-30", done: false }],
      },
    });
    const hidden = postmortemView(incident, { timeZone: "UTC" })!.html;
    expect(hidden).toContain("☐ Alert on queue depth (2026-11-30)");
    expect(hidden).not.toContain("@alice");
    expect(postmortemView(incident, { timeZone: "UTC", showOwners: true })!.html).toContain("☐ Alert on queue depth (@alice, 2026-11-30)");
  });
});

describe("percentText", () => {
  test("never 100 % beside a coloured day", () => {
    expect(percentText(1, 0)).toBe("100 % uptime");
    expect(percentText(1, 2)).toBe("No outages");
    expect(percentText(0.99999, 1)).toBe("99.99 % uptime");
    expect(percentText(null, 0)).toBe("No data");
  });
});

describe("listedWindow", () => {
  test("a maintenance completed before its scheduled start shows when it really ran, never an end before its start", () => {
    const early = inc({
      id: "m",
      kind: "maintenance",
      status: "completed",
      impact: "maintenance",
      createdAt: "2026-12-03T07:00:00Z",
      scheduledFor: "2026-12-03T09:39:00Z",
      scheduledUntil: "2026-12-03T11:00:00Z",
      resolvedAt: "2026-12-03T07:40:00Z",
      updates: [upd("m", 1, "in_progress", "2026-12-03T07:10:00Z", "Started early."), upd("m", 2, "completed", "2026-12-03T07:40:00Z", "Done.")],
    });
    const w = listedWindow(early, "UTC");
    expect([w.start.iso, w.end?.iso]).toEqual(["2026-12-03T07:10:00.000Z", "2026-12-03T07:40:00.000Z"]);
    const never = { ...early, updates: [upd("m", 1, "completed", "2026-12-03T07:40:00Z", "Done.")] };
    const n = listedWindow(never, "UTC");
    expect(Date.parse(n.start.iso)).toBeLessThanOrEqual(Date.parse(n.end!.iso));
  });
});

describe("componentRows", () => {
  const records = [
    comp({ id: "g2", name: "Regions", isGroup: true, position: 2 }),
    comp({ id: "g1", name: "Core", isGroup: true, position: 1 }),
    comp({ id: "solo", name: "Status emails", position: 3, showcase: false }),
    comp({ id: "db", name: "Database", groupId: "g1", position: 2, status: "partial_outage", description: "  Primary store  " }),
    comp({ id: "api", name: "API", groupId: "g1", position: 1 }),
    comp({ id: "eu", name: "EU", groupId: "g2", position: 1, onlyShowIfDegraded: true }),
    comp({ id: "us", name: "US", groupId: "g2", position: 2, onlyShowIfDegraded: true, status: "degraded_performance" }),
    comp({ id: "g3", name: "Empty when fine", isGroup: true, position: 4 }),
    comp({ id: "old", name: "Old export", groupId: "g3", onlyShowIfDegraded: true }),
  ];
  const rows = componentRows(snap({ components: viewComponents(records) }));

  test("top level and children by position; hidden ones left out", () => {
    expect(rows.map((r) => r.name)).toEqual(["Core", "Regions", "Status emails"]);
    const core = rows[0]!;
    const regions = rows[1]!;
    expect(core.isGroup && core.children.map((c) => c.name)).toEqual(["API", "Database"]);
    // EU only shows when degraded and is operational; US is degraded, so it shows.
    expect(regions.isGroup && regions.children.map((c) => c.name)).toEqual(["US"]);
  });

  test("a group shows its derived status and is open when not operational", () => {
    const core = rows[0]!;
    expect(core.badge.label).toBe("Partial Outage");
    expect(core.isGroup && core.open).toBe(true);
    expect(rows[1]!.badge.label).toBe("Degraded Performance");
  });

  test("descriptions are trimmed; showcase decides the bar", () => {
    const core = rows[0]!;
    expect(core.isGroup && core.children[1]!.description).toBe("Primary store");
    expect(core.isGroup && core.children[0]!.bar?.percent).toBe("100 % uptime");
    // Database has been in partial outage all along (no recorded change): 30 % down.
    expect(core.isGroup && core.children[1]!.bar?.percent).toBe("70.00 % uptime");
    expect(rows[2]!.bar).toBeNull();
  });

  test("an all-operational group is closed", () => {
    const closed = componentRows(snap({ components: viewComponents([comp({ id: "g", name: "G", isGroup: true }), comp({ id: "c", name: "C", groupId: "g" })]) }));
    expect(closed[0]!.isGroup && closed[0]!.open).toBe(false);
  });
});

describe("barView", () => {
  const c = viewComponents([comp({ id: "api", name: "API", createdAt: "2026-11-20T00:00:00Z" })]);
  const uptime = computeUptime({
    components: c,
    statusChanges: [
      { componentId: "api", oldStatus: null, newStatus: "operational", changedAt: "2026-11-20T00:00:00Z" },
      { componentId: "api", oldStatus: "operational", newStatus: "major_outage", changedAt: "2026-11-25T10:00:00Z" },
      { componentId: "api", oldStatus: "major_outage", newStatus: "operational", changedAt: "2026-11-25T10:30:00Z" },
    ],
    generatedAt: NOW,
    timeZone: "UTC",
  }).get("api")!;
  const bar = barView("API", uptime);

  test("a path is a run of days: 3 units a day, 5 a step, 448 for all 90", () => {
    expect(barPath(0)).toBe("M0 17h3");
    expect(barPath(87)).toBe("M435 17h3");
    expect(barPath(0, 90)).toBe("M0 17h448");
    expect(barPath(2, 3)).toBe("M10 17h13");
  });

  test("one entry a day: a note (tone and text) for a day not fully operational, null for the others", () => {
    expect(bar.days).toHaveLength(90);
    expect(bar.days[0]).toBeNull(); // no data: drawn by the SVG
    // The day's colour is its worst status: 30 minutes of major outage make a red day.
    expect(bar.days.at(-3)).toEqual({ tone: "major", text: "Nov 25: Major outage (30 min); 97.91 % uptime" });
    expect(bar.days.at(-1)).toBeNull(); // operational: the background
    expect(bar.notable).toBe(1);
    expect(bar.base).toBe("No downtime");
  });

  test("days without data are one run, with its dates on hover; a notable day is drawn in its colour", () => {
    // Created Nov 20: the 82 days from Aug 30 to Nov 19 have no data. Nov 25 is the 88th day.
    expect(bar.runs).toEqual([
      { d: "M0 17h408", tone: "nodata", title: "Aug 30 – Nov 19: No data" },
      { d: "M435 17h3", tone: "major", title: null },
    ]);
  });

  test("runs of days without data, a single one named by its day; maintenance and degradation are notes", () => {
    const c2 = viewComponents([comp({ id: "db", name: "DB", createdAt: "2026-11-25T00:00:00Z" })]);
    const u = computeUptime({
      components: c2,
      statusChanges: [
        { componentId: "db", oldStatus: null, newStatus: "operational", changedAt: "2026-11-25T00:00:00Z" },
        { componentId: "db", oldStatus: "operational", newStatus: "under_maintenance", changedAt: "2026-11-25T01:00:00Z" },
        { componentId: "db", oldStatus: "under_maintenance", newStatus: "degraded_performance", changedAt: "2026-11-25T03:00:00Z" },
        { componentId: "db", oldStatus: "degraded_performance", newStatus: "operational", changedAt: "2026-11-25T03:20:00Z" },
      ],
      generatedAt: NOW,
      timeZone: "UTC",
      days: 4,
    }).get("db")!;
    const b = barView("DB", u);
    expect(b.runs).toEqual([
      { d: "M0 17h3", tone: "nodata", title: "Nov 24: No data" },
      { d: "M5 17h3", tone: "minor", title: null },
    ]);
    expect(b.days).toEqual([null, { tone: "minor", text: "Nov 25: Degraded performance (20 min), Maintenance (2 h); 100 % uptime" }, null, null]);
    expect(b.summary).toBe("1 day not fully operational");
    // Degraded counts as up, but the percentage never reads 100 % beside a coloured day.
    expect(b.percent).toBe("No outages");
  });

  test("a day's note names the incidents of that day: two at most, then how many more", () => {
    const named = barView("API", uptime, new Map([["2026-11-25", ["Errors", "Latency", "Timeouts"]]]));
    expect(named.days.at(-3)?.text).toBe("Nov 25: Major outage (30 min); 97.91 % uptime. Errors; Latency and 1 more");
  });

  test("a text alternative with percentage, outage days and days without data", () => {
    // 7 full days + 15.5 h today = 11010 min, 30 of them down: 99.727 %.
    expect(bar.percent).toBe("99.72 % uptime");
    expect(bar.label).toBe("API: 99.72 % uptime over the last 90 days, 1 day with outages, 82 days without data");
    expect(bar.summary).toBe("1 day not fully operational");
  });
});

describe("updates and durations", () => {
  const incident = inc({
    id: "i1",
    startedAt: "2026-11-27T12:00:00Z",
    resolvedAt: "2026-11-27T13:55:00Z",
    updates: [
      upd("i1", 2, "identified", "2026-11-27T12:30:00Z", "Found it."),
      upd("i1", 3, "resolved", "2026-11-27T13:55:00Z", "**Fixed**. <script>alert(1)</script>"),
      upd("i1", 1, "investigating", "2026-11-27T12:00:00Z", "Looking."),
    ],
  });

  test("newest first, labelled, rendered, posted in the page zone", () => {
    const views = updateViews(incident, "America/New_York");
    expect(views.map((u) => u.status)).toEqual(["Resolved", "Identified", "Investigating"]);
    expect(views[0]!.html).toContain("<strong>Fixed</strong>");
    expect(views[0]!.html).not.toContain("<script");
    expect(views[0]!.posted).toEqual({ iso: "2026-11-27T13:55:00.000Z", text: "Nov 27, 2026 - 08:55 EST" });
  });

  test("durations once over", () => {
    expect(durationText(incident)).toBe("Resolved after 1 h 55 min");
    expect(durationText({ ...incident, status: "monitoring", resolvedAt: null })).toBeNull();
    const maint = inc({
      id: "m1",
      kind: "maintenance",
      status: "completed",
      impact: "maintenance",
      severity: null,
      startedAt: "2026-11-20T00:00:00Z",
      scheduledFor: "2026-11-27T02:00:00Z",
      resolvedAt: "2026-11-27T04:05:00Z",
      updates: [upd("m1", 1, "scheduled", "2026-11-20T00:00:00Z"), upd("m1", 2, "in_progress", "2026-11-27T02:05:00Z"), upd("m1", 3, "completed", "2026-11-27T04:05:00Z")],
    });
    expect(durationText(maint)).toBe("Completed after 2 h");
  });

  test("affected components by current name in page order, deleted ones by their recorded name", () => {
    const components = viewComponents([
      comp({ id: "g", name: "Core", isGroup: true, position: 1 }),
      comp({ id: "db", name: "Database", groupId: "g", position: 2 }),
      comp({ id: "api", name: "API (renamed)", groupId: "g", position: 1 }),
    ]);
    const withAffected = inc({
      id: "x",
      componentIds: ["db", "api"],
      updates: [{ ...upd("x", 1, "investigating", NOW), affected: [{ componentId: "gone", name: "Old CDN", oldStatus: "operational", newStatus: "major_outage" }] }],
    });
    expect(affectedNames(withAffected, components).map((a) => a.name)).toEqual(["API (renamed)", "Database", "Old CDN"]);
    // Each current component links to its own page; one since deleted is its recorded name alone.
    expect(affectedNames(withAffected, components).map((a) => a.href)).toEqual([expect.stringMatching(/^\/components\/\w+$/), expect.stringMatching(/^\/components\/\w+$/), null]);
  });
});

describe("excerpt", () => {
  test("plain text from Markdown", () => {
    expect(excerpt("**Fixed** the [pool](https://example.com/x).\n\nAll good.")).toBe("Fixed the pool (https://example.com/x). All good.");
  });
  test("cut at a word boundary with an ellipsis", () => {
    const text = "word ".repeat(60);
    const cut = excerpt(text, 40);
    expect(cut.length).toBeLessThanOrEqual(40);
    expect(cut).toMatch(/^(word )+word…$/);
  });
  test("raw HTML stays text (the page escapes it)", () => {
    expect(excerpt("<script>alert(1)</script>")).toBe("<script>alert(1)</script>");
  });
});

describe("pastDays", () => {
  test("15 days, today first, in the page zone; quiet days in a row are one line", () => {
    const quiet = pastDays(snap({}, "America/New_York"));
    expect(quiet).toEqual([{ key: "2026-11-27", title: "Nov 13 – Nov 27, 2026", incidents: [] }]);
    const one = inc({ id: "one", createdAt: "2026-11-20T12:00:00Z" });
    const days = pastDays(snap({ recentIncidents: [one] }, "America/New_York"));
    expect(days.map((d) => [d.key, d.title, d.incidents.length])).toEqual([
      ["2026-11-27", "Nov 21 – Nov 27, 2026", 0],
      ["2026-11-20", "Nov 20, 2026", 1],
      ["2026-11-19", "Nov 13 – Nov 19, 2026", 0],
    ]);
  });

  test("what is still open is shown above, not repeated under past incidents", () => {
    const open = inc({ id: "open", status: "identified", createdAt: "2026-11-27T10:00:00Z", resolvedAt: null });
    const running = inc({ id: "running", kind: "maintenance", status: "in_progress", impact: "maintenance", createdAt: "2026-11-26T00:00:00Z", scheduledFor: "2026-11-27T09:00:00Z" });
    const done = inc({ id: "done", createdAt: "2026-11-27T08:00:00Z" });
    const days = pastDays(snap({ recentIncidents: [open, running, done], unresolvedIncidents: [open], activeMaintenances: [running] }, "UTC"));
    expect(days.flatMap((d) => d.incidents.map((i) => i.id))).toEqual(["done"]);
  });

  test("incidents on the day they were created (page zone), newest first, with their latest status", () => {
    const late = inc({ id: "late", createdAt: "2026-11-27T03:00:00Z", updates: [upd("late", 1, "resolved", "2026-11-27T04:00:00Z", "Done.")] });
    const earlier = inc({ id: "earlier", createdAt: "2026-11-26T15:00:00Z" });
    const old = inc({ id: "old", createdAt: "2026-10-01T00:00:00Z", updatedAt: "2026-11-20T12:00:00Z" });
    const future = inc({ id: "future", kind: "maintenance", status: "scheduled", impact: "maintenance", createdAt: "2026-11-26T00:00:00Z", scheduledFor: "2026-12-01T02:00:00Z" });
    const days = pastDays(snap({ recentIncidents: [earlier, old, late, future] }, "America/New_York"));
    const byKey = Object.fromEntries(days.map((d) => [d.key, d.incidents.map((i) => i.id)]));
    // 03:00 UTC on the 27th is the 26th in New York.
    expect(byKey["2026-11-26"]).toEqual(["late", "earlier"]);
    expect(byKey["2026-11-20"]).toEqual(["old"]);
    expect(days.flatMap((d) => d.incidents.map((i) => i.id))).not.toContain("future");
    const lateItem = days[1]!.incidents[0]!;
    expect(lateItem.latest).toEqual({ status: "Resolved", text: "Done.", posted: { iso: "2026-11-27T04:00:00.000Z", text: "Nov 26, 23:00 EST" } });
    expect(lateItem.href).toBe("/incidents/late");
  });
});

describe("historyView", () => {
  const months = ["2026-11", "2026-09", "2026-08"];
  const a = inc({ id: "a", createdAt: "2026-09-03T10:00:00Z", resolvedAt: "2026-09-03T11:00:00Z" });
  const b = inc({ id: "b", createdAt: "2026-09-20T10:00:00Z" });
  const m = inc({ id: "m", kind: "maintenance", impact: "maintenance", severity: null, createdAt: "2026-08-01T00:00:00Z", scheduledFor: "2026-09-10T02:00:00Z", scheduledUntil: "2026-09-10T04:00:00Z" });

  test("one month, newest first, with neighbours that have incidents", () => {
    const v = historyView({ route: "history", snapshot: snap(), month: { month: "2026-09", incidents: [a, m, b] }, months });
    expect(v.title).toBe("September 2026");
    expect(v.incidents.map((i) => i.id)).toEqual(["b", "m", "a"]);
    expect(v.newer).toEqual({ month: "2026-11", href: "/history/2026-11", label: "November 2026" });
    expect(v.older).toEqual({ month: "2026-08", href: "/history/2026-08", label: "August 2026" });
    expect(v.months.filter((x) => x.current).map((x) => x.month)).toEqual(["2026-09"]);
    expect(v.incidents[1]!.when.start.text).toBe("Sep 10, 02:00");
    expect(v.incidents[1]!.when.end?.text).toBe("04:00 UTC");
  });

  test("the newest and the oldest month have one neighbour; an empty archive none", () => {
    expect(historyView({ route: "history", snapshot: snap(), month: { month: "2026-11", incidents: [] }, months }).newer).toBeNull();
    expect(historyView({ route: "history", snapshot: snap(), month: { month: "2026-08", incidents: [] }, months }).older).toBeNull();
    const empty = historyView({ route: "history", snapshot: snap(), month: { month: "2026-11", incidents: [] }, months: [] });
    expect(empty).toMatchObject({ newer: null, older: null, months: [], incidents: [] });
  });
});

describe("layout and routes", () => {
  test("feed autodiscovery and last updated", () => {
    const l = layoutView(snap({}, "America/New_York"), "API down");
    expect(l.title).toBe("API down - Acme");
    expect(l.feedUrl).toBe("https://status.example.com/history.rss");
    expect(l.feedTitle).toBe("Acme Status - Incident History");
    expect(l.updated).toEqual({ iso: NOW, text: "Nov 27, 10:30 EST" });
  });

  test("windows split into two <time>s", () => {
    expect(windowView("2026-12-03T02:00:00Z", "2026-12-03T04:00:00Z", "UTC")).toEqual({
      start: { iso: "2026-12-03T02:00:00.000Z", text: "Dec 3, 02:00" },
      end: { iso: "2026-12-03T04:00:00.000Z", text: "04:00 UTC" },
    });
    expect(windowView("2026-12-03T02:00:00Z", null, "UTC").end).toBeNull();
  });

  test("expectRoute refuses the wrong locals with a clear message", () => {
    expect(() => expectRoute({}, "home")).toThrow(/route "home", got route "undefined"/);
    expect(() => expectRoute(undefined, "home")).toThrow(/got undefined/);
    expect(() => expectRoute({ route: "incident", snapshot: snap() }, "incident")).toThrow(/no incident/);
    const home = { route: "home" as const, snapshot: snap() };
    expect(expectRoute(home, "home")).toBe(home);
  });
});
