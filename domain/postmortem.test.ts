import { describe, expect, test } from "vitest";
import {
  actionHorizon,
  actionItemLine,
  actionItemsMarkdown,
  checkPublish,
  isPostmortemShown,
  publishedMarkdown,
  responseMetrics,
  type ActionItem,
} from "./postmortem.ts";

const MIN = 60_000;
const T0 = "2024-01-15T14:05:00.000Z";
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * MIN).toISOString();

describe("publishing rule", () => {
  test("only a resolved incident can have a published postmortem", () => {
    expect(checkPublish("incident", "resolved")).toEqual({ ok: true });
    // Nothing of a drill is public, not even its postmortem.
    const drill = checkPublish("incident", "resolved", true);
    expect(drill.ok).toBe(false);
    expect(drill.ok ? "" : drill.message).toContain("drill");
    for (const status of ["investigating", "identified", "monitoring"]) {
      const check = checkPublish("incident", status);
      expect(check.ok).toBe(false);
      expect(!check.ok && check.message).toContain(`this one is ${status}`);
    }
  });

  test("maintenances never have one", () => {
    expect(checkPublish("maintenance", "completed")).toEqual({ ok: false, message: "Scheduled maintenances do not have postmortems." });
  });

  test("a published postmortem is shown only while the incident is resolved", () => {
    expect(isPostmortemShown("resolved", T0)).toBe(true);
    expect(isPostmortemShown("resolved", null)).toBe(false);
    expect(isPostmortemShown("investigating", T0)).toBe(false); // reopened: hidden until resolved again
  });
});

describe("response metrics", () => {
  test("the seed's timeline: identify 10 min, monitor 25 min, resolve 55 min", () => {
    const m = responseMetrics(T0, "resolved", [
      { status: "investigating", at: at(0), seq: 1 },
      { status: "identified", at: at(10), seq: 2 },
      { status: "monitoring", at: at(25), seq: 3 },
      { status: "resolved", at: at(55), seq: 4 },
    ]);
    expect(m).toMatchObject({ timeToIdentifyMs: 10 * MIN, timeToMonitorMs: 25 * MIN, timeToResolveMs: 55 * MIN, identifiedAt: at(10), resolvedAt: at(55) });
  });

  test("a skipped stage is reached by the first later one; updates are taken in posting order", () => {
    const m = responseMetrics(T0, "resolved", [
      { status: "resolved", at: at(40), seq: 3 },
      { status: "investigating", at: at(0), seq: 1 },
      { status: "monitoring", at: at(20), seq: 2 },
    ]);
    expect(m.timeToIdentifyMs).toBe(20 * MIN);
    expect(m.timeToMonitorMs).toBe(20 * MIN);
    expect(m.timeToResolveMs).toBe(40 * MIN);
  });

  test("a relapse keeps the first identification; a reopened incident counts its last resolution", () => {
    const m = responseMetrics(T0, "resolved", [
      { status: "investigating", at: at(0), seq: 1 },
      { status: "identified", at: at(5), seq: 2 },
      { status: "resolved", at: at(30), seq: 3 },
      { status: "investigating", at: at(60), seq: 4 },
      { status: "resolved", at: at(90), seq: 5 },
    ]);
    expect(m.timeToIdentifyMs).toBe(5 * MIN);
    expect(m.timeToMonitorMs).toBe(30 * MIN);
    expect(m.timeToResolveMs).toBe(90 * MIN);
  });

  test("stages not reached are null; an open incident has no resolution even after an earlier one", () => {
    const open = responseMetrics(T0, "investigating", [
      { status: "investigating", at: at(0), seq: 1 },
      { status: "resolved", at: at(30), seq: 2 },
      { status: "investigating", at: at(40), seq: 3 },
    ]);
    expect(open.resolvedAt).toBeNull();
    expect(open.timeToResolveMs).toBeNull();
    const early = responseMetrics(T0, "investigating", [{ status: "investigating", at: at(0), seq: 1 }]);
    expect([early.timeToIdentifyMs, early.timeToMonitorMs, early.timeToResolveMs]).toEqual([null, null, null]);
  });

  test("a backdated update never gives a negative duration", () => {
    expect(responseMetrics(T0, "investigating", [{ status: "identified", at: at(-5), seq: 1 }]).timeToIdentifyMs).toBe(0);
  });
});

describe("action items", () => {
  const items: ActionItem[] = [
    { description: "Implement connection pool auto-scaling", owner: "alice", dueDate: "2024-01-17", done: false },
    { description: "Implement circuit breakers", owner: "@alice", dueDate: "2024-01-25", done: true },
    { description: "Implement capacity planning process", owner: null, dueDate: null, done: false },
  ];

  test("horizons: within a week, within a month, later or undated", () => {
    expect(actionHorizon("2024-01-22", "2024-01-15")).toBe("immediate");
    expect(actionHorizon("2024-01-23", "2024-01-15")).toBe("short");
    expect(actionHorizon("2024-02-15", "2024-01-15")).toBe("short");
    expect(actionHorizon("2024-02-16", "2024-01-15")).toBe("long");
    expect(actionHorizon(null, "2024-01-15")).toBe("long");
  });

  test("lines in the seed's format", () => {
    expect(items.map((item) => actionItemLine(item))).toEqual([
      "- [ ] Implement connection pool auto-scaling (@alice, 2024-01-17)",
      "- [x] Implement circuit breakers (@alice, 2024-01-25)",
      "- [ ] Implement capacity planning process",
    ]);
    // Owners are team names: shown to customers only when the team says so.
    expect(items.map((item) => actionItemLine(item, { showOwners: false }))).toEqual([
      "- [ ] Implement connection pool auto-scaling (2024-01-17)",
      "- [x] Implement circuit breakers (2024-01-25)",
      "- [ ] Implement capacity planning process",
    ]);
  });

  test("grouped under the seed's headings, empty groups left out", () => {
    expect(actionItemsMarkdown(items, "2024-01-15")).toBe(
      [
        "### Immediate (This Week)",
        "- [ ] Implement connection pool auto-scaling (@alice, 2024-01-17)",
        "",
        "### Short-term (This Month)",
        "- [x] Implement circuit breakers (@alice, 2024-01-25)",
        "",
        "### Long-term (This Quarter)",
        "- [ ] Implement capacity planning process",
      ].join("\n"),
    );
    expect(actionItemsMarkdown([items[2]!], "2024-01-15")).toBe("### Long-term (This Quarter)\n- [ ] Implement capacity planning process");
  });

  test("the tracked items replace the body's Action Items section, and only it", () => {
    const body = "# Postmortem\n\n## Impact\nSome.\n\n## Action Items\n\n### Immediate (This Week)\n- [ ] placeholder\n\n## Lessons Learned\n1. One";
    const out = publishedMarkdown(body, [items[0]!], "2024-01-15");
    expect(out).toBe(
      "# Postmortem\n\n## Impact\nSome.\n\n## Action Items\n\n### Immediate (This Week)\n- [ ] Implement connection pool auto-scaling (@alice, 2024-01-17)\n\n## Lessons Learned\n1. One",
    );
    expect(out).not.toContain("placeholder");
  });

  test("a body without the section gets it appended; no items leaves the body as written; fenced headings are text", () => {
    expect(publishedMarkdown("Just words.", [items[2]!], "2024-01-15")).toBe(
      "Just words.\n\n## Action Items\n\n### Long-term (This Quarter)\n- [ ] Implement capacity planning process\n",
    );
    const body = "## Action Items\n- [ ] written by hand";
    expect(publishedMarkdown(body, [], "2024-01-15")).toBe(body);
    const fenced = "```\n## Action Items\n```\ntext";
    expect(publishedMarkdown(fenced, [items[2]!], "2024-01-15")).toMatch(/^```\n## Action Items\n```\ntext\n\n## Action Items\n\n### Long-term/);
  });
});
