import Parser from "rss-parser";
import { afterEach, describe, expect, test, vi } from "vitest";
import { historyFeedTitle, historyItems, historyRss } from "./feed.ts";
import { PAGE_ID, PAGE_URL, at, fid, incident, snapshot } from "./test-fixtures.ts";
import type { IncidentRecord } from "../../db/records.ts";
import type { SiteSnapshot } from "./snapshot.ts";

interface RawGuid {
  _: string;
  $: { isPermaLink: string };
}
type ItemExtra = { guidRaw: RawGuid[] };

// The real feed parser, as a reader would use it; keep the raw <guid> to see its attribute.
const parser = new Parser<Record<string, unknown>, ItemExtra>({ customFields: { item: [["guid", "guidRaw", { keepArray: true }]] } });
const parse = (xml: string) => parser.parseString(xml);

afterEach(() => {
  vi.useRealTimers();
});

/** HTML start/end tags in a fragment: whatever a reader's browser would treat as markup. */
function tags(html: string): { name: string; attrs: string }[] {
  return [...html.matchAll(/<\/?([a-zA-Z][\w-]*)([^>]*)>/g)].map((m) => ({ name: m[1]!.toLowerCase(), attrs: m[2]! }));
}

/** Decodes the entities our HTML uses, to read it as the text a reader sees. */
function htmlText(html: string): string {
  return html
    .replace(/<[^>]*>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

// 7 incidents × 10 updates = 70 updates, one every 10 minutes, interleaved across incidents.
function busySnapshot(): SiteSnapshot {
  const base = "2026-03-01T00:00:00.000Z";
  const incidents: IncidentRecord[] = Array.from({ length: 7 }, (_, k) =>
    incident(
      { id: fid("in", k), name: `Incident ${k}` },
      Array.from({ length: 10 }, (_, n) => ["investigating", at(base, (n * 7 + k) * 10), `Update ${n} of incident ${k}.`] as const),
    ),
  );
  return snapshot({ feedIncidents: incidents });
}

describe("channel", () => {
  test("title, link, description, language, self link, generator, lastBuildDate", async () => {
    const xml = historyRss(busySnapshot());
    const feed = await parse(xml);
    expect(feed.title).toBe("Acme Status - Incident History");
    expect(feed.link).toBe(PAGE_URL);
    expect(feed.description).toBe("Every update on incidents and scheduled maintenance for Acme");
    expect(feed.language).toBe("en");
    expect(feed.feedUrl).toBe(`${PAGE_URL}/history.rss`);
    expect(feed["lastBuildDate"]).toBe("Sun, 29 Mar 2026 12:00:00 GMT");
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\s*<rss [^>]*version="2.0"/);
    expect(xml).toContain('xmlns:atom="http://www.w3.org/2005/Atom"');
    expect(xml).toContain(`<atom:link href="${PAGE_URL}/history.rss" rel="self" type="application/rss+xml"/>`);
  });

  test("the same snapshot gives the same bytes, whatever the clock says", () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2030-01-01T00:00:00Z"));
    const one = historyRss(busySnapshot());
    vi.setSystemTime(new Date("2031-06-15T08:09:10Z"));
    const two = historyRss(busySnapshot());
    expect(two).toBe(one);
    expect(one).toContain("<lastBuildDate>Sun, 29 Mar 2026 12:00:00 GMT</lastBuildDate>");
  });

  test("a page name with XML specials, ]]> and a fake lastBuildDate stays text", async () => {
    const name = `A&B <"Ops"> ]]> <lastBuildDate>x</lastBuildDate>`;
    const s = snapshot({ page: { ...snapshot().page, name } });
    const feed = await parse(historyRss(s));
    expect(feed.title).not.toMatch(/[<>]/);
    expect(htmlText(feed.title!)).toBe(`${name} Status - Incident History`);
    expect(feed["lastBuildDate"]).toBe("Sun, 29 Mar 2026 12:00:00 GMT");
  });

  test("a page name already ending in Status is not doubled", () => {
    expect(historyFeedTitle({ name: "Herald Status", timeZone: "UTC" })).toBe("Herald Status - Incident History");
    expect(historyFeedTitle({ name: "GitHub", timeZone: "UTC" })).toBe("GitHub Status - Incident History");
  });

  test("an empty history is a valid feed with no items", async () => {
    const feed = await parse(historyRss(snapshot()));
    expect(feed.items).toEqual([]);
    expect(feed.title).toBe("Acme Status - Incident History");
  });
});

describe("items", () => {
  test("the 50 newest of 70 updates, one item per update, newest first", async () => {
    const s = busySnapshot();
    const all = s.feedIncidents.flatMap((i) => i.updates).sort((a, b) => Date.parse(b.displayAt) - Date.parse(a.displayAt));
    expect(all).toHaveLength(70);
    const feed = await parse(historyRss(s));
    expect(feed.items).toHaveLength(50);
    expect(feed.items.map((i) => i.guid)).toEqual(all.slice(0, 50).map((u) => `${PAGE_ID}:update:${u.id}`));
    const times = feed.items.map((i) => Date.parse(i.isoDate!));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    // Several updates of one incident appear as separate items.
    expect(new Set(feed.items.map((i) => i.link)).size).toBe(7);
  });

  test("guids: the update's id (not a URL), isPermaLink=false, unique and stable across generations", async () => {
    const first = await parse(historyRss(busySnapshot()));
    const second = await parse(historyRss(busySnapshot()));
    const guids = first.items.map((i) => i.guid);
    expect(new Set(guids).size).toBe(50);
    expect(second.items.map((i) => i.guid)).toEqual(guids);
    for (const item of first.items) {
      expect(item.guid).toMatch(new RegExp(`^${PAGE_ID}:update:[0-9a-z]{12}$`));
      expect(item.guidRaw).toHaveLength(1);
      expect(item.guidRaw[0]!.$.isPermaLink).toBe("false");
    }
  });

  test("a new update adds an item and leaves the other guids alone", async () => {
    const s = busySnapshot();
    const before = (await parse(historyRss(s))).items.map((i) => i.guid);
    const later = incident({ id: "innew0000001", name: "New" }, [["investigating", "2026-03-29T11:00:00.000Z"]]);
    const after = (await parse(historyRss({ ...s, feedIncidents: [later, ...s.feedIncidents] }))).items.map((i) => i.guid);
    expect(after[0]).toBe(`${PAGE_ID}:update:${later.updates[0]!.id}`);
    expect(after.slice(1)).toEqual(before.slice(0, 49));
  });

  test("links are absolute incident URLs; pubDate is RFC 822 and the update's display instant", async () => {
    const s = busySnapshot();
    const byGuid = new Map(s.feedIncidents.flatMap((i) => i.updates).map((u) => [`${PAGE_ID}:update:${u.id}`, u]));
    const xml = historyRss(s);
    const feed = await parse(xml);
    for (const item of feed.items) {
      const u = byGuid.get(item.guid!)!;
      expect(new URL(item.link!).href).toBe(`${PAGE_URL}/incidents/${u.incidentId}`);
      expect(item.pubDate).toMatch(/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/);
      expect(Date.parse(item.pubDate!)).toBe(Date.parse(u.displayAt));
    }
    expect(xml).toContain("<pubDate>Sun, 01 Mar 2026 11:30:00 GMT</pubDate>"); // the newest: (9·7+6)·10 min
  });

  test("an incident listed twice gives each update once", () => {
    const s = busySnapshot();
    const items = historyItems({ ...s, feedIncidents: [...s.feedIncidents, s.feedIncidents[0]!] }, 1000);
    expect(items).toHaveLength(70);
    expect(new Set(items.map((i) => i.guid)).size).toBe(70);
  });

  test("historyItems returns the same items as data, with a limit", () => {
    const s = busySnapshot();
    expect(historyItems(s)).toHaveLength(50);
    const three = historyItems(s, 3);
    expect(three.map((i) => i.updateId)).toEqual(historyItems(s).slice(0, 3).map((i) => i.updateId));
    expect(three[0]).toMatchObject({
      guid: `${PAGE_ID}:update:${three[0]!.updateId}`,
      title: "Incident 6 — Investigating",
      link: `${PAGE_URL}/incidents/${fid("in", 6)}`,
      pubDate: "2026-03-01T11:30:00.000Z",
      kind: "incident",
      incidentId: fid("in", 6),
      incidentName: "Incident 6",
      status: "investigating",
      statusLabel: "Investigating",
    });
    expect(three[0]!.description).toBe(
      "<p><small>Mar 1, 11:30 UTC</small><br><strong>Investigating</strong> - Update 9 of incident 6.</p>",
    );
  });

  test("updates are ordered by display time, so a backdated update sits where it was shown", () => {
    const i = incident({ id: "inback000001", name: "Backdated" }, [
      ["investigating", "2026-03-29T10:00:00.000Z"],
      ["identified", "2026-03-29T10:30:00.000Z"],
      ["monitoring", "2026-03-29T10:10:00.000Z"],
    ]);
    expect(historyItems(snapshot({ feedIncidents: [i] })).map((x) => x.status)).toEqual(["identified", "monitoring", "investigating"]);
  });
});

describe("titles and descriptions", () => {
  test("incident item: '<name> — <status label>' and the Statuspage-style header before the body", async () => {
    const i = incident({ id: "ingateway001", name: "API Gateway Down" }, [
      ["investigating", "2026-03-29T10:00:00.000Z", "Looking into it."],
      ["identified", "2026-03-29T10:20:00.000Z", "Found it: **the cache**."],
    ]);
    const feed = await parse(historyRss(snapshot({ feedIncidents: [i] })));
    expect(feed.items.map((x) => x.title)).toEqual(["API Gateway Down — Identified", "API Gateway Down — Investigating"]);
    expect(feed.items[0]!.content).toBe(
      "<p><small>Mar 29, 10:20 UTC</small><br><strong>Identified</strong> - Found it: <strong>the cache</strong>.</p>",
    );
  });

  test("the status joins the first paragraph; a body that starts with a list gets the status on its own line, never a dangling ' - '", async () => {
    const i = incident({ id: "inlistbody01", name: "Errors" }, [["investigating", "2026-03-29T10:00:00.000Z", "- API\n- Dashboard"]]);
    const feed = await parse(historyRss(snapshot({ feedIncidents: [i] })));
    expect(feed.items[0]!.content).toBe("<p><small>Mar 29, 10:00 UTC</small><br><strong>Investigating</strong></p>\n<ul>\n<li>API</li>\n<li>Dashboard</li>\n</ul>");
    expect(feed.items[0]!.content).not.toMatch(/ - <\/p>/);
  });

  test("maintenance item: maintenance wording in the title and the scheduled window in the description", async () => {
    const m = incident(
      { id: "mtdbupgrade1", kind: "maintenance", name: "DB upgrade", scheduledFor: "2026-03-29T11:00:00.000Z", scheduledUntil: "2026-03-29T13:00:00.000Z" },
      [
        ["scheduled", "2026-03-25T09:00:00.000Z", "We will upgrade the database."],
        ["in_progress", "2026-03-29T11:00:00.000Z", "Started."],
        ["verifying", "2026-03-29T12:30:00.000Z", "Checking."],
        ["completed", "2026-03-29T12:45:00.000Z", "Done."],
      ],
    );
    const feed = await parse(historyRss(snapshot({ feedIncidents: [m] })));
    expect(feed.items.map((x) => x.title)).toEqual([
      "DB upgrade — Maintenance completed",
      "DB upgrade — Maintenance verifying",
      "DB upgrade — Maintenance in progress",
      "DB upgrade — Maintenance scheduled",
    ]);
    expect(feed.items[2]!.content).toBe(
      "<p><strong>THIS IS A SCHEDULED EVENT Mar 29, 11:00 – 13:00 UTC</strong></p>\n" +
        "<p><small>Mar 29, 11:00 UTC</small><br><strong>In progress</strong> - Started.</p>",
    );
  });

  test("an incident name with & < > \" reaches a reader as text, whether it renders titles as text or as HTML", async () => {
    const name = `Tom & Jerry <"Edge"> 'quotes' ]]> </title><script>x</script>`;
    const i = incident({ id: "inspecial001", name }, [["identified", "2026-03-29T10:00:00.000Z"]]);
    const xml = historyRss(snapshot({ feedIncidents: [i] }));
    const feed = await parse(xml);
    // The title is escaped text: no markup for a reader that renders it as HTML; decoded, the name as written.
    expect(feed.items[0]!.title).not.toMatch(/[<>]/);
    expect(htmlText(feed.items[0]!.title!)).toBe(`${name} — Identified`);
    // The title is character data: outside CDATA sections there is no markup from the name.
    expect(xml.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, "")).not.toMatch(/<script|Jerry/);
  });

  test("hostile Markdown cannot produce script, event handlers or javascript: links, nor break out of CDATA", async () => {
    // The brief's four bodies, then more attempts.
    const bodies = [
      "<script>alert(1)</script>",
      "[x](javascript:alert(1))",
      "<img src=x onerror=alert(1)>",
      "]]><script>alert(2)</script>",
      '<a href="javascript:alert(3)" onclick="alert(4)">y</a> <iframe src=//evil></iframe> <svg onload=alert(5)>',
      "[y](java&#115;cript:alert(6)) ![z](javascript:alert(7)) <javascript:alert(8)>",
    ];
    const i = incident(
      { id: "inhostile001", name: "Hostile" },
      bodies.map((body, n) => ["investigating", at("2026-03-29T10:00:00.000Z", n), body] as const),
    );
    const xml = historyRss(snapshot({ feedIncidents: [i] }));
    // The XML is intact: everything parses, one item per body, the channel unharmed.
    const feed = await parse(xml);
    expect(feed.items).toHaveLength(bodies.length);
    expect(feed.title).toBe("Acme Status - Incident History");
    expect(xml).not.toMatch(/<script/i);
    // Oldest first again, to line up with `bodies`. item.content is the description as a reader
    // gets it: XML and CDATA decoded, i.e. the HTML it will render.
    const html = feed.items.map((x) => x.content!).reverse();
    for (const h of html) {
      expect(h).not.toMatch(/<script/i);
      for (const tag of tags(h)) {
        expect(["p", "br", "small", "strong", "a", "em"]).toContain(tag.name);
        expect(tag.attrs).not.toMatch(/\bon\w+\s*=/i); // no onerror / onclick / onload
        expect(tag.attrs).not.toMatch(/javascript:/i);
        expect(tag.attrs).not.toMatch(/\bsrc\s*=/i);
      }
    }
    // No javascript: anywhere, not even as text, where the body was a Markdown link.
    for (const n of [0, 1, 3]) expect(html[n]).not.toMatch(/javascript:/i);
    expect(html[1]).toMatch(/<\/strong> - x<\/p>$/); // the refused link keeps its label only
    // Raw HTML is shown as the text the author typed (escaped), never as markup: "onerror" and
    // "javascript:" survive only as visible words inside text, outside every tag.
    const text = html.map(htmlText);
    expect(text[0]).toContain("<script>alert(1)</script>");
    expect(text[2]).toContain("<img src=x onerror=alert(1)>");
    expect(html[2]).not.toMatch(/<img/i);
    expect(tags(html[2]!).some((t) => /onerror/i.test(t.attrs))).toBe(false);
    expect(text[3]).toContain("]]><script>alert(2)</script>");
    expect(html[4]).not.toMatch(/<(a|iframe|svg)\b[^>]*(href|src|on\w+)=/i);
    expect(html[5]).toMatch(/<\/strong> - y z javascript:alert\(8\)<\/p>$/); // refused links: labels, and the autolink as plain text
  });

  test("an incident named like markup never becomes markup in an RSS title", async () => {
    const i = incident({ id: "inimgtitle01", name: "<img src=x onerror=alert(1)>" }, [["investigating", "2026-03-29T10:00:00.000Z"]]);
    const feed = await parse(historyRss(snapshot({ feedIncidents: [i] })));
    const title = feed.items[0]!.title!;
    expect(tags(title)).toEqual([]);
    expect(title).toBe("&lt;img src=x onerror=alert(1)&gt; — Investigating");
  });

  test("characters XML forbids are dropped instead of breaking the feed", async () => {
    const i = incident({ id: "inctrl000001", name: "Bad\u0000 name\u0007" }, [["investigating", "2026-03-29T10:00:00.000Z", "a\u0001b\u0000c\uFFFEd \uD800e"]]);
    const feed = await parse(historyRss(snapshot({ feedIncidents: [i] })));
    expect(feed.items[0]!.title).toBe("Bad name — Investigating");
    expect(feed.items[0]!.content).toContain("</strong> - abcd e</p>");
  });
});

describe("times in the page's zone (domain/time.ts)", () => {
  const page = (timeZone: string) => ({ ...snapshot().page, timeZone });
  const one = (timeZone: string, displayAt: string) =>
    historyItems(snapshot({ page: page(timeZone), feedIncidents: [incident({ id: "intime000001", name: "T" }, [["investigating", displayAt]])] }))[0]!
      .description;
  const window = (timeZone: string, from: string, until: string | null) =>
    historyItems(
      snapshot({
        page: page(timeZone),
        feedIncidents: [incident({ id: "mtwindow0001", kind: "maintenance", name: "M", scheduledFor: from, scheduledUntil: until }, [["scheduled", "2026-03-01T00:00:00.000Z"]])],
      }),
    )[0]!.description.split("\n")[0];

  test("UTC page", () => {
    expect(one("Etc/UTC", "2026-07-01T12:00:00.000Z")).toContain("<small>Jul 1, 12:00 UTC</small>");
  });

  test("Europe/Berlin: CEST in summer, CET in winter (what Node's Intl prints for en-GB; en-US would say GMT+2/GMT+1)", () => {
    expect(one("Europe/Berlin", "2026-07-01T12:00:00.000Z")).toContain("<small>Jul 1, 14:00 CEST</small>");
    expect(one("Europe/Berlin", "2026-01-15T12:00:00.000Z")).toContain("<small>Jan 15, 13:00 CET</small>");
    // Around the switch on 2026-03-29: 01:59 CET is followed by 03:00 CEST.
    expect(one("Europe/Berlin", "2026-03-29T00:59:00.000Z")).toContain("<small>Mar 29, 01:59 CET</small>");
    expect(one("Europe/Berlin", "2026-03-29T01:00:00.000Z")).toContain("<small>Mar 29, 03:00 CEST</small>");
  });

  test("America/New_York: EDT and EST; a date that differs from the UTC date", () => {
    expect(one("America/New_York", "2026-07-01T02:30:00.000Z")).toContain("<small>Jun 30, 22:30 EDT</small>");
    expect(one("America/New_York", "2026-01-15T12:00:00.000Z")).toContain("<small>Jan 15, 07:00 EST</small>");
  });

  test("midnight is 00:00, not 24:00", () => {
    expect(one("Etc/UTC", "2026-07-01T00:00:00.000Z")).toContain("<small>Jul 1, 00:00 UTC</small>");
  });

  test("maintenance windows: one day, across days, across a DST change, open end", () => {
    expect(window("Etc/UTC", "2026-04-02T01:00:00.000Z", "2026-04-02T03:00:00.000Z")).toBe(
      "<p><strong>THIS IS A SCHEDULED EVENT Apr 2, 01:00 – 03:00 UTC</strong></p>",
    );
    expect(window("Etc/UTC", "2026-04-02T22:00:00.000Z", "2026-04-03T02:00:00.000Z")).toBe(
      "<p><strong>THIS IS A SCHEDULED EVENT Apr 2, 22:00 – Apr 3, 02:00 UTC</strong></p>",
    );
    expect(window("Europe/Berlin", "2026-03-29T00:00:00.000Z", "2026-03-29T02:00:00.000Z")).toBe(
      "<p><strong>THIS IS A SCHEDULED EVENT Mar 29, 01:00 CET – 04:00 CEST</strong></p>",
    );
    expect(window("Etc/UTC", "2026-04-02T01:00:00.000Z", null)).toBe("<p><strong>THIS IS A SCHEDULED EVENT from Apr 2, 01:00 UTC</strong></p>");
  });

  test("the host's TZ does not matter (the suite also runs under TZ=America/New_York)", () => {
    expect(one("Etc/UTC", "2026-03-29T23:30:00.000Z")).toContain("<small>Mar 29, 23:30 UTC</small>");
    expect(one("Asia/Kolkata", "2026-03-29T23:30:00.000Z")).toContain("<small>Mar 30, 05:00 GMT+5:30</small>");
  });
});
