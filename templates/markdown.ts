/**
 * Markdown for incident update bodies. One renderer feeds the status page, the RSS feed and
 * emails, so everything here must be safe to drop into HTML as-is.
 *
 * Two independent layers:
 *  1. A dedicated `Marked` instance whose renderer never lets raw HTML through (it is escaped
 *     and shown as text), maps headings down, turns images into links and only emits links
 *     with an http:, https: or mailto: href.
 *  2. An `xss` FilterXSS pass with an explicit allow-list over the result, so a mistake in
 *     layer 1 (or in marked) still cannot produce a script, an event handler or a bad href.
 *
 * No `node:*` imports and no DOM: this also runs on Cloudflare Workers.
 */
import { Marked } from "marked";
import type { Tokens } from "marked";
import { FilterXSS } from "xss";

const LINK_REL = "nofollow noopener noreferrer";

/** Escapes & < > " ' so a plain string can go into HTML text or a quoted attribute. */
/** Backslash-escapes Markdown punctuation, so a name like `*nix_db` reads as typed. */
export function escapeMarkdown(value: string): string {
  return value.replace(/[\\`*_{}[\]()#+\-.!|<>~&]/g, (c) => `\\${c}`);
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

// A deliberately small set of named entities: the common ones authors type, plus the ones
// used to smuggle schemes past filters (&colon; &Tab; &NewLine;). Unknown names stay as typed,
// which can only make a URL fail the scheme check, never pass it.
const NAMED_ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: "\u00a0",
  colon: ":",
  Tab: "\t",
  NewLine: "\n",
  copy: "\u00a9",
  reg: "\u00ae",
  trade: "\u2122",
  hellip: "\u2026",
  ndash: "\u2013",
  mdash: "\u2014",
  lsquo: "\u2018",
  rsquo: "\u2019",
  ldquo: "\u201c",
  rdquo: "\u201d",
  bull: "\u2022",
  middot: "\u00b7",
  deg: "\u00b0",
  times: "\u00d7",
  euro: "\u20ac",
  pound: "\u00a3",
};

// Numeric references decode with or without the `;` (browsers do too); named ones need it.
const ENTITY = /&#[xX]([0-9a-fA-F]{1,8});?|&#([0-9]{1,8});?|&([a-zA-Z][a-zA-Z0-9]{1,31});/g;

function codePointToString(code: number): string {
  // The same replacement a browser makes for NUL, surrogates and out-of-range references.
  if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return "\ufffd";
  return String.fromCodePoint(code);
}

/** Decodes numeric character references and the named ones above, in a single pass. */
function decodeEntities(text: string): string {
  return text.replace(ENTITY, (match, hex: string | undefined, dec: string | undefined, name: string | undefined) => {
    if (hex !== undefined) return codePointToString(parseInt(hex, 16));
    if (dec !== undefined) return codePointToString(parseInt(dec, 10));
    return (name !== undefined && NAMED_ENTITIES[name]) || match;
  });
}

// Whitespace and control/invisible characters a browser ignores or that hide a scheme
// (`java\tscript:`, `\u200bjavascript:`). Removing more than a browser does only makes the
// check stricter.
const IGNORED_URL_CHARS = /[\s\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2060\ufeff]/g;
const ALLOWED_SCHEME = /^(?:https?|mailto):/i;

/**
 * True when the URL (decoded text, or an HTML attribute value: entities are decoded either way)
 * starts with http:, https: or mailto:. Relative URLs are refused too: an update body has no
 * business linking relative to wherever it happens to be shown (page, feed, email).
 */
function isAllowedUrl(url: string): boolean {
  return ALLOWED_SCHEME.test(decodeEntities(url).replace(IGNORED_URL_CHARS, ""));
}

/** The href to emit for an allowed URL: percent-encoded the way marked does it, or null. */
function toHref(url: string): string | null {
  if (!isAllowedUrl(url)) return null;
  try {
    return encodeURI(url.trim()).replace(/%25/g, "%");
  } catch {
    return null; // lone surrogates: not worth a link
  }
}

/**
 * The URL as the author meant it. marked v18 leaves character references unresolved in
 * ordinary link destinations and titles (its own renderer relies on the browser decoding them),
 * but autolinks are literal text.
 */
function linkUrl(token: { href: string; autolink?: boolean }): string {
  return token.autolink ? token.href : decodeEntities(token.href);
}

// Set while a link's label is rendered: an image inside a link (a "badge") is reduced to its
// alt text rather than becoming a second, nested link. Rendering is synchronous, so a plain
// counter is enough.
let linkDepth = 0;

function insideLink(render: () => string): string {
  linkDepth++;
  try {
    return render();
  } finally {
    linkDepth--;
  }
}

function renderAnchor(url: string, title: string | null | undefined, labelHtml: string): string {
  const href = toHref(url);
  if (href === null) return labelHtml; // refused scheme: keep the words, drop the link
  const titleAttr = title ? ` title="${escapeHtml(decodeEntities(title))}"` : "";
  return `<a href="${escapeHtml(href)}"${titleAttr} rel="${LINK_REL}">${labelHtml}</a>`;
}

// Update bodies sit under the page's own h1/h2, so `#` → h3, `##` → h4, `###` and deeper → h5.
function headingLevel(depth: number): number {
  return Math.min(depth + 2, 5);
}

/**
 * `breaks`: a single newline is a `<br>`. Update bodies are typed by a person under pressure, for
 * whom Enter means a new line; template prose (mail templates) is wrapped like any Markdown file,
 * where a newline inside a paragraph is a space.
 */
const htmlMarkedWith = (breaks: boolean) => new Marked({
  gfm: true,
  breaks,
  async: false,
  renderer: {
    // Raw HTML is never markup: show it as the text the author typed.
    html({ text, block }) {
      if (!block) return escapeHtml(text);
      return `<p>${escapeHtml(text.trim()).replace(/\n/g, "<br>")}</p>\n`;
    },
    // Inside an inline <pre>/<script> marked hands over raw, unescaped text (`escaped: true`)
    // and would output it verbatim; since those tags are shown as text, so is their content.
    text(token) {
      if (token.type === "text" && token.escaped) return escapeHtml(token.text);
      return false; // marked's own text rendering (escapes, keeps entities)
    },
    heading({ tokens, depth }) {
      const level = headingLevel(depth);
      return `<h${level}>${this.parser.parseInline(tokens)}</h${level}>\n`;
    },
    // No `class="language-…"`: class names never come from input.
    code({ text }) {
      const body = text ? escapeHtml(text.replace(/\n$/, "")) + "\n" : "";
      return `<pre><code>${body}</code></pre>\n`;
    },
    // Task-list boxes as read-only boxes drawn in text (☑ done, ☐ open): <input> is not on the
    // allow-list, and a box nobody can tick should not look like one that can be.
    checkbox({ checked }) {
      return checked ? "☑ " : "☐ ";
    },
    // No `align` attribute: the allow-list has no attributes for cells.
    tablecell(token) {
      const tag = token.header ? "th" : "td";
      return `<${tag}>${this.parser.parseInline(token.tokens)}</${tag}>\n`;
    },
    link(token) {
      // Autolink text is the literal URL; marked escapes it fully, so do we.
      const label = token.autolink ? escapeHtml(token.text) : insideLink(() => this.parser.parseInline(token.tokens));
      return renderAnchor(linkUrl(token), token.title, label);
    },
    // No images on a status page or in email: an image becomes a link to it, labelled with its
    // alt text (or the URL when there is none); inside a link or with a refused URL only the
    // alt text is left.
    image(token) {
      const alt = this.parser.parseInline(token.tokens);
      if (linkDepth > 0) return alt;
      const url = linkUrl(token);
      return renderAnchor(url, token.title, alt || escapeHtml(url));
    },
  },
});
const htmlMarked = htmlMarkedWith(true);
const proseMarked = htmlMarkedWith(false);

// Layer 2. Anything not listed here is escaped into visible text by xss; attributes not
// listed are dropped.
const ALLOWED_TAGS: Record<string, string[]> = {
  p: [], br: [], strong: [], em: [], del: [], code: [], pre: [], blockquote: [],
  ul: [], ol: ["start"], li: [], hr: [],
  a: ["href", "title", "rel"],
  h3: [], h4: [], h5: [], h6: [],
  table: [], thead: [], tbody: [], tr: [], th: [], td: [],
};

/** Escapes what could end a quoted attribute or open a tag; existing entities are left alone. */
function escapeAttrValue(value: string): string {
  return value.replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

const xssFilter = new FilterXSS({
  whiteList: ALLOWED_TAGS,
  css: false, // no style attribute is allowed anywhere, so no CSS to filter
  onTagAttr(tag, name, value, isWhiteAttr) {
    if (!isWhiteAttr) return undefined; // xss drops it
    // Returning "" drops the attribute; returning a string emits it verbatim.
    if (tag === "a" && name === "href") return isAllowedUrl(value) ? `href="${escapeAttrValue(value)}"` : "";
    if (tag === "a" && name === "rel") return `rel="${LINK_REL}"`;
    if (tag === "ol" && name === "start") return /^\d{1,9}$/.test(value) ? `start="${value}"` : "";
    return `${name}="${escapeAttrValue(value)}"`;
  },
});

/**
 * marked recurses once per nesting level, so absurd nesting (`> > > …` or `1. 1. 1. …`, a few
 * thousand levels, well within the API's body limit) overflows the stack. Rather than fail the
 * page, such a body is shown as escaped text.
 */
function parseOrFallback(markdown: string, parse: () => string, fallback: () => string): string {
  if (hasPathologicalEmphasis(markdown)) return fallback();
  try {
    return parse();
  } catch (error) {
    if (error instanceof RangeError) return fallback();
    throw error;
  }
}

/**
 * marked v18 parses mixed, unmatched `*`/`_` delimiters in quadratic time per paragraph (marked
 * issue #4099): a 20,000-character paragraph of `_*a` takes seconds, which would stall every page
 * that shows it. Real paragraphs carry a few dozen delimiters; a body with a paragraph of more
 * than this many is shown as text, which bounds the worst case within the API's body limit to a
 * few hundred milliseconds, once (results are memoized below).
 */
const MAX_EMPHASIS_DELIMITERS_PER_PARAGRAPH = 500;

function hasPathologicalEmphasis(markdown: string): boolean {
  let count = 0;
  for (let i = 0; i < markdown.length; i++) {
    const c = markdown.charCodeAt(i);
    if (c === 42 || c === 95) {
      // * or _
      if (++count > MAX_EMPHASIS_DELIMITERS_PER_PARAGRAPH) return true;
    } else if (c === 10 && /^\n[ \t]*\n/.test(markdown.slice(i, i + 64))) {
      count = 0; // a blank line ends the paragraph
    }
  }
  return false;
}

/**
 * The page, feed and mail render the same few bodies on every publish; remember the last
 * results (bounded), so publishing does not re-parse unchanged updates.
 */
const MEMO_LIMIT = 2000;
const htmlMemo = new Map<string, string>();
const proseMemo = new Map<string, string>();

function memoized(memo: Map<string, string>, key: string, compute: () => string): string {
  const hit = memo.get(key);
  if (hit !== undefined) {
    memo.delete(key);
    memo.set(key, hit); // most recently used last
    return hit;
  }
  const value = compute();
  memo.set(key, value);
  if (memo.size > MEMO_LIMIT) memo.delete(memo.keys().next().value!);
  return value;
}

/** Plain text as HTML: paragraphs at blank lines, line breaks kept, everything escaped. */
function textToHtml(text: string): string {
  return text
    .trim()
    .split(/\n\s*\n/)
    .map((paragraph) => `<p>${escapeHtml(paragraph.trim()).replace(/\n/g, "<br>")}</p>\n`)
    .join("");
}

function renderWith(marked: Marked, memo: Map<string, string>, markdown: string): string {
  return memoized(memo, markdown, () => {
    const html = parseOrFallback(
      markdown,
      () => marked.parse(markdown, { async: false }),
      () => textToHtml(markdown),
    );
    return xssFilter.process(html).trimEnd();
  });
}

/** Markdown → safe HTML for the status page, the RSS feed and email bodies. */
export function renderMarkdown(markdown: string): string {
  return renderWith(htmlMarked, htmlMemo, markdown);
}

/** The same for prose written like a Markdown file (mail templates): a newline inside a paragraph is a space, not a `<br>`. */
export function renderMarkdownProse(markdown: string): string {
  return renderWith(proseMarked, proseMemo, markdown);
}

// ---------------------------------------------------------------------------------------------
// Plain text, for the text/plain part of emails. Nothing here is ever interpreted as HTML, so
// raw HTML from the input is simply kept as the text the author typed.

/** Prefixes every line but the first with `indent` (blank lines stay empty). */
function indentFollowingLines(text: string, indent: string): string {
  return text.replace(/\n(?=[^\n])/g, `\n${indent}`);
}

const textMarked = new Marked({
  gfm: true,
  breaks: true,
  async: false,
  renderer: {
    space: () => "",
    def: () => "",
    hr: () => "---\n\n",
    html: ({ text, block }) => (block ? `${text.trim()}\n\n` : text),
    code: ({ text }) => `${text}\n\n`,
    heading({ tokens }) {
      return `${this.parser.parseInline(tokens)}\n\n`;
    },
    paragraph({ tokens }) {
      return `${this.parser.parseInline(tokens)}\n\n`;
    },
    blockquote({ tokens }) {
      const inner = this.parser.parse(tokens).trim();
      return inner.replace(/^/gm, "> ").replace(/^> $/gm, ">") + "\n\n";
    },
    list(token) {
      const start = typeof token.start === "number" ? token.start : 1;
      const items = token.items.map((item, i) => {
        const marker = token.ordered ? `${start + i}. ` : "- ";
        const body = this.parser.parse(item.tokens).trim();
        return marker + indentFollowingLines(body, " ".repeat(marker.length));
      });
      return items.join(token.loose ? "\n\n" : "\n") + "\n\n";
    },
    checkbox: ({ checked }) => (checked ? "[x] " : "[ ] "),
    table(token) {
      const row = (cells: Tokens.TableCell[]) => cells.map((cell) => this.parser.parseInline(cell.tokens)).join(" | ");
      return [row(token.header), ...token.rows.map(row)].join("\n") + "\n\n";
    },
    strong({ tokens }) {
      return this.parser.parseInline(tokens);
    },
    em({ tokens }) {
      return this.parser.parseInline(tokens);
    },
    del({ tokens }) {
      return this.parser.parseInline(tokens);
    },
    codespan: ({ text }) => text,
    br: () => "\n",
    text(token) {
      // Block-level text (tight list items) carries inline tokens and ends a line.
      if ("tokens" in token && token.tokens) return `${this.parser.parseInline(token.tokens)}\n`;
      // Backslash escapes and raw text inside inline <pre>/<script> are literal already.
      if (token.type === "escape" || token.escaped) return token.text;
      return decodeEntities(token.text);
    },
    link(token) {
      // An autolink's text already is the URL.
      if (token.autolink) return token.text;
      const label = insideLink(() => this.parser.parseInline(token.tokens));
      const url = linkUrl(token).trim();
      if (!isAllowedUrl(url) || label === url) return label;
      return `${label} (${url})`;
    },
    image(token) {
      const alt = this.parser.parseInline(token.tokens);
      const url = linkUrl(token).trim();
      if (linkDepth > 0 || !isAllowedUrl(url)) return alt;
      return alt ? `${alt} (${url})` : url;
    },
  },
});

/** Markdown → plain text for the text part of an email: the words and lines, without markup. */
export function renderMarkdownToText(markdown: string): string {
  const text = parseOrFallback(
    markdown,
    () => textMarked.parse(markdown, { async: false }),
    () => markdown,
  );
  return text.replace(/\n{3,}/g, "\n\n").replace(/^\n+/, "").trimEnd();
}
