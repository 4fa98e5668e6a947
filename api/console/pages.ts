/**
 * The console's HTML: server-rendered, no script, the public site's stylesheet (so the same
 * design system, dark mode and phone layout), every value escaped.
 */
import { escapeHtml } from "../../templates/markdown.ts";

export interface ConsoleLayout {
  pageName: string;
  stylesheet: string | null;
  /** The signed-in member and the sign-out form's CSRF token; absent on the sign-in pages. */
  member?: { name: string; role: string; csrf: string };
}

/** The HTML security headers and caching of every console answer (its own CSP: the public pages stay script-free too). */
export const CONSOLE_HEADERS: Readonly<Record<string, string>> = {
  "Content-Type": "text/html; charset=utf-8",
  "Cache-Control": "no-store",
  "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "X-Frame-Options": "DENY",
  "X-Content-Type-Options": "nosniff",
  "X-Robots-Tag": "noindex, nofollow",
  // Sign-in links carry their token in the path: never send it to another site as a Referer.
  // (Not "no-referrer": with it browsers send "Origin: null" on the console's own form posts.)
  "Referrer-Policy": "same-origin",
};

export function consolePage(layout: ConsoleLayout, title: string, body: string): string {
  const css = layout.stylesheet && /^\/[A-Za-z0-9_./-]+\.css$/.test(layout.stylesheet) ? `<link rel="stylesheet" href="${escapeHtml(layout.stylesheet)}">` : "";
  const member = layout.member
    ? `<nav aria-label="Console"><ul>${navItems(layout.member.role)
        .map(([href, label]) => `<li><a href="${href}">${escapeHtml(label)}</a></li>`)
        .join("")}<li><a href="/">Status page</a></li></ul></nav>
<form method="post" action="/console/sign-out" class="who"><input type="hidden" name="csrf" value="${escapeHtml(layout.member.csrf)}"><span>${escapeHtml(layout.member.name)} (${escapeHtml(layout.member.role)})</span> <button type="submit">Sign out</button></form>`
    : "";
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="color-scheme" content="light dark"><meta name="robots" content="noindex, nofollow"><link rel="icon" href="data:,">
<title>${escapeHtml(title)} · ${escapeHtml(layout.pageName)} console</title>${css}</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="site"><div class="wrap"><p class="brand"><a href="/console">${escapeHtml(layout.pageName)} · Console</a></p>${member}</div></header>
<main class="wrap" id="main">
<h1>${escapeHtml(title)}</h1>
${body}
</main>
</body>
</html>
`;
}

/** The console's pages a role may use, in the order of the navigation. */
export function navItems(role: string): [href: string, label: string][] {
  const everyone: [string, string][] = [
    ["/console", "Now"],
    ["/console/incidents", "Incidents"],
    ["/console/maintenances", "Maintenance"],
    ["/console/drills", "Drills"],
    ["/console/follow-through", "Follow-through"],
    ["/console/templates", "Templates"],
    ["/console/alerts", "Alerts"],
  ];
  const admin: [string, string][] = [
    ["/console/components", "Components"],
    ["/console/members", "Members"],
    ["/console/keys", "API keys"],
    ["/console/webhooks", "Webhooks"],
  ];
  return role === "admin" ? [...everyone, ...admin] : everyone;
}

export const para = (text: string): string => `<p>${escapeHtml(text)}</p>`;
