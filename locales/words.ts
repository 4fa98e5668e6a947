/**
 * The page's language for the views: its locale, its zone and its translate function, made once
 * per page (PageInfo carries the locale and its catalogue, read and checked at start by
 * locales/catalogues.ts). Views take `Words`, or a bare zone name meaning English (the tests'
 * and the console's shorthand).
 */
import { EN } from "./catalogues.ts";
import { directionOf, translator, type Catalogue, type Translate } from "../domain/locale.ts";
import type { ComponentStatus } from "../domain/components.ts";
import type { IncidentRecord } from "../db/records.ts";

export interface Words {
  locale: string;
  timeZone: string;
  dir: "ltr" | "rtl";
  t: Translate;
}

export interface PageLanguage {
  timeZone: string;
  /** BCP 47 (PAGE_LOCALE); absent: en. */
  locale?: string;
  /** The locale's catalogue; absent: en's. */
  messages?: Catalogue;
}

const byPage = new WeakMap<object, Words>();
const byZone = new Map<string, Words>();
/** Translators by catalogue and locale: each publish makes a new page object, not a new catalogue. */
const translators = new WeakMap<Catalogue, Map<string, Translate>>();

function translatorFor(locale: string, messages: Catalogue): Translate {
  let byLocale = translators.get(messages);
  if (!byLocale) translators.set(messages, (byLocale = new Map()));
  let t = byLocale.get(locale);
  if (!t) byLocale.set(locale, (t = translator(locale, messages, EN)));
  return t;
}

/** The words of a page (cached per page object: a publish makes thousands of views from one). */
export function wordsOf(page: PageLanguage): Words {
  let words = byPage.get(page);
  if (!words) {
    const locale = page.locale ?? "en";
    words = { locale, timeZone: page.timeZone, dir: directionOf(locale), t: translatorFor(locale, page.messages ?? EN) };
    byPage.set(page, words);
  }
  return words;
}

export type At = Words | string;

/** Words from either form: a zone alone means English. */
export function words(at: At): Words {
  if (typeof at !== "string") return at;
  let w = byZone.get(at);
  if (!w) byZone.set(at, (w = wordsOf({ timeZone: at })));
  return w;
}

/**
 * A sentence with one placeholder (`{time}` unless told) as the words before and after it, kept
 * with their spaces ("Last updated " + time + ".", "最終更新：" + time): for markup that puts what
 * fills the placeholder in its own element (a `<time>`, a link).
 */
export function around(t: Translate, key: string, params: Record<string, string | number> = {}, slot = "time"): [string, string] {
  const mark = "\u0000";
  const text = t(key, { ...params, [slot]: mark });
  const at = text.indexOf(mark);
  return at < 0 ? [text, ""] : [text.slice(0, at), text.slice(at + mark.length)];
}

/** A component's status in the page's words ("Major Outage"; the API keeps its English labels). */
export function componentStatusWord(w: Words, status: ComponentStatus): string {
  return w.t(`component_status.${status}`);
}

/** An incident or maintenance status in the page's words; a maintenance called off before it began reads "Cancelled". */
export function statusWord(w: Words, status: IncidentRecord["status"], record?: Pick<IncidentRecord, "cancelledAt"> | null): string {
  return status === "completed" && record?.cancelledAt ? w.t("status.cancelled") : w.t(`status.${status}`);
}
