/**
 * The small HTML pages of the subscription flow. No script and no inline style (the site's CSP
 * allows neither); every dynamic value goes through escapeHtml. The site's stylesheet is linked
 * when one is published.
 */
import { securityHeaders } from "../http/public-pages.ts";
import { escapeHtml } from "../../templates/markdown.ts";
import type { Translate } from "../../domain/locale.ts";
import type { Words } from "../../locales/words.ts";

export interface PageOptions {
  pageName: string;
  /** The page's language (`<html lang dir>`); absent: en. */
  words?: Pick<Words, "locale" | "dir">;
  /** Published path of the site's stylesheet (e.g. `/_astro/site.abc123.css`), if any. */
  stylesheet?: string | null;
}

export function htmlPage(o: PageOptions, title: string, body: string): string {
  const css = o.stylesheet && /^\/[A-Za-z0-9_./-]+\.css$/.test(o.stylesheet) ? `<link rel="stylesheet" href="${escapeHtml(o.stylesheet)}">` : "";
  return `<!doctype html>
<html lang="${escapeHtml(o.words?.locale ?? "en")}" dir="${o.words?.dir ?? "ltr"}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><link rel="icon" href="data:,">
<title>${escapeHtml(title)} · ${escapeHtml(o.pageName)}</title>${css}</head>
<body>
<header class="site"><div class="wrap"><p class="brand"><a href="/">${escapeHtml(o.pageName)}</a></p></div></header>
<main class="wrap" id="main">
<h1>${escapeHtml(title)}</h1>
${body}
</main>
</body>
</html>
`;
}

/** An HTML response with the site's security headers, never cached, never leaking the token by Referer. */
export function htmlResponse(html: string, status = 200, extra: Record<string, string> = {}): Response {
  const headers = new Headers({ "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store", ...extra });
  securityHeaders(headers, "text/html");
  headers.set("Referrer-Policy", "no-referrer");
  return new Response(html, { status, headers });
}

export const p = (text: string): string => `<p>${escapeHtml(text)}</p>`;
/** "Back to the status page", in the page's words. */
export const backLink = (t: Translate): string => `<p><a href="/">${escapeHtml(t("sub.back"))}</a></p>`;

/** A form that POSTs to `action` (already a path of ours) with hidden fields and one button. */
export function buttonForm(action: string, hidden: Record<string, string>, label: string, inner = ""): string {
  const fields = Object.entries(hidden)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join("");
  return `<form method="post" action="${escapeHtml(action)}">${fields}${inner}<p><button type="submit">${escapeHtml(label)}</button></p></form>`;
}

export interface ComponentChoice {
  id: string;
  name: string;
  checked: boolean;
}

export interface ChoiceSection {
  /** The group's name, or null for components on their own. */
  group: string | null;
  choices: ComponentChoice[];
}

/** Checkboxes for components, grouped and in the page's order, in a fieldset with a legend. */
export function componentFieldset(sections: readonly ChoiceSection[], legend: string): string {
  if (sections.every((s) => s.choices.length === 0)) return "";
  const box = (c: ComponentChoice) =>
    `<li><input type="checkbox" id="c-${escapeHtml(c.id)}" name="component_ids" value="${escapeHtml(c.id)}"${c.checked ? " checked" : ""}> <label for="c-${escapeHtml(c.id)}">${escapeHtml(c.name)}</label></li>`;
  const items = sections
    .map((s) => (s.group === null ? s.choices.map(box).join("") : `<li class="grp"><span class="nm">${escapeHtml(s.group)}</span><ul>${s.choices.map(box).join("")}</ul></li>`))
    .join("");
  return `<fieldset class="choose"><legend>${escapeHtml(legend)}</legend><ul>${items}</ul></fieldset>`;
}
