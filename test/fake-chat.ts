/**
 * Slack, Discord and Microsoft Teams incoming webhooks on 127.0.0.1, built from their documented
 * payloads and limits (not a test file itself): each path shape is one service, as on the real
 * hosts (/services/… Slack, /api/webhooks/<id>/<token> Discord, /webhookb2/… Teams). A message
 * that breaks the service's rules is refused as the service refuses it (Slack 400
 * "invalid_blocks", Discord 400 with a JSON error, Teams 400); one that fits is answered as the
 * service answers (Slack 200 "ok", Discord 204, Teams 200 "1") and recorded.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type Service = "slack" | "discord" | "teams";

export interface ChatPost {
  service: Service;
  path: string;
  json: any;
  /** Why the service refused it; null when it was accepted. */
  refused: string | null;
}

const chars = (s: unknown) => (typeof s === "string" ? [...s].length : 0);

function slackProblem(m: any): string | null {
  if (typeof m?.text !== "string" || !Array.isArray(m.blocks) || m.blocks.length > 50) return "invalid_payload";
  for (const b of m.blocks) {
    if (b.type === "header" && (b.text?.type !== "plain_text" || chars(b.text.text) > 150)) return "invalid_blocks";
    if (b.type === "section" && chars(b.text?.text) > 3000) return "invalid_blocks";
    if (b.type === "actions" && !b.elements?.every((e: any) => e.type === "button" && /^https?:\/\//.test(e.url) && chars(e.text?.text) <= 75)) return "invalid_blocks";
    if (b.type === "context" && (b.elements?.length ?? 0) > 10) return "invalid_blocks";
  }
  return null;
}

function discordProblem(m: any): string | null {
  if (chars(m?.content) > 2000) return "content: Must be 2000 or fewer in length.";
  if (!Array.isArray(m?.embeds) || m.embeds.length > 10) return "embeds: Must be 10 or fewer in length.";
  for (const e of m.embeds) {
    if (chars(e.title) > 256 || chars(e.description) > 4096 || chars(e.footer?.text) > 2048) return "embeds.0: Must be shorter.";
    if ((e.fields?.length ?? 0) > 25) return "embeds.0.fields: Must be 25 or fewer in length.";
    const total = chars(e.title) + chars(e.description) + chars(e.footer?.text) + (e.fields ?? []).reduce((n: number, f: any) => n + chars(f.name) + chars(f.value), 0);
    if (total > 6000) return "embeds: Embed size exceeds maximum size of 6000";
    if (typeof e.color !== "number" || e.color < 0 || e.color > 0xffffff) return "embeds.0.color: Invalid color.";
  }
  return null;
}

function teamsProblem(m: any, bytes: number): string | null {
  if (bytes > 28 * 1024) return "Payload too large";
  const attachment = m?.attachments?.[0];
  if (m?.type !== "message" || attachment?.contentType !== "application/vnd.microsoft.card.adaptive") return "Bad payload";
  if (attachment.content?.type !== "AdaptiveCard" || !Array.isArray(attachment.content.body)) return "Bad card";
  return null;
}

export class FakeChat {
  readonly posts: ChatPost[] = [];
  /** Paths whose webhook was removed in the service: they answer 404 (Slack "no_service"). */
  readonly removed = new Set<string>();
  private server: Server | null = null;
  url = "";

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on("data", (c: Buffer) => parts.push(c));
      req.on("end", () => {
        const raw = Buffer.concat(parts);
        const path = req.url ?? "/";
        const service: Service | null = path.startsWith("/services/") ? "slack" : path.startsWith("/api/webhooks/") ? "discord" : path.startsWith("/webhookb2/") ? "teams" : null;
        if (!service || req.method !== "POST") return void res.writeHead(404).end("not found");
        if (this.removed.has(path)) return void res.writeHead(404, { "Content-Type": "text/plain" }).end("no_service");
        let json: any = null;
        try {
          json = JSON.parse(raw.toString("utf8"));
        } catch {
          return void res.writeHead(400).end("invalid_payload");
        }
        const refused = service === "slack" ? slackProblem(json) : service === "discord" ? discordProblem(json) : teamsProblem(json, raw.length);
        this.posts.push({ service, path, json, refused });
        if (refused) return void res.writeHead(400, { "Content-Type": service === "discord" ? "application/json" : "text/plain" }).end(service === "discord" ? JSON.stringify({ message: refused }) : refused);
        if (service === "slack") return void res.writeHead(200, { "Content-Type": "text/plain" }).end("ok");
        if (service === "discord") return void res.writeHead(204).end();
        res.writeHead(200, { "Content-Type": "text/plain" }).end("1");
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  postsTo(path: string): ChatPost[] {
    return this.posts.filter((p) => p.path === path);
  }

  async close(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
