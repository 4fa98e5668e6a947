/**
 * The design every mail to a subscriber is wrapped in: the page's name (and logo), the status in
 * its colour, what happened or when it will happen, the affected components with their status,
 * the template's words, a "View incident" button and a footer with the unsubscribe link. Built
 * for mail clients as they are: one 600 px table, inline styles only, no images but the optional
 * logo, colours that keep their contrast when a client darkens the mail. The text part says the
 * same words in the same order, links written out.
 *
 * Templates (templates/*.md) stay editable Markdown: they hold the words; this holds the frame.
 */
import type { ComponentStatus } from "../../domain/components.ts";
import { componentStatusWord, wordsOf, type Words } from "../../locales/words.ts";
import { escapeHtml } from "../../templates/markdown.ts";
import type { MailSettings } from "./settings.ts";

export type MailTone = "ok" | "minor" | "partial" | "major" | "maint" | "info";

/** Mid-tone colours: 4.5:1 or better against white, and still readable when a client inverts the card. */
const TONE_COLOURS: Readonly<Record<MailTone, string>> = {
  ok: "#1a7f37",
  minor: "#9a6700",
  partial: "#bc4c00",
  major: "#cf222e",
  maint: "#0969da",
  info: "#59636e",
};

const COMPONENT_TONES: Readonly<Record<ComponentStatus, MailTone>> = {
  operational: "ok",
  degraded_performance: "minor",
  partial_outage: "partial",
  major_outage: "major",
  under_maintenance: "maint",
};

export interface MailFrame {
  settings: MailSettings;
  subject: string;
  /** The first words a mail client shows beside the subject. */
  preheader: string;
  status?: { label: string; tone: MailTone };
  /** The incident's or maintenance's name. */
  title?: string;
  /** Short facts under the title: "Posted" / "When" / "Severity". */
  facts: { label: string; value: string }[];
  components: { name: string; status: ComponentStatus }[];
  body: { html: string; text: string };
  action?: { label: string; url: string };
  /** Why this address gets the mail, and the link to stop it (absent on a mail that is no subscription: a sign-in link). */
  footer: { reason: string; unsubscribe?: { url: string; label: string } };
}

const FONT = "font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";

/** Inline styles for what the template's Markdown renders (mail clients drop <style> blocks). */
function styleBody(html: string): string {
  return html
    .replace(/<p>/g, '<p style="margin:0 0 12px;line-height:1.55">')
    .replace(/<(ul|ol)( start="\d+")?>/g, (_, tag: string, start = "") => `<${tag}${start} style="margin:0 0 12px;padding-left:22px">`)
    .replace(/<li>/g, '<li style="margin:0 0 4px">')
    .replace(/<h([3-6])>/g, '<h$1 style="margin:16px 0 8px;font-size:16px">')
    .replace(/<blockquote>/g, '<blockquote style="margin:0 0 12px;padding-left:12px;border-left:3px solid #d1d9e0;color:#59636e">')
    .replace(/<pre>/g, '<pre style="white-space:pre-wrap;background:#f6f8fa;padding:8px;border-radius:4px">')
    .replace(/<a href=/g, '<a style="color:#0969da" href=');
}

function componentRows(w: Words, components: MailFrame["components"]): string {
  if (components.length === 0) return "";
  const rows = components
    .map((c) => {
      const colour = TONE_COLOURS[COMPONENT_TONES[c.status]];
      return `<tr><td style="padding:6px 0;border-top:1px solid #d1d9e0">${escapeHtml(c.name)}</td><td align="right" style="padding:6px 0;border-top:1px solid #d1d9e0;color:${colour};font-weight:600">${escapeHtml(componentStatusWord(w, c.status))}</td></tr>`;
    })
    .join("");
  return `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="margin:0 0 16px;font-size:14px"><tr><td colspan="2" style="padding:0 0 4px;color:#59636e;font-size:12px;text-transform:uppercase;letter-spacing:.04em">${escapeHtml(w.t("mail.affected_components"))}</td></tr>${rows}</table>`;
}

/** The mail as HTML and as text, with the same words. */
export function designedMail(frame: MailFrame): { html: string; text: string } {
  const { settings } = frame;
  const w = wordsOf(settings);
  const pageName = escapeHtml(settings.pageName);
  const logo = settings.logoUrl ? `<img src="${escapeHtml(settings.logoUrl)}" alt="" height="28" style="height:28px;width:auto;vertical-align:middle;margin-right:10px;border:0">` : "";
  const colour = frame.status ? TONE_COLOURS[frame.status.tone] : "#d1d9e0";
  const status = frame.status
    ? `<p style="margin:0 0 6px;font-size:13px;font-weight:700;letter-spacing:.04em;text-transform:uppercase;color:${colour}">${escapeHtml(frame.status.label)}</p>`
    : "";
  const title = frame.title ? `<h1 style="margin:0 0 8px;font-size:22px;line-height:1.3;color:#1f2328">${escapeHtml(frame.title)}</h1>` : "";
  const facts = frame.facts.length
    ? `<p style="margin:0 0 16px;font-size:14px;color:#59636e">${frame.facts.map((f) => `${escapeHtml(f.label)}: <strong style="color:#1f2328">${escapeHtml(f.value)}</strong>`).join("<br>")}</p>`
    : "";
  const action = frame.action
    ? `<table role="presentation" cellpadding="0" cellspacing="0" style="margin:8px 0 4px"><tr><td style="border-radius:6px;background:#0969da"><a href="${escapeHtml(frame.action.url)}" style="display:inline-block;padding:12px 22px;color:#ffffff;text-decoration:none;font-weight:600;border-radius:6px">${escapeHtml(frame.action.label)}</a></td></tr></table>`
    : "";
  const html = `<!doctype html>
<html lang="${escapeHtml(w.locale)}" dir="${w.dir}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="color-scheme" content="light dark"><meta name="supported-color-schemes" content="light dark"><title>${escapeHtml(frame.subject)}</title></head>
<body style="margin:0;padding:0;background:#f6f8fa;${FONT};color:#1f2328">
<div style="display:none;max-height:0;overflow:hidden;opacity:0">${escapeHtml(frame.preheader)}</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f6f8fa"><tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" style="width:100%;max-width:600px;background:#ffffff;border:1px solid #d1d9e0;border-radius:8px;${FONT};font-size:15px;color:#1f2328">
<tr><td style="padding:18px 24px;border-bottom:1px solid #d1d9e0;font-size:17px;font-weight:700"><a href="${escapeHtml(settings.pageUrl)}" style="color:#1f2328;text-decoration:none">${logo}${pageName}</a></td></tr>
<tr><td style="height:6px;line-height:6px;font-size:0;background:${colour}">&nbsp;</td></tr>
<tr><td style="padding:22px 24px 8px">
${status}${title}${facts}${componentRows(w, frame.components)}${styleBody(frame.body.html)}
${action}
</td></tr>
<tr><td style="padding:16px 24px;border-top:1px solid #d1d9e0;font-size:13px;line-height:1.5;color:#59636e">${escapeHtml(frame.footer.reason)}${frame.footer.unsubscribe ? ` <a href="${escapeHtml(frame.footer.unsubscribe.url)}" style="color:#59636e">${escapeHtml(frame.footer.unsubscribe.label)}</a>` : ""}</td></tr>
</table>
</td></tr></table>
</body></html>
`;
  const text = [
    settings.pageName,
    "",
    ...(frame.status || frame.title ? [[frame.status?.label, frame.title].filter(Boolean).join(": ")] : []),
    ...frame.facts.map((f) => `${f.label}: ${f.value}`),
    ...(frame.components.length ? ["", `${w.t("mail.affected_components")}:`, ...frame.components.map((c) => `- ${c.name}: ${componentStatusWord(w, c.status)}`)] : []),
    "",
    frame.body.text.trim(),
    ...(frame.action ? ["", `${frame.action.label}: ${frame.action.url}`] : []),
    "",
    "--",
    frame.footer.reason,
    ...(frame.footer.unsubscribe ? [`${frame.footer.unsubscribe.label}: ${frame.footer.unsubscribe.url}`] : []),
    "",
  ].join("\n");
  return { html, text };
}
