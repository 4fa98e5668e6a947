/**
 * The incident history as Atom 1.0 at `/history.atom`, beside the RSS feed: the same items
 * (feed.ts historyItems: one entry per public update, one per shown postmortem, the 50 newest),
 * the same HTML (the one Markdown renderer), escaped as `type="html"` content.
 *
 *   id        tag:<page host>,<incident created date, UTC>:incident/<incident id>/update/<update id>
 *             tag:<page host>,<incident created date, UTC>:incident/<incident id>/postmortem
 *             — made only of things that never change, so a reader never sees an entry twice.
 *   published the update's display time / the postmortem's first publication
 *   updated   the update's display time / the postmortem's last edit; the feed's own `updated` is
 *             the newest of its entries' (or the page's last change when there are none).
 *
 * Pure: no I/O and no clock; the same snapshot always gives the same bytes.
 */
import { wordsOf } from "../../locales/words.ts";
import { historyFeedTitle, historyItems, xmlSafe, type HistoryItem } from "./feed.ts";
import type { PageInfo, SiteSnapshot } from "./snapshot.ts";

export const ATOM_NAMESPACE = "http://www.w3.org/2005/Atom";

/** Text for XML element content or a double-quoted attribute (characters XML forbids dropped, see feed.ts). */
export function xmlText(text: string): string {
  return xmlSafe(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export function atomFeedUrl(page: Pick<PageInfo, "url">): string {
  return `${page.url}/history.atom`;
}

function host(page: Pick<PageInfo, "url">): string {
  try {
    return new URL(page.url).hostname || "localhost";
  } catch {
    return "localhost";
  }
}

/** The entry's permanent id (see the module comment). */
export function atomEntryId(page: Pick<PageInfo, "url">, item: Pick<HistoryItem, "entry" | "incidentId" | "incidentCreatedAt" | "updateId">): string {
  const date = new Date(item.incidentCreatedAt).toISOString().slice(0, 10);
  const what = item.entry === "postmortem" ? "postmortem" : `update/${item.updateId}`;
  return `tag:${host(page)},${date}:incident/${item.incidentId}/${what}`;
}

export function historyAtom(snapshot: SiteSnapshot): string {
  const { page } = snapshot;
  const items = historyItems(snapshot);
  const iso = (value: string) => new Date(value).toISOString();
  const updated = items.reduce((newest, item) => (item.updated > newest ? item.updated : newest), items.length > 0 ? items[0]!.updated : iso(page.updatedAt));
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<feed xmlns="${ATOM_NAMESPACE}" xml:lang="${xmlText(wordsOf(page).locale)}">`,
    `  <id>${xmlText(atomFeedUrl(page))}</id>`,
    `  <title>${xmlText(historyFeedTitle(page))}</title>`,
    `  <subtitle>${xmlText(wordsOf(page).t("feed.description", { page: page.name }))}</subtitle>`,
    `  <updated>${updated}</updated>`,
    `  <link rel="self" type="application/atom+xml" href="${xmlText(atomFeedUrl(page))}"/>`,
    `  <link rel="alternate" type="text/html" href="${xmlText(`${page.url}/`)}"/>`,
    `  <author><name>${xmlText(page.name)}</name></author>`,
    "  <generator>Herald</generator>",
  ];
  for (const item of items) {
    lines.push(
      "  <entry>",
      `    <id>${xmlText(atomEntryId(page, item))}</id>`,
      `    <title>${xmlText(item.title)}</title>`,
      `    <link rel="alternate" type="text/html" href="${xmlText(item.link)}"/>`,
      `    <published>${item.pubDate}</published>`,
      `    <updated>${item.updated}</updated>`,
      `    <content type="html">${xmlText(item.description)}</content>`,
      "  </entry>",
    );
  }
  lines.push("</feed>", "");
  return lines.join("\n");
}
