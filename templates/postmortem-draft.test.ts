import { describe, expect, test } from "vitest";
import type { IncidentRecord, UpdateRecord } from "../db/records.ts";
import { postmortemDraft } from "./postmortem-draft.ts";

const MIN = 60_000;
const at = (base: string, minutes: number) => new Date(Date.parse(base) + minutes * MIN).toISOString();

function incident(steps: [UpdateRecord["status"], string, string][], over: Partial<IncidentRecord> = {}): IncidentRecord {
  const updates = steps.map(([status, displayAt, body], i): UpdateRecord => ({
    id: `up000000000${i}`, incidentId: "in0000000001", seq: i + 1, status, body, author: "Ada", deliverNotifications: true,
    reopened: false, createdAt: displayAt, displayAt, affected: [],
  }));
  const last = steps.at(-1)!;
  return {
    id: "in0000000001", kind: "incident", name: "API Outage", status: last[0], severity: "SEV2", impact: "major",
    createdAt: steps[0]![1], updatedAt: last[1], startedAt: steps[0]![1], identifiedAt: null, monitoringAt: null,
    resolvedAt: last[0] === "resolved" ? last[1] : null, scheduledFor: null, scheduledUntil: null,
    updates: updates.reverse(), componentIds: [], ...over,
  };
}

const draft = (i: IncidentRecord, timeZone = "Etc/UTC", actionItems = []) =>
  postmortemDraft({ incident: i, componentNames: new Map(), page: { url: "https://status.example.com", timeZone }, actionItems });

describe("the pre-filled postmortem draft", () => {
  test("the seed's example: date, duration with its range, severity, response times, timeline", () => {
    const t = "2024-01-15T14:05:00.000Z";
    const body = draft(incident([
      ["investigating", t, "Alert: High API error rate"],
      ["identified", at(t, 10), "Root cause identified (connection pool exhausted)"],
      ["monitoring", at(t, 40), "Monitoring recovery"],
      ["resolved", at(t, 55), "Incident resolved"],
    ]));
    expect(body).toContain("# Postmortem: API Outage - January 15, 2024\n\n## Incident Summary\n**Date:** 2024-01-15\n**Duration:** 55 min (Jan 15, 14:05 – 15:00 UTC)\n**Severity:** SEV2 (High)");
    expect(body).toContain("**Time to identify:** 10 min\n**Time to monitor:** 40 min\n**Time to resolve:** 55 min");
    expect(body).toContain(
      "## Timeline (UTC)\n- 14:05: Investigating - Alert: High API error rate\n- 14:15: Identified - Root cause identified (connection pool exhausted)\n- 14:45: Monitoring - Monitoring recovery\n- 15:00: Resolved - Incident resolved\n",
    );
    expect(body).toContain("- Duration: 55 min\n- Severity: SEV2 - Major functionality impaired");
    expect(body).not.toContain("Affected components");
  });

  test("times in the page's zone with its label; across a DST change a line names its own label; several days show dates", () => {
    // 2026-03-08 02:00 EST → 03:00 EDT in New York.
    const t = "2026-03-08T05:30:00.000Z"; // 00:30 EST
    const body = draft(incident([["investigating", t, "Looking"], ["resolved", at(t, 24 * 60 + 60), "Done"]]), "America/New_York");
    expect(body).toContain("**Date:** 2026-03-08");
    expect(body).toContain("## Timeline (EST)\n- Mar 8, 00:30: Investigating - Looking\n- Mar 9, 02:30 EDT: Resolved - Done\n");
  });

  test("an update's Markdown becomes one line of text", () => {
    const body = draft(incident([["investigating", "2026-01-01T10:00:00.000Z", "We **see** errors.\n\n- in EU\n- in US"]]));
    expect(body).toContain("- 10:00: Investigating - We see errors. - in EU - in US\n");
    expect(body).toContain("**Duration:** ongoing (from Jan 1, 10:00 UTC)");
  });
});
