import { templateExists, templateText } from "../../templates/source.ts";
import { localeCandidates } from "../../domain/locale.ts";
import { escapeMarkdown, renderMarkdown, renderMarkdownProse, renderMarkdownToText } from "../../templates/markdown.ts";

/**
 * The customer notice is an editable Markdown file (templates/customer-notice.md): a
 * `Subject:` line, a blank line, then the body. Placeholders are `{{name}}`:
 *
 * | placeholder | value |
 * | --- | --- |
 * | `{{status_tag}}` | `[INVESTIGATING]`, `[IDENTIFIED]`, `[MONITORING]`, `[RESOLVED]`, `[IN PROGRESS]` … |
 * | `{{status}}` | the update's status in words: `Identified`, `In progress` |
 * | `{{kind}}` | `Incident` or `Scheduled maintenance` |
 * | `{{incident_name}}` | the incident's name |
 * | `{{date}}` | the update's date in the page's zone: `Jan 15, 2024` |
 * | `{{posted_at}}` | the update's date and time with the zone's label, as on the page: `Jan 15, 2024 - 14:05 UTC` |
 * | `{{update_body}}` | the update's own words (Markdown, on a line of its own) |
 * | `{{summary}}` | a resolved incident's SUMMARY, written by Herald: "Between 14:05 and 15:00 UTC today (55 min), API (Major Outage) was affected." (on a line of its own) |
 * | `{{impact}}`, `{{root_cause}}`, `{{resolution}}`, `{{prevention}}` | the resolving update's sections, as the comms lead wrote them (Markdown, each on a line of its own) |
 * | `{{support_email}}` | SUPPORT_EMAIL, when set: write it as `<{{support_email}}>` for a mailto link |
 * | `{{incident_url}}` | the incident's page |
 * | `{{page_name}}` | PAGE_NAME |
 * | `{{unsubscribe_url}}` | the subscriber's one-click unsubscribe link |
 *
 * A section — a `{{#name}}` line, lines, a `{{/name}}` line — is kept only when `{{name}}` has a
 * value, so a heading never stands over nothing (sections do not nest). A template that uses any
 * other placeholder, puts a Markdown placeholder inside a line, or leaves a section open is refused
 * when Herald starts — never discovered in a customer's inbox.
 */
export const PLACEHOLDERS = [
  "status_tag", "status", "kind", "incident_name", "date", "posted_at", "update_body",
  "summary", "impact", "root_cause", "resolution", "prevention", "support_email",
  "incident_url", "page_name", "unsubscribe_url",
] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

/**
 * The postmortem notice (templates/postmortem-notice.md), checked the same way:
 *
 * | placeholder | value |
 * | --- | --- |
 * | `{{incident_name}}` | the incident's name |
 * | `{{date}}` | the day the incident started, in the page's zone: `Jan 15, 2024` |
 * | `{{published_at}}` | when the postmortem was published, as on the page: `Jan 16, 2024 - 09:00 UTC` |
 * | `{{postmortem_body}}` | the postmortem with its action items (Markdown, on a line of its own) |
 * | `{{incident_url}}`, `{{page_name}}`, `{{unsubscribe_url}}` | as in the customer notice |
 */
export const POSTMORTEM_PLACEHOLDERS = [
  "incident_name", "date", "published_at", "postmortem_body", "incident_url", "page_name", "unsubscribe_url",
] as const;
export type PostmortemPlaceholder = (typeof POSTMORTEM_PLACEHOLDERS)[number];

/** Placeholders whose value is Markdown rendered on its own (the same HTML as on the page). */
const BLOCK: ReadonlySet<string> = new Set(["update_body", "postmortem_body", "summary", "impact", "root_cause", "resolution", "prevention"]);
/** Placeholders that are URLs or addresses, put in `<…>` autolinks: inserted as they are. */
const URLS: ReadonlySet<string> = new Set(["incident_url", "unsubscribe_url", "subscribe_url", "endpoint", "support_email"]);

export class TemplateError extends Error {}

export interface MessageTemplate<P extends string = Placeholder> {
  subject: string;
  /**
   * The body split at block placeholders: text segments and the block placeholders between them;
   * `when`: the part is inside a section, kept only when that placeholder has a value.
   */
  parts: (({ text: string } | { block: P }) & { when?: P })[];
}

const PLACEHOLDER = /\{\{\s*([a-z_]+)\s*\}\}/g;
const SECTION_LINE = /^\s*\{\{\s*([#/])\s*([a-z_]+)\s*\}\}\s*$/;

export function parseTemplate<P extends string = Placeholder>(
  source: string,
  name: string,
  placeholders: readonly P[] = PLACEHOLDERS as readonly string[] as readonly P[],
): MessageTemplate<P> {
  const normalized = source.replace(/\r\n?/g, "\n");
  const match = /^Subject:[ \t]*(.+)\n\n([\s\S]*)$/.exec(normalized);
  if (!match) throw new TemplateError(`${name}: must start with a "Subject: …" line, then a blank line, then the body.`);
  for (const [, key] of normalized.matchAll(PLACEHOLDER)) {
    if (!(placeholders as readonly string[]).includes(key!)) {
      throw new TemplateError(`${name}: unknown placeholder {{${key}}}; known: ${placeholders.map((p) => `{{${p}}}`).join(", ")}.`);
    }
  }
  const subject = match[1]!;
  for (const block of BLOCK) {
    if (new RegExp(`\\{\\{\\s*${block}\\s*\\}\\}`).test(subject)) throw new TemplateError(`${name}: {{${block}}} cannot be in the subject.`);
  }
  const parts: MessageTemplate<P>["parts"] = [];
  let when: P | undefined;
  let text: string[] = [];
  const flush = () => {
    parts.push(when ? { text: text.join("\n"), when } : { text: text.join("\n") });
    text = [];
  };
  for (const line of match[2]!.split("\n")) {
    const section = SECTION_LINE.exec(line);
    if (section) {
      const [, mark, key] = section;
      if (!(placeholders as readonly string[]).includes(key!)) {
        throw new TemplateError(`${name}: unknown section {{${mark}${key}}}; a section is named after a placeholder: ${placeholders.map((p) => `{{#${p}}}`).join(", ")}.`);
      }
      if (mark === "#") {
        if (when) throw new TemplateError(`${name}: {{#${key}}} opens inside {{#${when}}}; sections do not nest.`);
        flush();
        when = key as P;
      } else {
        if (when !== key) throw new TemplateError(`${name}: {{/${key}}} closes ${when ? `{{#${when}}}` : "no open section"}.`);
        flush();
        when = undefined;
      }
      continue;
    }
    if (/\{\{\s*[#/]/.test(line)) throw new TemplateError(`${name}: a section mark ({{#…}} or {{/…}}) must be on a line of its own.`);
    const only = /^\s*\{\{\s*([a-z_]+)\s*\}\}\s*$/.exec(line);
    if (only && BLOCK.has(only[1]!)) {
      flush();
      parts.push(when ? { block: only[1] as P, when } : { block: only[1] as P });
      continue;
    }
    for (const [, key] of line.matchAll(PLACEHOLDER)) {
      if (BLOCK.has(key!)) throw new TemplateError(`${name}: {{${key}}} must be on a line of its own.`);
    }
    text.push(line);
  }
  if (when) throw new TemplateError(`${name}: {{#${when}}} is never closed with {{/${when}}}.`);
  flush();
  return { subject, parts };
}

function fill<P extends string>(text: string, values: Readonly<Record<P, string>>, escape: (value: string, key: string) => string): string {
  return text.replace(PLACEHOLDER, (_, key: string) => escape(values[key as P], key));
}

export interface FilledMessage {
  subject: string;
  html: string;
  text: string;
}

/** Fills a template: the subject as plain text, the body as HTML and as plain text. */
export function renderTemplate<P extends string>(template: MessageTemplate<P>, values: Readonly<Record<P, string>>): FilledMessage {
  const inline = (value: string, key: string) => (URLS.has(key) ? value : escapeMarkdown(value));
  const html: string[] = [];
  const text: string[] = [];
  for (const part of template.parts) {
    if (part.when && !(values as Record<string, string>)[part.when]?.trim()) continue;
    const block = "block" in part;
    const markdown = block ? ((values as Record<string, string>)[part.block] ?? "") : fill(part.text, values, inline);
    if (!markdown.trim()) continue;
    // The update's words as typed (a newline is a line break, as on the page); the template's own
    // prose as a Markdown file (a newline inside a paragraph is a space).
    html.push(block ? renderMarkdown(markdown) : renderMarkdownProse(markdown));
    text.push(renderMarkdownToText(markdown));
  }
  return { subject: fill(template.subject, values, (value) => value), html: html.join("\n"), text: `${text.join("\n\n")}\n` };
}

/** Reads and checks a template file under templates/ (once per process). */
function loadTemplateFile<P extends string>(file: string, placeholders: readonly P[]): MessageTemplate<P> {
  return parseTemplate(templateText(file), `templates/${file}`, placeholders);
}

/**
 * The template for a locale: templates/<locale>/<file> when there is one (then the language's,
 * "pt-BR" then "pt"), else templates/<file>. Read and checked once per locale and file.
 */
function localizedTemplate<P extends string>(cache: Map<string, MessageTemplate<P>>, file: string, placeholders: readonly P[], locale: string): MessageTemplate<P> {
  let template = cache.get(locale);
  if (!template) {
    const own = localeCandidates(locale).filter((c) => c !== "en").map((c) => `${c}/${file}`).find(templateExists);
    template = loadTemplateFile(own ?? file, placeholders);
    cache.set(locale, template);
  }
  return template;
}

const customerNotices = new Map<string, MessageTemplate>();
const postmortemNotices = new Map<string, MessageTemplate<PostmortemPlaceholder>>();
const webhookQuarantineNotices = new Map<string, MessageTemplate<WebhookQuarantinePlaceholder>>();

/** templates/customer-notice.md (or the locale's own), read and checked once; call at start so a bad template stops Herald. */
export function loadCustomerNotice(locale = "en"): MessageTemplate {
  return localizedTemplate(customerNotices, "customer-notice.md", PLACEHOLDERS, locale);
}

/** templates/postmortem-notice.md (or the locale's own), read and checked once; call at start so a bad template stops Herald. */
export function loadPostmortemNotice(locale = "en"): MessageTemplate<PostmortemPlaceholder> {
  return localizedTemplate(postmortemNotices, "postmortem-notice.md", POSTMORTEM_PLACEHOLDERS, locale);
}

/**
 * The mail to a webhook's contact address when its endpoint is quarantined
 * (templates/webhook-quarantine.md). Placeholders: `{{page_name}}`, `{{endpoint}}`, `{{failures}}`,
 * `{{timeout}}` (e.g. "30 seconds"), `{{last_error}}`, `{{subscribe_url}}` and `{{unsubscribe_url}}`.
 */
export const WEBHOOK_QUARANTINE_PLACEHOLDERS = ["page_name", "endpoint", "failures", "timeout", "last_error", "subscribe_url", "unsubscribe_url"] as const;
export type WebhookQuarantinePlaceholder = (typeof WEBHOOK_QUARANTINE_PLACEHOLDERS)[number];

/** templates/webhook-quarantine.md (or the locale's own), read and checked once (call at start, like loadCustomerNotice). */
export function loadWebhookQuarantineNotice(locale = "en"): MessageTemplate<WebhookQuarantinePlaceholder> {
  return localizedTemplate(webhookQuarantineNotices, "webhook-quarantine.md", WEBHOOK_QUARANTINE_PLACEHOLDERS, locale);
}
