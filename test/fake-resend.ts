/**
 * A stand-in for the Resend API on 127.0.0.1 that the real `resend` SDK talks to (pass `url` as
 * its baseUrl, or set RESEND_BASE_URL). It implements POST /emails/batch with Resend's
 * idempotency semantics: a key seen before with the same payload returns the first response and
 * delivers nothing again; with a different payload it is a 409 invalid_idempotent_request; while
 * the first request with a key is still being processed, a 409 concurrent_idempotent_requests.
 * It can be told to answer the next N requests with a 429 (retry-after), a 500, a hang (never
 * answers), or a "lost response" (delivers, then never answers).
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

export interface FakeEmail {
  from: string;
  to: string[];
  subject: string;
  html?: string;
  text?: string;
  headers?: Record<string, string>;
}

export interface RecordedRequest {
  method: string;
  path: string;
  idempotencyKey: string | null;
  validation: string | null;
  authorization: string | null;
  payload: FakeEmail[] | null;
  /** What the fake did: the status it answered, or "hang"/"lost". */
  answer: number | "hang" | "lost";
  /** True when the key had been seen and the stored response was replayed. */
  replayed: boolean;
}

export interface Delivery {
  id: string;
  idempotencyKey: string | null;
  email: FakeEmail;
}

export type Fault =
  | { kind: "429"; retryAfterSeconds?: number }
  | { kind: "500" }
  | { kind: "hang" }
  /** Accept and deliver, then hold the response back (the client times out). */
  | { kind: "lost" };

interface Stored {
  hash: string;
  status: number;
  body: string;
}

export class FakeResend {
  readonly requests: RecordedRequest[] = [];
  readonly deliveries: Delivery[] = [];
  /** Recipients that a permissive batch refuses per message (a strict one refuses whole). */
  readonly invalidRecipients = new Set<string>();
  /** Called for every request before it is answered (e.g. to kill the sender mid-batch). */
  onRequest: ((request: RecordedRequest) => void) | null = null;
  /** Keep payloads (html/text) of requests and deliveries; benchmarks turn this off to save memory. */
  retainBodies = true;
  private readonly faults: Fault[] = [];
  private readonly stored = new Map<string, Stored>();
  private readonly inProgress = new Set<string>();
  private readonly held = new Set<ServerResponse>();
  private nextId = 1;
  private server: Server | null = null;
  url = "";

  /** The next `times` batch requests get `fault`, after any faults already queued. */
  fail(fault: Fault, times = 1): void {
    for (let i = 0; i < times; i++) this.faults.push(fault);
  }

  /** How many times Resend would have delivered to this address. */
  deliveredTo(address: string): number {
    return this.deliveries.filter((d) => d.email.to.includes(address)).length;
  }

  /** Deliveries per recipient. */
  deliveryCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const d of this.deliveries) for (const to of d.email.to) counts.set(to, (counts.get(to) ?? 0) + 1);
    return counts;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    const address = this.server.address();
    if (!address || typeof address === "string") throw new Error("no address");
    this.url = `http://127.0.0.1:${address.port}`;
    return this.url;
  }

  async close(): Promise<void> {
    for (const res of this.held) res.destroy();
    this.held.clear();
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = null;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const key = header(req, "idempotency-key");
    const record: RecordedRequest = {
      method: req.method ?? "",
      path: req.url ?? "",
      idempotencyKey: key,
      validation: header(req, "x-batch-validation"),
      authorization: header(req, "authorization"),
      payload: null,
      answer: 0,
      replayed: false,
    };
    try {
      record.payload = JSON.parse(raw) as FakeEmail[];
    } catch {
      // answered below
    }
    this.requests.push(record);
    this.onRequest?.(record);

    if (req.method !== "POST" || req.url !== "/emails/batch") return this.answer(res, record, 404, { statusCode: 404, name: "not_found", message: "Not found" });
    if (!record.authorization?.startsWith("Bearer ")) return this.answer(res, record, 401, { statusCode: 401, name: "missing_api_key", message: "Missing API key" });
    if (!Array.isArray(record.payload)) return this.answer(res, record, 422, { statusCode: 422, name: "validation_error", message: "Body must be an array" });

    const fault = this.faults.shift();
    if (fault?.kind === "429") {
      const seconds = fault.retryAfterSeconds ?? 1;
      return this.answer(res, record, 429, { statusCode: 429, name: "rate_limit_exceeded", message: "Too many requests" }, {
        "retry-after": String(seconds), "ratelimit-reset": String(seconds),
      });
    }
    if (fault?.kind === "500") return this.answer(res, record, 500, { statusCode: 500, name: "internal_server_error", message: "Oops" });
    if (fault?.kind === "hang") {
      record.answer = "hang";
      this.held.add(res);
      return;
    }

    const hash = createHash("sha256").update(raw).digest("hex");
    if (key !== null) {
      if (this.inProgress.has(key)) return this.answer(res, record, 409, { statusCode: 409, name: "concurrent_idempotent_requests", message: "Same key in progress" });
      const stored = this.stored.get(key);
      if (stored) {
        if (stored.hash !== hash) return this.answer(res, record, 409, { statusCode: 409, name: "invalid_idempotent_request", message: "Same key, different payload" });
        record.replayed = true;
        if (fault?.kind === "lost") return this.hold(res, record);
        return this.send(res, record, stored.status, stored.body, {});
      }
      this.inProgress.add(key);
    }
    const permissive = record.validation === "permissive";
    const invalid = record.payload.map((email, index) => ({ email, index })).filter(({ email }) => !validEmail(email, this.invalidRecipients));
    let status: number;
    let body: string;
    if (invalid.length > 0 && !permissive) {
      status = 422;
      body = JSON.stringify({ statusCode: 422, name: "validation_error", message: `Invalid \`to\` field in email ${invalid[0]!.index}` });
    } else {
      const data: { id: string }[] = [];
      const errors: { index: number; message: string }[] = [];
      record.payload.forEach((email, index) => {
        if (invalid.some((i) => i.index === index)) {
          errors.push({ index, message: "Invalid `to` field. The email address needs to follow the `email@example.com` format." });
          return;
        }
        const id = `fake-${String(this.nextId++).padStart(8, "0")}`;
        this.deliveries.push({ id, idempotencyKey: key, email: this.retainBodies ? email : { from: email.from, to: email.to, subject: email.subject } });
        data.push({ id });
      });
      status = 200;
      body = JSON.stringify(permissive ? { data, errors } : { data });
    }
    if (key !== null) {
      this.inProgress.delete(key);
      if (status === 200) this.stored.set(key, { hash, status, body });
    }
    if (!this.retainBodies) record.payload = null;
    if (fault?.kind === "lost") return this.hold(res, record);
    this.send(res, record, status, body, {});
  }

  private hold(res: ServerResponse, record: RecordedRequest): void {
    record.answer = "lost";
    this.held.add(res);
  }

  private answer(res: ServerResponse, record: RecordedRequest, status: number, body: unknown, headers: Record<string, string> = {}): void {
    this.send(res, record, status, JSON.stringify(body), headers);
  }

  private send(res: ServerResponse, record: RecordedRequest, status: number, body: string, headers: Record<string, string>): void {
    record.answer = status;
    if (res.destroyed) return;
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(body);
  }
}

function header(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

function validEmail(email: FakeEmail, invalid: ReadonlySet<string>): boolean {
  if (!email || typeof email.from !== "string" || typeof email.subject !== "string") return false;
  const to = Array.isArray(email.to) ? email.to : [email.to];
  return to.length > 0 && to.every((t) => typeof t === "string" && /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(t) && !invalid.has(t));
}
