import { serve, type ServerType } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import { openNodeDatabase } from "../db/open-node.ts";
import { createApp, type AppDeps } from "./app.ts";
import type { HeraldConfig } from "./config.ts";

export interface RunningServer {
  url: string;
  deps: AppDeps;
  close(): Promise<void>;
}

/** Opens the database and serves Herald on Node; used by `npm start`, tests and benchmarks. */
export async function startServer(config: HeraldConfig, options: { hostname?: string; log?: (line: string) => void } = {}): Promise<RunningServer> {
  const { db, pageId } = await openNodeDatabase(config.databaseUrl, config.databaseAuthToken);
  const deps: AppDeps = { db, pageId, config, clock: { now: () => new Date() }, ...(options.log ? { log: options.log } : {}) };
  const app = createApp(deps);
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: options.hostname ?? "0.0.0.0" }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${!options.hostname || options.hostname === "0.0.0.0" ? "localhost" : options.hostname}:${port}`,
    deps,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          db.close();
          resolve();
        });
      }),
  };
}
