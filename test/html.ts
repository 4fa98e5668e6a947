/**
 * HTML as a browser reads it (parse5, the WHATWG parser jsdom uses), for tests that assert on
 * what a mail or page shows — its text, its links, its elements — never on the markup's spelling.
 */
import { parse } from "parse5";
import type { DefaultTreeAdapterMap } from "parse5";

type Node = DefaultTreeAdapterMap["node"];
type Element = DefaultTreeAdapterMap["element"];

export interface HtmlElement {
  tag: string;
  attrs: Record<string, string>;
  /** The text inside, whitespace collapsed. */
  text: string;
}

function isElement(node: Node): node is Element {
  return "tagName" in node;
}

function textOf(node: Node): string {
  if (node.nodeName === "#text") return (node as DefaultTreeAdapterMap["textNode"]).value;
  if (isElement(node) && (node.tagName === "script" || node.tagName === "style" || node.tagName === "head")) return "";
  // Hidden text (a mail's preheader) is not what a reader sees in the message.
  if (isElement(node) && node.attrs.some((a) => a.name === "style" && /display:\s*none/.test(a.value))) return "";
  const children = "childNodes" in node ? (node.childNodes as Node[]) : [];
  const inner = children.map(textOf).join("");
  // Block elements and <br> separate words, as a reader sees them.
  return isElement(node) && /^(p|div|br|li|tr|td|h[1-6]|table|ul|ol|blockquote|pre)$/.test(node.tagName) ? ` ${inner} ` : inner;
}

const collapse = (text: string) => text.replace(/\s+/g, " ").trim();

export interface ParsedHtml {
  /** Every word a reader sees, in order, whitespace collapsed (head, script, style and hidden elements excluded). */
  text: string;
  /** Elements with this tag name, in document order. */
  all(tag: string): HtmlElement[];
  /** Links: their href and what a reader sees as the link. */
  links(): { href: string; text: string }[];
}

export function parseHtml(html: string): ParsedHtml {
  const document = parse(html);
  const elements: Element[] = [];
  const walk = (node: Node) => {
    if (isElement(node)) elements.push(node);
    for (const child of ("childNodes" in node ? (node.childNodes as Node[]) : [])) walk(child);
    if (isElement(node) && node.tagName === "template") walk((node as DefaultTreeAdapterMap["template"]).content as unknown as Node);
  };
  walk(document as unknown as Node);
  const view = (e: Element): HtmlElement => ({ tag: e.tagName, attrs: Object.fromEntries(e.attrs.map((a) => [a.name, a.value])), text: collapse(textOf(e)) });
  const body = elements.find((e) => e.tagName === "body");
  return {
    text: collapse(body ? textOf(body) : ""),
    all: (tag) => elements.filter((e) => e.tagName === tag).map(view),
    links: () => elements.filter((e) => e.tagName === "a").map((e) => ({ href: view(e).attrs.href ?? "", text: view(e).text })),
  };
}
