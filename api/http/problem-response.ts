import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { Problem } from "../problem.ts";

export function problemResponse(c: Context, problem: Problem): Response {
  c.header("Content-Type", "application/problem+json; charset=utf-8");
  if (problem.status === 401) c.header("WWW-Authenticate", 'Bearer realm="herald"');
  return c.body(JSON.stringify(problem.toJSON()), problem.status as ContentfulStatusCode);
}
