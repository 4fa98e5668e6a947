/**
 * Chat channels as webhook subscribers: Slack, Discord and Microsoft Teams incoming webhooks
 * cannot answer Herald's registration challenge, so their URLs are recognised and verified by a
 * confirmation link posted into the channel instead; their deliveries are formatted natively
 * (api/webhooks/chat.ts) within each service's documented limits.
 */

export type ChatFormat = "slack" | "discord" | "teams";
/** How a subscription's deliveries are written: Statuspage's signed JSON, or a chat service's message. */
export type WebhookFormat = "herald" | ChatFormat;

export const CHAT_LABELS: Readonly<Record<ChatFormat, string>> = { slack: "Slack", discord: "Discord", teams: "Microsoft Teams" };

/**
 * The documented limits a message must fit (Slack Block Kit: section text 3,000 characters, header
 * 150; Discord: content 2,000, embed title 256, description 4,096, 6,000 per embed in all; Teams:
 * an Adaptive Card message up to 28 KB).
 */
export const CHAT_LIMITS = {
  slack: { sectionText: 3000, headerText: 150, fallbackText: 4000 },
  discord: { content: 2000, embedTitle: 256, embedDescription: 4096, embedTotal: 6000, footerText: 2048 },
  teams: { payloadBytes: 28 * 1024, textBlock: 8000 },
} as const;

/** By path, for a fake service on this machine (tests, WEBHOOK_ALLOW_LOOPBACK): the same shapes the real hosts use. */
function byPath(path: string): ChatFormat | null {
  if (/^\/services\/[^/]+\/[^/]+\/[^/]+/.test(path)) return "slack";
  if (/^\/api\/webhooks\/\d+\/[^/]+/.test(path)) return "discord";
  if (/^\/(webhookb2|workflows|powerautomate)\//.test(path)) return "teams";
  return null;
}

/**
 * The chat service an incoming-webhook URL belongs to, or null for an ordinary endpoint:
 * hooks.slack.com/services/…, discord.com/api/webhooks/… (and discordapp.com), Teams connectors
 * (*.webhook.office.com/webhookb2/…) and Teams workflows (*.logic.azure.com/workflows/…,
 * *.environment.api.powerplatform.com/powerautomate/…).
 */
export function chatFormatOf(url: URL, options: { loopback?: boolean } = {}): ChatFormat | null {
  const host = url.hostname.toLowerCase();
  const path = url.pathname;
  if (host === "hooks.slack.com" && path.startsWith("/services/")) return "slack";
  if ((host === "discord.com" || host === "discordapp.com" || host === "canary.discord.com" || host === "ptb.discord.com") && path.startsWith("/api/webhooks/")) return "discord";
  if (host.endsWith(".webhook.office.com") && path.startsWith("/webhookb2/")) return "teams";
  if (host.endsWith(".logic.azure.com") && path.startsWith("/workflows/")) return "teams";
  if (host.endsWith(".environment.api.powerplatform.com") && path.startsWith("/powerautomate/")) return "teams";
  if (options.loopback && (host === "127.0.0.1" || host === "localhost" || host === "[::1]")) return byPath(path);
  return null;
}

/** `text` cut to `max` characters (code points), ending in "…" when cut. */
export function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, Math.max(0, max - 1)).join("")}…`;
}
