/**
 * Serving on Node while the database may be away: until `open` succeeds, the last published site
 * is served and the API answers 503 (createPublicOnlyApp); a failed attempt is logged and retried.
 * Once open, the full app answers on the same port. The page must outlive the outage it reports.
 */
import { serve } from "@hono/node-server";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createPublicOnlyApp } from "../app.ts";
import type { PublicSite } from "../app-deps.ts";

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
        o.log(`database unavailable (${redact(String((error as Error)?.message ?? error))}); serving the last published site, retrying`);
        await new Promise((r) => setTimeout(r, o.reconnectMs ?? 5000).unref());
      }
    }
  })();
  // Wait briefly for the first attempt, so a healthy start serves the API from the first request.
  await Promise.race([ready, new Promise((r) => setTimeout(r, 2000))]);
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: (request, env) => handler.fetch(request, env), port: o.port, hostname: o.hostname ?? "0.0.0.0" }, () => resolve(s as Server));
  });
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

/** Credentials a libSQL URL or error may carry are never logged. */
function redact(text: string): string {
  return text.replace(/(authToken|token|password)=[^&\s]+/gi, "$1=…");
}
