import { describe, expect, it } from "vitest";
import { NO_ROLES } from "../../db/queries/internal.ts";
import { incident, update } from "../../site/lib/test-fixtures.ts";
import { DRILL_BANNER, escapeSlack, internalUpdate, lapseReminder, parseInternalTemplate } from "./message.ts";

const page = { url: "https://status.example.com", timeZone: "America/New_York" };
const template = parseInternalTemplate("{{severity}} {{incident_name}} ({{change}})\n{{started}}\n{{timeline}}\nNext: {{next_update}}\n{{incident_url}}");

describe("internalUpdate", () => {
  it("shows times in the page's zone, with dates once the incident spans days", () => {
    const oneDay = incident({ id: "in0000000001", name: "DB", severity: "SEV2", startedAt: "2026-01-15T19:05:00.000Z" }, [
      ["investigating", "2026-01-15T19:05:00.000Z", "Looking."],
      ["identified", "2026-01-15T19:20:00.000Z", "**Pool** exhausted."],
    ]);
    const text = internalUpdate(template, page, oneDay, NO_ROLES, { kind: "updated", update: oneDay.updates[0]! }, "Cole").text;
    expect(text).toContain("SEV2 DB (Identified, posted by Cole)");
    expect(text).toContain("Jan 15, 14:05 EST");
    expect(text).toContain("14:05 EST - Investigating: Looking.\n14:20 EST - Identified: Pool exhausted.");
    expect(text).toContain("Next: not promised");

    const twoDays = incident({ id: "in0000000002", name: "DB", severity: "SEV2", startedAt: "2026-01-15T19:05:00.000Z" }, [
      ["investigating", "2026-01-15T19:05:00.000Z"],
      ["monitoring", "2026-01-16T06:00:00.000Z"],
    ]);
    const later = internalUpdate(template, page, twoDays, NO_ROLES, { kind: "updated", update: twoDays.updates[0]! }, "Cole").text;
    expect(later).toContain("Jan 16, 01:00 EST - Monitoring");
  });

  it("says what the promise is, marks drills and links a drill's preview, not its public page", () => {
    const promised = incident({ id: "in0000000003", name: "Drill", severity: "SEV1", drill: true, previewToken: "ab".repeat(16) }, []);
    promised.updates = [update({ id: "up0000000001", incidentId: promised.id, seq: 1, status: "investigating", displayAt: "2026-01-15T19:05:00.000Z", nextUpdateAt: "2026-01-15T19:30:00.000Z" })];
    const text = internalUpdate(template, page, promised, NO_ROLES, { kind: "created", update: promised.updates[0]! }, "Ada").text;
    expect(text.startsWith(`${DRILL_BANNER}\n`)).toBe(true);
    expect(text).toContain("(drill started by Ada)");
    expect(text).toContain("Next: 14:30 EST or sooner if status changes");
    expect(text).toContain(`https://status.example.com/preview/${"ab".repeat(16)}`);
    expect(text).not.toContain("/incidents/");
  });

  it("reminds the communications lead by name of an overdue promise", () => {
    const open = incident({ id: "in0000000004", name: "Search <slow>", severity: "SEV3" }, [["investigating", "2026-01-15T19:05:00.000Z"]]);
    const text = lapseReminder(page, open, { ...NO_ROLES, communications_lead: "@cara" }, { kind: "next_update", dueAt: "2026-01-15T19:30:00.000Z", resolvedAt: null }).text;
    expect(text).toContain('*Next update overdue* @cara: SEV3 "Search &lt;slow&gt;" promised its next update by Jan 15, 14:30 EST.');
    expect(text).toContain("herald incident update in0000000004");
  });
});

describe("escapeSlack", () => {
  it("escapes exactly Slack's control characters", () => {
    expect(escapeSlack("a & <b> *c*")).toBe("a &amp; &lt;b&gt; *c*");
  });
});
