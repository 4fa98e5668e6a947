/**
 * What every management-API resource module (api/routes/<resource>.ts) is built with: the
 * context it reads, route registration that records the OpenAPI entry and checks the role, and
 * the write runner that makes a write idempotent, audited and announced.
 */
import { Hono, type Context } from "hono";
import type { z } from "zod";
import type { Database, Executor } from "../../db/database.ts";
import { getStoredResponse, storeResponse } from "../../db/queries/idempotency.ts";
import type { Actor } from "../../db/records.ts";
import { isId } from "../../domain/ids.ts";
import { parseIncidentNumber } from "../../domain/incident-number.ts";
import { incidentIdByNumber } from "../../db/queries/incidents.ts";
import { can, type Action } from "../../domain/roles.ts";
import type { AppDeps, ChangeEvent } from "../app-deps.ts";
import type { Clock } from "../clock.ts";
import type { HeraldConfig } from "../config.ts";
import { readJson } from "../http/body.ts";
import { idempotencyConflict, readIdempotencyKey, requestFingerprint } from "../http/idempotency.ts";
import type { RouteDoc } from "../openapi.ts";
import { notFound, Problem } from "../problem.ts";
import type { PageRef } from "../serialize.ts";
import type { WriteContext } from "../service/context.ts";

/** The authentication middleware (api/app.ts) sets the actor before any resource route runs. */
export type Env = { Variables: { actor: Actor } };

/** Runs one write; see `writeRunner`. */
export type WriteRunner = (
  c: Context<Env>,
  raw: string,
  status: 200 | 201,
  /** What the write changed that the site shows (one thing, several, or nothing). */
  change: (result: unknown) => ChangeEvent | ChangeEvent[] | null,
  work: (ctx: WriteContext) => Promise<unknown>,
  /** What of the response may be stored for replays (secrets must not be). */
  storable?: (result: unknown) => unknown,
) => Promise<Response>;

/** What the resource modules are built from: one per app, shared by all of them. */
export interface RouteContext {
  db: Database;
  clock: Clock;
  config: HeraldConfig;
  /** This page as the Statuspage JSON names it. */
  page: PageRef;
  write: WriteRunner;
}

export function routeContext(deps: AppDeps, log: (line: string) => void): RouteContext {
  return {
    db: deps.db,
    clock: deps.clock,
    config: deps.config,
    page: { id: deps.pageId, url: deps.config.page.url, showOwners: deps.config.page.showOwners },
    write: writeRunner(deps, log),
  };
}

/** What a route declares: its OpenAPI entry, plus the permission it needs (also documented). */
export type RouteSpec<S extends z.ZodType | undefined> = Omit<RouteDoc, "body"> & { body?: S; action?: Action };

type Handler<S extends z.ZodType | undefined> = (
  c: Context<Env>,
  body: S extends z.ZodType ? z.output<S> : undefined,
  raw: string,
) => Promise<Response>;

/**
 * One resource's Hono sub-app and the OpenAPI entries of its routes, in registration order.
 * Registering through `add` is the only way in, so no route goes undocumented or unchecked.
 */
export class ResourceRoutes {
  readonly app = new Hono<Env>();
  readonly docs: RouteDoc[] = [];

  /** Registers a route: the role is checked before the body is read, and a body is validated against the documented schema. */
  add<S extends z.ZodType | undefined>(spec: RouteSpec<S>, handler: Handler<S>): this {
    this.docs.push(spec);
    this.app.on(spec.method.toUpperCase(), spec.path, async (c) => {
      requireRole(c, spec.action);
      if (spec.body) {
        const { value, raw } = await readJson(c, spec.body);
        return handler(c, value as never, raw);
      }
      return handler(c, undefined as never, "");
    });
    return this;
  }
}

function requireRole(c: Context<Env>, action: Action | undefined): void {
  const actor = c.get("actor");
  // A route that names no action is a read.
  const needed = action ?? "api:read";
  if (!can(actor.role, needed)) {
    const instead = actor.role === "automation" ? "an automation key may only report alerts" : "use an admin key";
    throw new Problem(403, "Forbidden", `A ${actor.role} key may not do this (${needed}); ${instead}.`);
  }
}

/**
 * An incident's `:id` path parameter, which may also be its number (INC-2026-001, DRILL-2026-001):
 * the incident's id, or the same 404 as an unknown one.
 */
export async function incidentIdParam(c: Context, ex: Executor, what: string): Promise<string> {
  const raw = c.req.param("id") ?? "";
  const number = parseIncidentNumber(raw);
  if (!number) return idParam(c, what);
  const id = await incidentIdByNumber(ex, number);
  if (!id) throw notFound(what, raw);
  return id;
}

/** The `:id` path parameter; anything that cannot be an id is the same 404 as an unknown one. */
export function idParam(c: Context, what: string): string {
  const id = c.req.param("id") ?? "";
  if (!isId(id)) throw notFound(what, id);
  return id;
}

/**
 * Runs one write: validation has already happened; here the work, its audit entries and the
 * stored idempotent response commit together. A retried request with the same key gets the
 * first response back and writes nothing.
 */
function writeRunner(deps: AppDeps, log: (line: string) => void): WriteRunner {
  const { db, clock } = deps;
  return async (c, raw, status, change, work, storable = (result) => result) => {
    const actor = c.get("actor");
    const key = readIdempotencyKey(c);
    const fingerprint = key ? requestFingerprint(c.req.method, c.req.path, raw) : "";
    const actorKey = actor.id ?? "local";
    const outcome = await db.write(async (tx) => {
      const now = clock.now().toISOString();
      if (key) {
        const stored = await getStoredResponse(tx, actorKey, key);
        if (stored) {
          if (stored.requestHash !== fingerprint) throw idempotencyConflict();
          return { replayed: true, status: stored.statusCode, body: stored.body, result: null as unknown };
        }
      }
      const result = await work({ tx, actor, now, hooks: deps.hooks ?? {}, timeZone: deps.config.page.timeZone });
      const body = JSON.stringify(result);
      if (key) {
        await storeResponse(tx, { apiKeyId: actorKey, key, requestHash: fingerprint, statusCode: status, body: JSON.stringify(storable(result)), at: now });
      }
      return { replayed: false, status, body, result };
    });
    if (!outcome.replayed) {
      const events = [change(outcome.result) ?? []].flat();
      // The write has committed: a failing listener must not turn it into an error response.
      try {
        for (const event of events) deps.onChange?.(event);
      } catch (error) {
        log(`change listener failed after commit: ${(error as Error)?.stack ?? String(error)}`);
      }
    }
    c.header("Content-Type", "application/json; charset=utf-8");
    if (outcome.replayed) c.header("Idempotent-Replayed", "true");
    return c.body(outcome.body, outcome.status as 200 | 201);
  };
}
