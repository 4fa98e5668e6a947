import Parser from "rss-parser";
import { describe, expect, test } from "vitest";
import type { PostmortemRecord } from "../../db/records.ts";
import { ATOM_NAMESPACE, historyAtom } from "./atom.ts";
import { at, incident, snapshot } from "./test-fixtures.ts";

const T0 = "2026-03-28T23:30:00.000Z"; // created on Mar 28 (UTC); the entries keep that date
const postmortem = (over: Partial<PostmortemRecord> = {}): PostmortemRecord => ({
  incidentId: "in0000000001", body: "What happened.", actionItems: [], author: "Ada",
  createdAt: at(T0, 120), updatedAt: at(T0, 120), publishedAt: at(T0, 120), notifiedAt: null, ...over,
});

function resolved(over: { postmortem?: PostmortemRecord | null } = {}, extra: [string, string, string?][] = []) {
  return incident(
    { id: "in0000000001", name: "API <down> & out", resolvedAt: at(T0, 60), ...over },
    [["investigating", T0, "Looking **now** <script>x()</script>"], ["resolved", at(T0, 60)], ...(extra as [never, string, string?][])],
  );
}

describe("the Atom feed", () => {
  test("is well-formed Atom 1.0 that a feed reader parses, with the same HTML as the page, escaped", async () => {
    const xml = historyAtom(snapshot({ feedIncidents: [resolved({ postmortem: postmortem() })] }));
    expect(xml).toContain(`<feed xmlns="${ATOM_NAMESPACE}" xml:lang="en">`);
    const feed = await new Parser().parseString(xml);
    expect(feed.title).toBe("Acme Status - Incident History");
    expect(feed.items.map((i) => i.title)).toEqual(["API <down> & out — Postmortem", "API <down> & out — Resolved", "API <down> & out — Investigating"]);
    const investigating = feed.items[2]!;
    expect(investigating.id).toBe("tag:status.example.com,2026-03-28:incident/in0000000001/update/000000001001");
    expect(investigating.content).toContain("Looking <strong>now</strong> &lt;script&gt;x()&lt;/script&gt;");
    expect(xml).not.toContain("<script");
    expect(xml).not.toContain("<strong>");
    expect(feed.items[0]!.id).toBe("tag:status.example.com,2026-03-28:incident/in0000000001/postmortem");
  });

  test("ids never change across republishing while `updated` moves with each update and edit", () => {
    const entries = (xml: string) =>
      [...xml.matchAll(/<entry>\s*<id>([^<]+)<\/id>[\s\S]*?<updated>([^<]+)<\/updated>/g)].map((m) => ({ id: m[1]!, updated: m[2]! }));
    const feedUpdated = (xml: string) => /<feed[^>]*>[\s\S]*?<updated>([^<]+)<\/updated>/.exec(xml)![1]!;

    const before = historyAtom(snapshot({ feedIncidents: [resolved({ postmortem: postmortem() })] }));
    const after = historyAtom(
      snapshot({
        feedIncidents: [resolved({ postmortem: postmortem({ body: "Edited.", updatedAt: at(T0, 300) }) }, [["resolved", at(T0, 200), "One more note."]])],
      }),
    );
    const was = new Map(entries(before).map((e) => [e.id, e.updated]));
    const now = new Map(entries(after).map((e) => [e.id, e.updated]));
    for (const id of was.keys()) expect(now.has(id), id).toBe(true);
    expect(now.size).toBe(was.size + 1);
    const pm = "tag:status.example.com,2026-03-28:incident/in0000000001/postmortem";
    expect(was.get(pm)).toBe(at(T0, 120));
    expect(now.get(pm)).toBe(at(T0, 300));
    expect(feedUpdated(before)).toBe(at(T0, 120));
    expect(feedUpdated(after)).toBe(at(T0, 300));
    expect(after).toContain("Edited.");
  });

  test("a reopened incident's postmortem is left out; an empty feed is still valid", async () => {
    const reopened = incident({ id: "in0000000001", name: "X", postmortem: postmortem() }, [["resolved", T0], ["investigating", at(T0, 10)]]);
    expect(historyAtom(snapshot({ feedIncidents: [reopened] }))).not.toContain("/postmortem</id>");
    const empty = await new Parser().parseString(historyAtom(snapshot()));
    expect(empty.items).toEqual([]);
  });
});
