/**
 * The words Herald itself writes to customers, per locale. A catalogue is a flat JSON object
 * (locales/<bcp47>.json): each key a sentence with `{name}` placeholders, or a plural object whose
 * forms are Intl.PluralRules categories ({"one": "{count} day", "other": "{count} days"}; Arabic
 * uses zero/one/two/few/many/other). `en` is the reference: every other catalogue must have the
 * same keys with the same placeholders (catalogueProblems), which `npm test` and the start check.
 *
 * Plain TypeScript with Intl: a message-format library would be most of the Worker's bundle for
 * two features (placeholders and plurals) Intl already does the hard part of.
 */

export type PluralForms = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };
export type Message = string | PluralForms;
export type Catalogue = Readonly<Record<string, Message>>;
export type MessageParams = Readonly<Record<string, string | number>>;
/** `t("nav.history")`, `t("bar.days_down", { count: 3 })`: the locale's sentence with its values in. */
export type Translate = (key: string, params?: MessageParams) => string;

const PLACEHOLDER = /\{([a-z_][a-z0-9_]*)\}/g;
const PLURAL_FORMS: readonly string[] = ["zero", "one", "two", "few", "many", "other"];

/** The placeholders a message uses (across all its plural forms), sorted. */
export function placeholdersOf(message: Message): string[] {
  const texts = typeof message === "string" ? [message] : Object.values(message);
  const names = new Set<string>();
  for (const text of texts) for (const m of (text ?? "").matchAll(PLACEHOLDER)) names.add(m[1]!);
  return [...names].sort();
}

/** Whether a parsed JSON value is a usable message. */
function isMessage(value: unknown): value is Message {
  if (typeof value === "string") return true;
  if (!value || typeof value !== "object" || Array.isArray(value)) return false;
  const entries = Object.entries(value);
  return typeof (value as { other?: unknown }).other === "string" && entries.every(([k, v]) => PLURAL_FORMS.includes(k) && typeof v === "string");
}

/**
 * What is wrong with `catalogue` measured against the reference (`en`): keys missing or unknown,
 * messages that are not text (or a plural object without "other"), placeholders that differ, a
 * plural where the reference has a sentence or the other way round. Empty when it is complete.
 */
export function catalogueProblems(reference: Catalogue, catalogue: unknown): string[] {
  if (!catalogue || typeof catalogue !== "object" || Array.isArray(catalogue)) return ["is not a JSON object of messages"];
  const problems: string[] = [];
  const entries = catalogue as Record<string, unknown>;
  for (const [key, expected] of Object.entries(reference)) {
    const message = entries[key];
    if (message === undefined) {
      problems.push(`"${key}" is missing`);
      continue;
    }
    if (!isMessage(message)) {
      problems.push(`"${key}" must be text, or an object of plural forms with "other"`);
      continue;
    }
    if (typeof expected !== typeof message) problems.push(`"${key}" must be ${typeof expected === "string" ? "text" : "an object of plural forms"}, as in en`);
    const want = placeholdersOf(expected).join(", ");
    const got = placeholdersOf(message).join(", ");
    if (want !== got) problems.push(`"${key}" must use the placeholders {${want}}, it uses {${got}}`);
  }
  for (const key of Object.keys(entries)) if (!(key in reference)) problems.push(`"${key}" is not a key en has`);
  return problems;
}

function fill(text: string, params: MessageParams | undefined, format: (value: number) => string): string {
  if (!params) return text;
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === "number" ? format(value) : value;
  });
}

/**
 * The translate function of a locale. A key the catalogue lacks is taken from the fallback (en),
 * and an unknown key is an error: both are caught by the catalogue test long before a page is made.
 * Numbers are written in the locale's digits and separators; the plural form follows `count`.
 */
export function translator(locale: string, catalogue: Catalogue, fallback: Catalogue = catalogue): Translate {
  const rules = new Intl.PluralRules(locale);
  const numbers = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
  const format = (value: number): string => numbers.format(value);
  return (key, params) => {
    const message = catalogue[key] ?? fallback[key];
    if (message === undefined) throw new Error(`No message "${key}" in the ${locale} catalogue or en`);
    if (typeof message === "string") return fill(message, params, format);
    const count = Number(params?.count ?? 0);
    // An explicit "zero" form is used for 0 in every language ("no days with outages"), as ICU's =0.
    const form = (count === 0 ? message.zero : undefined) ?? message[rules.select(count)] ?? message.other;
    return fill(form, params, format);
  };
}

/** English and its regional forms ("en-GB"): Herald's own compact forms of dates, durations and lists. */
export function isEnglish(locale: string): boolean {
  return locale === "en" || locale.startsWith("en-");
}

const RIGHT_TO_LEFT = /^(ar|fa|he|ur|ps|sd|yi|ug|dv|ckb)(-|$)/i;

/** A language written right to left, by its language subtag (cheap enough for every time shown). */
export function isRightToLeft(locale: string): boolean {
  return RIGHT_TO_LEFT.test(locale);
}

/** A catalogue's writing direction, from its locale's script (Intl.Locale where it tells). */
export function directionOf(locale: string): "ltr" | "rtl" {
  try {
    const info = new Intl.Locale(locale) as Intl.Locale & { getTextInfo?(): { direction?: string }; textInfo?: { direction?: string } };
    const direction = info.getTextInfo?.().direction ?? info.textInfo?.direction;
    if (direction === "rtl" || direction === "ltr") return direction;
  } catch {
    // not a locale: the caller has already refused it
  }
  return isRightToLeft(locale) ? "rtl" : "ltr";
}

/** The canonical form of a BCP 47 tag ("pt-br" → "pt-BR"), or null when it is not one. */
export function canonicalLocale(tag: string): string | null {
  try {
    const [canonical] = Intl.getCanonicalLocales(tag.trim());
    return canonical ?? null;
  } catch {
    return null;
  }
}

/** The tags to look for, most specific first: "pt-BR" → ["pt-BR", "pt"]; "de-AT" → ["de-AT", "de"]. */
export function localeCandidates(locale: string): string[] {
  const parts = locale.split("-");
  const out: string[] = [];
  for (let n = parts.length; n >= 1; n--) out.push(parts.slice(0, n).join("-"));
  return out;
}
