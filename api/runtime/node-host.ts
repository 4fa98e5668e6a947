/**
 * Serving on Node while the database may be away: until `open` succeeds, the last published site
 * is served and the API answers 503 (createPublicOnlyApp); a failed attempt is logged and retried.
 * Once open, the full app answers on the same port. The page must outlive the outage it reports.
 */
import { getRequestListener } from "@hono/node-server";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Duplex } from "node:stream";
import type { AddressInfo } from "node:net";
import { createPublicOnlyApp } from "../app.ts";
import { redactSecrets } from "../config.ts";
import type { PublicSite } from "../app-deps.ts";
import type { PublishedFastPath } from "./node-published.ts";

export interface OpenedApp {
  app: { fetch(request: Request, env?: unknown): Response | Promise<Response> };
  /** Stops background work and closes the database. */
  stop(): Promise<void>;
}

export interface HostOptions {
  port: number;
  hostname?: string;
  publicSite: PublicSite;
  log: (line: string) => void;
  /** Delay between attempts to reach a database that is down (default 5 s). */
  reconnectMs?: number;
  /** Answers published files before the app (api/runtime/node-published.ts); false: the app answers. */
  fastPath?: PublishedFastPath;
  /** Opens the database and wires the app; `closed()` says the host was closed meanwhile (then open nothing). */
  open(closed: () => boolean): Promise<OpenedApp | null>;
}

export interface Host {
  url: string;
  /** Resolves when the app is open (at once if the database answered at start). */
  ready: Promise<void>;
  close(): Promise<void>;
}

export async function hostWithFallback(o: HostOptions): Promise<Host> {
  let handler: OpenedApp["app"] = createPublicOnlyApp(o.publicSite, "starting");
  let opened: OpenedApp | null = null;
  let closed = false;
  const ready = (async () => {
    while (!closed) {
      try {
        opened = await o.open(() => closed);
        if (opened) handler = opened.app;
        return;
      } catch (error) {
        handler = createPublicOnlyApp(o.publicSite, "cannot open it");
        o.log(`database unavailable (${redactSecrets(String((error as Error)?.message ?? error))}); serving the last published site, retrying`);
        await new Promise((r) => setTimeout(r, o.reconnectMs ?? 5000).unref());
      }
    }
  })();
  // Wait briefly for the first attempt, so a healthy start serves the API from the first request.
  await Promise.race([ready, new Promise((r) => setTimeout(r, 2000))]);
  const server = await new Promise<Server>((resolve) => {
    const fetch = async (request: Request, env: NodeBindings) => closeIfBodyUnread(await handler.fetch(request, env), env);
    const app = getRequestListener(fetch);
    const s = createServer((request, response) => {
      if (!o.fastPath?.(request, response, () => void app(request, response))) void app(request, response);
    });
    s.listen(o.port, o.hostname ?? "0.0.0.0", () => resolve(s));
  });
  server.on("clientError", answerMalformedRequest);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${!o.hostname || o.hostname === "0.0.0.0" ? "localhost" : o.hostname}:${port}`,
    ready,
    async close() {
      closed = true;
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await opened?.stop();
    },
  };
}

type NodeBindings = { incoming?: Pick<IncomingMessage, "complete"> } | undefined;

/**
 * An answer given before the request's body was read (a 413, a 401 to a POST) must not leave
 * the rest of that body on a keep-alive connection: Node would wait for someone to read it and the
 * client's next request on that socket would get no answer. Draining an unbounded body is what the
 * limit exists to avoid, so the connection is closed instead, and the client is told so.
 */
function closeIfBodyUnread(response: Response, env: NodeBindings): Response {
  const incoming = env?.incoming;
  if (!incoming || incoming.complete) return response;
  const headers = new Headers(response.headers);
  headers.set("Connection", "close");
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/**
 * A request Node's parser refuses (a control character in a header, a malformed request line) never
 * reaches the app; by default Node answers a bare 400 with no body. Answer a problem a client can read.
 */
function answerMalformedRequest(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable) return void socket.destroy();
  const tooLarge = error.code === "HPE_HEADER_OVERFLOW";
  const status = tooLarge ? 431 : 400;
  const title = tooLarge ? "Request Header Fields Too Large" : "Bad Request";
  const body = JSON.stringify({
    type: "about:blank", title, status,
    detail: tooLarge ? "The request's headers are too large." : "The request is malformed (for example a control character in a header) and was not read.",
  });
  socket.end(
    `HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
