/**
 * The incident history RSS 2.0 feed at `/history.rss` (reference §4.5), from one SiteSnapshot.
 * Pure: no I/O and no clock (the `rss` package stamps `lastBuildDate` with "now"; we replace it
 * with the page's last public change, so the same snapshot always gives the same bytes).
 *
 * One item per public UPDATE, not one per incident as Statuspage does: a reader sees every
 * update as it is posted. Items are the 50 newest updates across incidents and maintenances
 * (`snapshot.feedIncidents`), newest first by display time. A published postmortem is one more
 * item of its incident ("<name> — Postmortem", guid "<page id>:postmortem:<incident id>", dated
 * by its first publication; its description follows later edits).
 *
 *   title       "<Incident name> — <Status label>"           "API Gateway Down — Identified"
 *               maintenances: "<name> — Maintenance <label>"  "DB upgrade — Maintenance in progress"
 *   link        <page url>/incidents/<incident id>
 *   guid        "<page id>:update:<update id>", isPermaLink="false": stable for the update's
 *               lifetime, whatever happens to URLs or titles
 *   pubDate     the update's display time (RFC 822, written by the rss package)
 *   description HTML: [maintenance window] + "<p><small>Mar 29, 14:05 CEST</small><br><strong>Status</strong> - </p>"
 *               + renderMarkdown(body) — the only way Markdown becomes HTML. Times are in the page's
 *               zone with its label, formatted by domain/time.ts like Statuspage's feed
 *               ("<small>Mon D, HH:MM TZ</small>", reference §4.5; the year is in pubDate).
 */
import { noticeBlocks } from "../../templates/notice.ts";
import RSS from "rss";
import { incidentUrl, shownPostmortem, shownPostmortemText } from "../../api/serialize.ts";
import { statusWord, wordsOf, type PageLanguage, type Words } from "../../locales/words.ts";
import type { IncidentKind, IncidentRecord, UpdateRecord } from "../../db/records.ts";
import { escapeHtml, renderMarkdown } from "../../templates/markdown.ts";
import type { PageInfo, SiteSnapshot } from "./snapshot.ts";
import { formatDateTime, formatRange } from "../../domain/time.ts";

export const HISTORY_ITEM_LIMIT = 50;

export interface HistoryItem {
  /** `<page id>:update:<update id>` — not a URL (isPermaLink="false"). */
  guid: string;
  /** "<Incident name> — <Status label>", plain text. */
  title: string;
  /** Absolute URL of the incident page. */
  link: string;
  /** The update's display time, ISO UTC. */
  pubDate: string;
  /** Safe HTML (see the module comment). Title and description hold no character XML forbids. */
  description: string;
  kind: IncidentKind;
  incidentId: string;
  incidentName: string;
  /** When the incident was created (ISO UTC): part of the Atom entry's id. */
  incidentCreatedAt: string;
  /** An update, or the incident's published postmortem. */
  entry: "update" | "postmortem";
  /** The update's id; for a postmortem, the incident's. */
  updateId: string;
  status: UpdateRecord["status"] | "postmortem";
  /** STATUS_LABELS of the update's status ("Identified", "In progress"); "Postmortem". */
  statusLabel: string;
  /** When the item last changed (ISO UTC): the update's display time; a postmortem's last edit. */
  updated: string;
}

// Characters XML 1.0 forbids (C0 controls other than tab/CR/LF, lone surrogates, U+FFFE/U+FFFF).
// They are not escapable — not even inside CDATA — so one in a body would make the whole feed
// unparseable. They carry no meaning in a status update; drop them.
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function xmlSafe(text: string): string {
  return text.replace(NOT_XML, "");
}

function itemTitle(w: Words, incident: IncidentRecord, status: UpdateRecord["status"]): string {
  const label = statusWord(w, status, incident);
  return incident.kind === "maintenance"
    ? w.t("feed.item_maintenance", { name: incident.name, status: label.toLocaleLowerCase(w.locale) })
    : w.t("feed.item", { name: incident.name, status: label });
}

/** "<p><small>Mar 29, 14:05 CEST</small><br><strong>Label</strong> - </p>" + the rendered Markdown. */
/**
 * Statuspage's item layout: `<small>when</small><br><strong>Status</strong> - first words…`. The
 * status joins the body's first paragraph; a body that starts otherwise (a list, a heading) gets
 * the status on its own line, never a dangling "Status - ".
 */
function describedMarkdown(at: string, label: string, markdown: string, page: PageInfo, before: string[] = [], after: string[] = []): string {
  const head = `<small>${escapeHtml(formatDateTime(at, page.timeZone, wordsOf(page).locale))}</small><br><strong>${escapeHtml(label)}</strong>`;
  const body = renderMarkdown(markdown);
  const html = [
    ...before,
    body.startsWith("<p>") ? `<p>${head} - ${body.slice("<p>".length)}` : `<p>${head}</p>\n${body}`,
    ...after,
  ];
  // `]]>` cannot survive renderMarkdown (text `>` is escaped), and the xml writer splits CDATA
  // around it anyway; this is a third guard, and `]]&gt;` means the same in HTML.
  return html.join("\n").replace(/]]>/g, "]]&gt;");
}

function itemDescription(incident: IncidentRecord, update: UpdateRecord, page: PageInfo): string {
  const w = wordsOf(page);
  const html: string[] = [];
  if (incident.kind === "maintenance") {
    // Statuspage's own wording for maintenance items (reference §4.5): "Mar 29, 11:00 – 13:00 UTC".
    if (incident.scheduledFor !== null) {
      const window = formatRange(incident.scheduledFor, incident.scheduledUntil, page.timeZone, w.locale, w.t("window.from_word"));
      html.push(`<p><strong>${escapeHtml(w.t("feed.scheduled_event", { window }))}</strong></p>`);
    }
  }
  const notice = noticeBlocks(incident, update, w).map((b) => `<p><strong>${escapeHtml(b.heading)}</strong></p>\n${renderMarkdown(b.markdown)}`);
  return describedMarkdown(update.displayAt, statusWord(w, update.status), update.body, page, html, notice);
}

/** The `limit` newest public updates and shown postmortems across snapshot.feedIncidents, newest first, as feed items. */
/** One update as the feeds will show it (title and description HTML): the console's preview. */
export function feedItemPreview(incident: IncidentRecord, update: UpdateRecord, page: PageInfo): { title: string; description: string } {
  return { title: itemTitle(wordsOf(page), incident, update.status), description: itemDescription(incident, update, page) };
}

export function historyItems(snapshot: SiteSnapshot, limit: number = HISTORY_ITEM_LIMIT): HistoryItem[] {
  const { page } = snapshot;
  const w = wordsOf(page);
  const seen = new Set<string>();
  const entries: { shownAt: number; postedAt: number; seq: number; key: string; item: () => HistoryItem }[] = [];
  for (const incident of snapshot.feedIncidents) {
    const common = {
      link: incidentUrl(page, incident),
      kind: incident.kind,
      incidentId: incident.id,
      incidentName: incident.name,
      incidentCreatedAt: incident.createdAt,
    };
    for (const update of incident.updates) {
      if (seen.has(update.id)) continue; // an incident listed twice must not give duplicate guids
      seen.add(update.id);
      entries.push({
        shownAt: Date.parse(update.displayAt),
        postedAt: Date.parse(update.createdAt),
        seq: update.seq,
        key: update.id,
        item: () => ({
          ...common,
          guid: `${page.id}:update:${update.id}`,
          title: xmlSafe(itemTitle(w, incident, update.status)),
          pubDate: new Date(update.displayAt).toISOString(),
          description: xmlSafe(itemDescription(incident, update, page)),
          entry: "update",
          updateId: update.id,
          status: update.status,
          statusLabel: statusWord(w, update.status),
          updated: new Date(update.displayAt).toISOString(),
        }),
      });
    }
    const postmortem = shownPostmortem(incident);
    if (postmortem && !seen.has(`postmortem:${incident.id}`)) {
      seen.add(`postmortem:${incident.id}`);
      const publishedAt = postmortem.publishedAt!;
      entries.push({
        shownAt: Date.parse(publishedAt),
        postedAt: Date.parse(publishedAt),
        // After every update of the same moment.
        seq: Number.MAX_SAFE_INTEGER,
        key: incident.id,
        item: () => ({
          ...common,
          guid: `${page.id}:postmortem:${incident.id}`,
          title: xmlSafe(w.t("feed.item", { name: incident.name, status: w.t("feed.postmortem") })),
          pubDate: new Date(publishedAt).toISOString(),
          description: xmlSafe(describedMarkdown(publishedAt, w.t("feed.postmortem"), shownPostmortemText(incident, page)!, page)),
          entry: "postmortem",
          updateId: incident.id,
          status: "postmortem",
          statusLabel: w.t("feed.postmortem"),
          updated: new Date(postmortem.updatedAt).toISOString(),
        }),
      });
    }
  }
  // Newest display time first; ties by posting time, then by id so the order is total.
  entries.sort(
    (a, b) =>
      b.shownAt - a.shownAt ||
      b.postedAt - a.postedAt ||
      b.seq - a.seq ||
      (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
  return entries.slice(0, Math.max(0, limit)).map((entry) => entry.item());
}

/** "<Name> Status - Incident History" (reference §4.5), without doubling a name that already ends in "Status". */
export function historyFeedTitle(page: Pick<PageInfo, "name"> & PageLanguage): string {
  const name = page.name.trim();
  return wordsOf(page).t(/\bstatus$/i.test(name) ? "feed.title_status" : "feed.title", { name });
}

/** Absolute URL of the feed itself (the atom:link rel="self"). */
export function historyFeedUrl(page: Pick<PageInfo, "url">): string {
  return `${page.url}/history.rss`;
}

/**
 * Replaces the first `<lastBuildDate>` element outside CDATA (the channel's; channel elements
 * precede the items) — a page name containing that text inside the CDATA title is skipped.
 */
function setLastBuildDate(xml: string, date: Date): string {
  let done = false;
  return xml.replace(/<!\[CDATA\[[\s\S]*?\]\]>|<lastBuildDate>[^<]*<\/lastBuildDate>/g, (match) => {
    if (done || match.startsWith("<![CDATA[")) return match;
    done = true;
    return `<lastBuildDate>${date.toUTCString()}</lastBuildDate>`;
  });
}

/**
 * RSS titles are plain text, but many readers render them as HTML: an incident named
 * `<img src=x onerror=…>` would run there. Escaped, such a reader shows the name as written.
 * (The rss package wraps titles in CDATA, which protects the XML, not the reader.)
 */
export function rssPlainText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** The page's feed; a component's (site/lib/component-page.ts) passes its own title, address and incidents. */
export function historyRss(snapshot: SiteSnapshot, own?: { title: string; url: string; siteUrl: string; description: string }): string {
  const { page } = snapshot;
  const feed = new RSS({
    title: rssPlainText(xmlSafe(own?.title ?? historyFeedTitle(page))),
    description: xmlSafe(own?.description ?? wordsOf(page).t("feed.description", { page: page.name })),
    site_url: own?.siteUrl ?? page.url,
    feed_url: own?.url ?? historyFeedUrl(page),
    language: wordsOf(page).locale,
    generator: "Herald",
  });
  for (const item of historyItems(snapshot)) {
    feed.item({
      title: rssPlainText(item.title),
      description: item.description,
      url: item.link,
      guid: item.guid,
      date: item.pubDate,
    });
  }
  return setLastBuildDate(feed.xml({ indent: true }), new Date(page.updatedAt));
}
