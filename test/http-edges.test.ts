/**
 * The edges of HTTP that real clients hit, against a real listening server: a refused body must
 * not break the client's next request on the same keep-alive connection, methods Herald does not
 * serve get 405 with Allow, every refusal is a problem+json a client can read.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { Readable } from "node:stream";
import { join } from "node:path";
import { Agent, request } from "undici";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startServer, type RunningServer } from "../api/server.ts";
import { createKey } from "../api/service/keys.ts";
import { testServerConfig } from "./harness.ts";

let dir: string;
let server: RunningServer;
let token: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "herald-http-"));
  server = await startServer(testServerConfig(dir), { hostname: "127.0.0.1", log: () => {} });
  await server.ready;
  token = await server.deps!.db.write(async (tx) => (await createKey({ tx, actor: { id: null, name: "test", role: "admin" }, now: new Date().toISOString(), hooks: {} }, "Ada", "admin")).token);
  await server.publisher!.idle();
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Sends raw bytes on a fresh socket and returns everything the server answered until it closed or went quiet. */
function raw(bytes: string): Promise<string> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), "127.0.0.1");
    let answer = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk) => {
      answer += chunk;
      if (wholeAnswerLength(answer) >= 0) socket.end(); // one whole answer is enough
    });
    socket.on("end", () => resolve(answer));
    socket.on("close", () => resolve(answer));
    socket.on("error", reject);
    socket.write(bytes, "latin1");
  });
}

/** The length of the first whole HTTP answer in `buffer` (Content-Length or chunked), or -1 while incomplete. */
function wholeAnswerLength(buffer: string): number {
  const end = buffer.indexOf("\r\n\r\n");
  if (end < 0) return -1;
  const head = buffer.slice(0, end);
  const length = /content-length: *(\d+)/i.exec(head)?.[1];
  if (length !== undefined) return buffer.length >= end + 4 + Number(length) ? end + 4 + Number(length) : -1;
  if (/transfer-encoding: *chunked/i.test(head)) {
    const last = buffer.indexOf("\r\n0\r\n\r\n", end);
    return last < 0 ? -1 : last + 7;
  }
  return -1;
}

/** Status, lowercased headers and the body, de-chunked. */
function parseRaw(answer: string): { status: number; headers: Map<string, string>; body: string } {
  const end = answer.indexOf("\r\n\r\n");
  const [statusLine, ...lines] = answer.slice(0, end).split("\r\n");
  const headers = new Map(lines.map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()] as const));
  let body = answer.slice(end + 4);
  if (headers.get("transfer-encoding") === "chunked") {
    let out = "";
    for (let at = 0; ; ) {
      const line = body.indexOf("\r\n", at);
      const size = parseInt(body.slice(at, line), 16);
      if (!size) break;
      out += body.slice(line + 2, line + 2 + size);
      at = line + 2 + size + 2;
    }
    body = out;
  }
  return { status: Number(statusLine!.split(" ")[1]), headers, body };
}

/**
 * One keep-alive conversation on one socket: the first request, its whole answer, then the second
 * request — unless the first answer said the connection closes, which a client then honours.
 */
function conversation(first: string, second: string): Promise<{ first: ReturnType<typeof parseRaw>; second: ReturnType<typeof parseRaw> | "closed" }> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), "127.0.0.1");
    let buffer = "";
    let firstAnswer: ReturnType<typeof parseRaw> | undefined;
    socket.setEncoding("latin1");
    socket.on("data", (chunk) => {
      buffer += chunk;
      const size = wholeAnswerLength(buffer);
      if (size < 0) return;
      const answer = parseRaw(buffer.slice(0, size));
      buffer = buffer.slice(size);
      if (!firstAnswer) {
        firstAnswer = answer;
        if (answer.headers.get("connection") !== "close") socket.write(second, "latin1");
      } else {
        socket.end();
        resolve({ first: firstAnswer, second: answer });
      }
    });
    socket.on("close", () => firstAnswer && resolve({ first: firstAnswer, second: "closed" }));
    socket.on("error", (error) => (firstAnswer ? resolve({ first: firstAnswer, second: "closed" }) : reject(error)));
    socket.write(first, "latin1");
  });
}

const STATUS = "GET /api/v2/status.json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

describe("an answer given before the body was read does not break the next request on the connection", () => {
  const json = JSON.stringify({ name: "x".repeat(200 * 1024) });
  const chunked = (text: string) => {
    let out = "";
    for (let i = 0; i < text.length; i += 8192) out += `${Math.min(8192, text.length - i).toString(16)}\r\n${text.slice(i, i + 8192)}\r\n`;
    return `${out}0\r\n\r\n`;
  };
  const post = (path: string, body: string, framing: "sized" | "chunked", auth = "") =>
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${auth}` +
    (framing === "sized" ? `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}` : `Transfer-Encoding: chunked\r\n\r\n${chunked(body)}`);

  test.each([
    ["/api/v1/incidents", "sized"],
    ["/api/v1/incidents", "chunked"],
    ["/subscriptions", "sized"],
    ["/subscriptions", "chunked"],
  ] as const)("POST %s with a %s body over the limit: 413, then the connection closes or answers", async (path, framing) => {
    const { first, second } = await conversation(post(path, json, framing, `Authorization: Bearer ${token}\r\n`), STATUS);
    expect(first.status).toBe(413);
    expect(first.headers.get("content-type")).toContain("application/problem+json");
    // Either the server said it closes (and did), or it read the rest and answers the next request.
    if (second === "closed") expect(first.headers.get("connection")).toBe("close");
    else expect(second.status).toBe(200);
  });

  test("a 401 to a POST whose body was never read", async () => {
    const { first, second } = await conversation(post("/api/v1/incidents", JSON.stringify({ name: "y".repeat(30_000) }), "sized", "Authorization: Bearer nope\r\n"), STATUS);
    expect(first.status).toBe(401);
    if (second === "closed") expect(first.headers.get("connection")).toBe("close");
    else expect(second.status).toBe(200);
  });

  test("a keep-alive client (undici, one connection) gets both answers", async () => {
    const agent = new Agent({ connections: 1, pipelining: 1 });
    try {
      for (const framing of ["sized", "chunked"] as const) {
        const body = framing === "sized" ? json : Readable.from([Buffer.from(json.slice(0, 100_000)), Buffer.from(json.slice(100_000))]);
        const big = await request(`${server.url}/api/v1/incidents`, {
          method: "POST", dispatcher: agent, headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` }, body,
        });
        expect(big.statusCode).toBe(413);
        expect(((await big.body.json()) as { status: number }).status).toBe(413);
        const next = await request(`${server.url}/api/v2/status.json`, { dispatcher: agent });
        expect(next.statusCode).toBe(200);
        expect(((await next.body.json()) as { status: { indicator: string } }).status.indicator).toBe("none");
      }
    } finally {
      await agent.close();
    }
  });
});

describe("methods Herald does not serve", () => {
  test.each(["TRACE", "PROPFIND"])("%s on the page answers 405 with Allow", async (method) => {
    const { status, headers, body } = parseRaw(await raw(`${method} / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`));
    expect(status).toBe(405);
    expect(headers.get("allow")).toBe("GET, HEAD");
    expect(headers.get("content-type")).toContain("application/problem+json");
    expect(JSON.parse(body)).toMatchObject({ status: 405 });
  });

  test("DELETE on a published page answers 405 with Allow: GET, HEAD", async () => {
    const res = await fetch(`${server.url}/history.rss`, { method: "DELETE" });
    expect(res.status).toBe(405);
    expect(res.headers.get("Allow")).toBe("GET, HEAD");
    expect(((await res.json()) as { status: number }).status).toBe(405);
  });

  test("an unknown method on the API answers 405 with the methods the API serves", async () => {
    const res = await fetch(`${server.url}/api/v1/incidents`, { method: "PROPFIND", headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(405);
    expect(res.headers.get("Allow")).toBe("GET, HEAD, POST");
    expect(((await res.json()) as { status: number }).status).toBe(405);
  });

  test("a path nothing serves is still a 404 for known methods", async () => {
    expect((await fetch(`${server.url}/no-such-page`, { method: "DELETE" })).status).toBe(404);
  });
});

describe("refusals are problem+json a client can read", () => {
  test("an oversized JSON body to /subscriptions", async () => {
    const res = await fetch(`${server.url}/subscriptions`, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ email: "a@example.com", pad: "x".repeat(40_000) }),
    });
    expect(res.status).toBe(413);
    expect(res.headers.get("Content-Type")).toContain("application/problem+json");
    expect(((await res.json()) as { status: number }).status).toBe(413);
  });

  test("an oversized form to /subscriptions is still a page a person can read", async () => {
    const res = await fetch(`${server.url}/subscriptions`, {
      method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: `email=a%40example.com&pad=${"x".repeat(40_000)}`,
    });
    expect(res.status).toBe(413);
    expect(res.headers.get("Content-Type")).toContain("text/html");
  });

  test("a header Node refuses (a control character) gets a 400 problem with a body", async () => {
    const { status, headers, body } = parseRaw(await raw("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Bad: a\u0001b\r\n\r\n"));
    expect(status).toBe(400);
    expect(headers.get("content-type")).toContain("application/problem+json");
    expect(headers.get("connection")).toBe("close");
    expect(JSON.parse(body)).toMatchObject({ status: 400, title: "Bad Request" });
  });
});
