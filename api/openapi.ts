import { z } from "zod";
import type { HeraldConfig } from "./config.ts";
import { SLUG_PATTERN } from "../domain/templates.ts";
import { IDEMPOTENCY_KEY_PATTERN } from "./http/idempotency.ts";

/** What a route tells the OpenAPI document: the same schema object that validates its body. */
export interface RouteDoc {
  method: "get" | "post" | "patch" | "put" | "delete";
  /** Hono-style path under /api/v1, e.g. `/incidents/:id`. */
  path: string;
  summary: string;
  body?: z.ZodType;
  query?: z.ZodType;
  action?: string;
  success: 200 | 201;
  /** A list route answers with a JSON array; every other route with an object. */
  returns?: "array";
  /**
   * Rules the schema cannot state because they depend on stored data or on now (a component id
   * must exist, a maintenance must end after it starts). Published as `x-herald-rules`: these
   * fields, and only these, may be refused (422) in a request that matches the schema.
   */
  rules?: readonly HeraldRule[];
}

export interface HeraldRule {
  /** The field as a 422's `errors[].field` names it; `components.*` stands for any key of that map. */
  field: string;
  rule: string;
}

const PROBLEM_SCHEMA = {
  type: "object",
  required: ["type", "title", "status", "detail"],
  properties: {
    type: { type: "string" },
    title: { type: "string" },
    status: { type: "integer" },
    detail: { type: "string" },
    errors: {
      type: "array",
      items: { type: "object", required: ["field", "message"], properties: { field: { type: "string" }, message: { type: "string" } } },
    },
  },
};

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  // Input view: what a client sends (defaults and transforms are the server's business).
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
}

/** OpenAPI 3.1 for the management API, generated from the route table. */
/** An incident's id, or its number (INC-2026-001, DRILL-2026-001), wherever an incident is named in a path. */
export const INCIDENT_REF_PATTERN = "^(?:[0-9a-z]{12}|(?:INC|DRILL|inc|drill)-[0-9]{4}-[0-9]{1,9})$";

export function buildOpenApi(routes: readonly RouteDoc[], config: HeraldConfig): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:(\w+)/g, "{$1}");
    const parameters: unknown[] = [...route.path.matchAll(/:(\w+)/g)].map((m) => ({
      name: m[1],
      in: "path",
      required: true,
      schema: m[1] === "position" ? { type: "string", pattern: "^[1-9][0-9]{0,3}$" } : { type: "string", pattern: m[1] === "slug" ? SLUG_PATTERN.source : /^\/(incidents|drills)\//.test(route.path) ? INCIDENT_REF_PATTERN : "^[0-9a-z]{12}$" },
    }));
    if (route.query) {
      const query = jsonSchema(route.query) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, schema] of Object.entries(query.properties ?? {})) {
        parameters.push({ name, in: "query", required: query.required?.includes(name) ?? false, schema });
      }
    }
    if (route.method !== "get") {
      // Every write goes through the same idempotent runner (api/routes/kit.ts), with or without a body.
      parameters.push({ name: "Idempotency-Key", in: "header", required: false, schema: { type: "string", minLength: 1, maxLength: 255, pattern: IDEMPOTENCY_KEY_PATTERN.source }, description: "Retries with the same key return the first response and write nothing." });
    }
    const operation: Record<string, unknown> = {
      summary: route.summary,
      ...(route.action ? { description: `Requires permission \`${route.action}\`.` } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(route.rules?.length ? { "x-herald-rules": route.rules } : {}),
      responses: {
        [route.success]: { description: "Success", content: { "application/json": { schema: route.returns === "array" ? { type: "array", items: { type: "object" } } : { type: "object" } } } },
        default: { description: "A problem (RFC 9457)", content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } } },
      },
    };
    if (route.body) {
      operation.requestBody = { required: true, content: { "application/json": { schema: jsonSchema(route.body) } } };
    }
    (paths[path] ??= {})[route.method] = operation;
  }
  return {
    openapi: "3.1.0",
    info: { title: `${config.page.name} — Herald management API`, version: "1" },
    servers: [{ url: `${config.page.url}/api/v1` }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "An API key made with `herald keys create`." } },
      schemas: { Problem: PROBLEM_SCHEMA },
    },
  };
}
