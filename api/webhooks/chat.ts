/**
 * Deliveries to chat channels, written natively: Slack Block Kit, a Discord embed, a Teams
 * Adaptive Card — the update's status, its words and a link to the page, within each service's
 * documented limits (domain/chat.ts). People's words go in as plain text: no mentions, no markup
 * that would ping a channel or change the message's look.
 */
import { CHAT_LIMITS, clip, type ChatFormat } from "../../domain/chat.ts";
import { isComponentStatus } from "../../domain/components.ts";
import { STATUS_LABELS } from "../../domain/lifecycle.ts";
import { componentStatusWord, statusWord, words, type At } from "../../locales/words.ts";
import { renderMarkdownToText } from "../../templates/markdown.ts";
import type { Envelope } from "./payload.ts";

/** One message, whatever the service. */
export interface ChatMessage {
  title: string;
  /** Plain text. */
  text: string;
  facts: { name: string; value: string }[];
  link: { label: string; url: string };
  /** #rrggbb: the status's colour. */
  color: string;
  footer: string;
  /** ISO time of what happened. */
  at?: string;
}

const COLORS = { ok: "#2da44e", minor: "#d4a72c", partial: "#e16f24", major: "#cf222e", maint: "#0969da", info: "#59636e" } as const;
const IMPACT_COLORS: Readonly<Record<string, string>> = { none: COLORS.info, minor: COLORS.minor, major: COLORS.partial, critical: COLORS.major, maintenance: COLORS.maint };
const STATUS_COLORS: Readonly<Record<string, string>> = {
  operational: COLORS.ok, degraded_performance: COLORS.minor, partial_outage: COLORS.partial, major_outage: COLORS.major, under_maintenance: COLORS.maint,
};

type Json = Record<string, unknown>;

/** What a Statuspage envelope says, as a chat message, in the page's words (`at`: its Words, or a zone for English). */
export function chatMessageOf(envelope: Envelope, pageName: string, pageUrl: string, at: At = "UTC"): ChatMessage {
  const w = words(at);
  if ("incident" in envelope) {
    const incident = envelope.incident as Json;
    const updates = (incident.incident_updates as Json[]) ?? [];
    const newest = updates[0] ?? {};
    const status = String(newest.status ?? incident.status);
    const maintenance = incident.scheduled_for != null;
    const label = status in STATUS_LABELS ? statusWord(w, status as keyof typeof STATUS_LABELS) : status;
    const done = status === "resolved" || status === "completed";
    const components = ((incident.components as Json[]) ?? []).map((c) => String(c.name));
    return {
      title: maintenance ? w.t("feed.item_maintenance", { name: String(incident.name), status: label.toLocaleLowerCase(w.locale) }) : w.t("feed.item", { name: String(incident.name), status: label }),
      text: renderMarkdownToText(String(newest.body ?? "")).trim(),
      facts: components.length > 0 ? [{ name: w.t(maintenance ? "chat.components" : "chat.affected"), value: components.join(w.t("list.separator")) }] : [],
      link: { label: w.t(maintenance ? "mail.view_maintenance" : "mail.view_incident"), url: String(incident.shortlink) },
      color: done ? COLORS.ok : maintenance ? COLORS.maint : status === "monitoring" ? COLORS.info : (IMPACT_COLORS[String(incident.impact)] ?? COLORS.major),
      footer: pageName,
      at: String(newest.display_at ?? newest.created_at ?? incident.updated_at),
    };
  }
  const component = envelope.component as Json;
  const change = envelope.component_update as Json;
  const word = (s: unknown) => (isComponentStatus(s) ? componentStatusWord(w, s) : String(s));
  const name = String(component.name);
  return {
    title: w.t("chat.component_title", { name, status: word(change.new_status) }),
    text: w.t("chat.component_change", { name, from: word(change.old_status), to: word(change.new_status) }),
    facts: [],
    link: { label: w.t("chat.view_page"), url: pageUrl },
    color: STATUS_COLORS[String(change.new_status)] ?? COLORS.info,
    footer: pageName,
    at: String(change.created_at),
  };
}

/** The message that asks a channel to confirm it wants the page's updates. */
export function confirmationMessage(pageName: string, confirmUrl: string, days: number, at: At = "UTC"): ChatMessage {
  const w = words(at);
  return {
    title: w.t("chat.confirm_title", { page: pageName }),
    text: w.t("chat.confirm_text", { page: pageName, count: days }),
    facts: [],
    link: { label: w.t("chat.confirm"), url: confirmUrl },
    color: COLORS.maint,
    footer: pageName,
  };
}

function slack(m: ChatMessage): Json {
  const L = CHAT_LIMITS.slack;
  const blocks: Json[] = [{ type: "header", text: { type: "plain_text", text: clip(m.title, L.headerText) } }];
  if (m.text) blocks.push({ type: "section", text: { type: "plain_text", text: clip(m.text, L.sectionText) } });
  for (const f of m.facts) blocks.push({ type: "context", elements: [{ type: "plain_text", text: clip(`${f.name}: ${f.value}`, L.sectionText) }] });
  blocks.push({ type: "actions", elements: [{ type: "button", text: { type: "plain_text", text: m.link.label }, url: m.link.url }] });
  blocks.push({ type: "context", elements: [{ type: "plain_text", text: clip(m.footer, L.sectionText) }] });
  // `text` is what notifications and clients without blocks show. Slack reads it as mrkdwn, where
  // "<!channel>" would ping everyone: &, < and > are escaped as Slack asks, so words stay words.
  const escaped = clip([m.title, m.text].filter(Boolean).join("\n"), L.fallbackText).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return { text: escaped, blocks };
}

function discord(m: ChatMessage): Json {
  const L = CHAT_LIMITS.discord;
  const title = clip(m.title, L.embedTitle);
  const footer = clip(m.footer, L.footerText);
  const fields = m.facts.slice(0, 25).map((f) => ({ name: clip(f.name, 256), value: clip(f.value, 1024), inline: false }));
  const used = [...title].length + [...footer].length + fields.reduce((n, f) => n + [...f.name].length + [...f.value].length, 0);
  const embed: Json = {
    title,
    url: m.link.url,
    description: clip(m.text || m.link.label, Math.min(L.embedDescription, L.embedTotal - used)),
    color: parseInt(m.color.slice(1), 16),
    fields,
    footer: { text: footer },
    ...(m.at ? { timestamp: m.at } : {}),
  };
  // No @everyone, @here or role pings from anything in the words.
  return { content: clip(`${m.link.label}: ${m.link.url}`, L.content), embeds: [embed], allowed_mentions: { parse: [] } };
}

function teams(m: ChatMessage): Json {
  const card = (text: string): Json => ({
    type: "message",
    attachments: [{
      contentType: "application/vnd.microsoft.card.adaptive",
      contentUrl: null,
      content: {
        $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
        type: "AdaptiveCard",
        version: "1.4",
        body: [
          { type: "TextBlock", text: m.title, weight: "Bolder", size: "Medium", wrap: true },
          ...(text ? [{ type: "TextBlock", text, wrap: true }] : []),
          ...(m.facts.length > 0 ? [{ type: "FactSet", facts: m.facts.map((f) => ({ title: f.name, value: f.value })) }] : []),
          { type: "TextBlock", text: m.footer, isSubtle: true, size: "Small", wrap: true },
        ],
        actions: [{ type: "Action.OpenUrl", title: m.link.label, url: m.link.url }],
      },
    }],
  });
  // The whole message must stay under 28 KB: shorten the words until it does.
  let max: number = CHAT_LIMITS.teams.textBlock;
  let payload = card(clip(m.text, max));
  while (new TextEncoder().encode(JSON.stringify(payload)).length > CHAT_LIMITS.teams.payloadBytes && max > 100) {
    max = Math.floor(max * 0.8);
    payload = card(clip(m.text, max));
  }
  return payload;
}

/** The JSON a chat service's incoming webhook takes for `message`. */
export function chatBody(format: ChatFormat, message: ChatMessage): string {
  return JSON.stringify(format === "slack" ? slack(message) : format === "discord" ? discord(message) : teams(message));
}
