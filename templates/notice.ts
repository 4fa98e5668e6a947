/**
 * The customer notice's sections as Markdown, for every medium that shows them (the incident page,
 * the feeds, the [RESOLVED] mail): the summary Herald writes, then the sections the comms lead wrote.
 */
import { summaryInputOf, summarySentence, writtenSections, type NoticeIncident, type NoticeSections, type SummaryInput } from "../domain/notice.ts";
import { words, type At } from "../locales/words.ts";
import { escapeMarkdown } from "./markdown.ts";

/** The summary sentence as Markdown: component names read as typed. `at`: the page's words, or a zone (English). */
export function summaryMarkdown(summary: SummaryInput, at: At, today: string | null = null): string {
  return escapeMarkdown(summarySentence(summary, words(at), today));
}

export interface NoticeBlock {
  heading: string;
  markdown: string;
}

/**
 * What the page and the feeds show under an update: its written sections, headed by the summary
 * when it is the incident's resolution. An update without sections shows none (its words say it).
 */
export function noticeBlocks(
  incident: NoticeIncident,
  update: { id: string; notice?: NoticeSections | null },
  at: At,
): NoticeBlock[] {
  const sections = writtenSections(update.notice);
  if (sections.length === 0) return [];
  const w = words(at);
  const summary = summaryInputOf(incident, update.id);
  return [
    ...(summary ? [{ heading: w.t("notice.summary_heading"), markdown: summaryMarkdown(summary, w) }] : []),
    ...sections.map(({ field, markdown }) => ({ heading: w.t(`notice.${field}`), markdown })),
  ];
}
