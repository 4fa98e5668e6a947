/**
 * A webhook receiver on 127.0.0.1 for the webhook suites (not a test file itself). It answers
 * Herald's registration challenge (unless told not to), records every delivery, and answers each
 * with the next scripted reply (a status, optional headers, an optional delay) or the default.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** Wait this long before answering (longer than Herald's timeout: a slow reply). */
  delayMs?: number;
}

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: any;
  reply: Reply;
}

export class FakeWebhookReceiver {
  /** Deliveries (every POST that is not a challenge), in arrival order. */
  readonly received: Received[] = [];
  /** Challenges seen. */
  readonly challenges: Received[] = [];
  /** How a challenge is answered: echo it (default), or a reply that fails it. */
  challengeReply: "echo" | Reply = "echo";
  defaultReply: Reply = { status: 200 };
  private readonly script: Reply[] = [];
  private server: Server | null = null;
  private readonly open = new Set<ServerResponse>();
  url = "";

  /** The next `times` deliveries get `reply`. */
  reply(reply: Reply, times = 1): void {
    for (let i = 0; i < times; i++) this.script.push(reply);
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        let json: any = null;
        try {
          json = JSON.parse(body);
        } catch {
          // recorded as text
        }
        const isChallenge = req.headers["x-herald-event"] === "webhook.challenge";
        if (isChallenge && this.challengeReply === "echo") {
          this.challenges.push({ path: req.url ?? "", headers: req.headers, body, json, reply: { status: 200 } });
          res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ challenge: json?.challenge }));
          return;
        }
        const reply = isChallenge ? (this.challengeReply as Reply) : (this.script.shift() ?? this.defaultReply);
        (isChallenge ? this.challenges : this.received).push({ path: req.url ?? "", headers: req.headers, body, json, reply });
        this.open.add(res);
        const answer = () => {
          this.open.delete(res);
          if (!res.destroyed) res.writeHead(reply.status, reply.headers ?? {}).end("ok");
        };
        if (reply.delayMs) setTimeout(answer, reply.delayMs);
        else answer();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    for (const res of this.open) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}
