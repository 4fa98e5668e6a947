/** GET /openapi.json: the management API described from the routes' own entries; needs no key. */
import { Hono } from "hono";
import type { HeraldConfig } from "../config.ts";
import { buildOpenApi, type RouteDoc } from "../openapi.ts";
import type { Env } from "./kit.ts";

export function openApiRoutes(docs: readonly RouteDoc[], config: HeraldConfig): Hono<Env> {
  const app = new Hono<Env>();
  app.get("/openapi.json", (c) => c.json(buildOpenApi(docs, config)));
  return app;
}
