import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { Problem } from "../problem.ts";

function problemHeaders(problem: Problem): [string, string][] {
  const headers: [string, string][] = [["Content-Type", "application/problem+json; charset=utf-8"]];
  if (problem.status === 401) headers.push(["WWW-Authenticate", 'Bearer realm="herald"']);
  return headers;
}

export function problemResponse(c: Context, problem: Problem): Response {
  for (const [name, value] of problemHeaders(problem)) c.header(name, value);
  return c.body(JSON.stringify(problem.toJSON()), problem.status as ContentfulStatusCode);
}

/** The same response outside a Hono handler (the Worker entry answers some requests before the app). */
export function problemJson(problem: Problem, extraHeaders: Record<string, string> = {}): Response {
  const headers = new Headers(problemHeaders(problem));
  for (const [name, value] of Object.entries(extraHeaders)) headers.set(name, value);
  return new Response(JSON.stringify(problem.toJSON()), { status: problem.status, headers });
}
