/**
 * A stand-in for a Slack incoming webhook on 127.0.0.1: records every JSON body POSTed to it
 * and answers "ok", or, when told, the next N requests with a 500, a 429 (Retry-After) or a 404
 * (a removed webhook).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type SlackFault = 500 | 429 | 404;

export class FakeSlack {
  /** Accepted messages, in arrival order. */
  readonly messages: { text: string }[] = [];
  /** Every request's answer, in order. */
  readonly answers: number[] = [];
  private readonly faults: SlackFault[] = [];
  private server: Server | null = null;
  url = "";

  /** The next requests get these answers, one each (then "ok" again). */
  fail(...faults: SlackFault[]): void {
    this.faults.push(...faults);
  }

  texts(): string[] {
    return this.messages.map((m) => m.text);
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const fault = this.faults.shift();
        if (fault) {
          this.answers.push(fault);
          res.writeHead(fault, { "Content-Type": "text/plain", ...(fault === 429 ? { "Retry-After": "1" } : {}) });
          res.end(fault === 404 ? "no_service" : "rate_limited");
          return;
        }
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        } catch {
          body = null;
        }
        if (req.method !== "POST" || !body || typeof (body as { text?: unknown }).text !== "string") {
          this.answers.push(400);
          res.writeHead(400, { "Content-Type": "text/plain" });
          res.end("invalid_payload");
          return;
        }
        this.messages.push(body as { text: string });
        this.answers.push(200);
        res.writeHead(200, { "Content-Type": "text/plain" });
        res.end("ok");
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/services/T000/B000/XXXX`;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

/** Polls until `check` holds or `ms` pass (background senders); returns whether it held. */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}
