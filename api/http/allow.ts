/**
 * Which methods a path answers to, from the app's own route table, for a 405's `Allow` header
 * (RFC 9110 §15.5.6). A path no route names answers 404 instead; HEAD comes with GET.
 */
export interface RouteEntry {
  method: string;
  path: string;
}

const ORDER = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/** Does a route template such as `/api/v1/incidents/:id` name this concrete path? */
export function templateMatches(template: string, path: string): boolean {
  if (template.endsWith("*")) return false; // middleware, not a resource
  const want = template.split("/");
  const have = path.replace(/(.)\/+$/, "$1").split("/");
  return want.length === have.length && want.every((part, i) => part.startsWith(":") ? have[i] !== "" : part === have[i]);
}

/** The methods routes serve at `path`, in a stable order; empty when no route names it. */
export function allowedMethods(routes: readonly RouteEntry[], path: string): string[] {
  const methods = new Set<string>();
  for (const route of routes) {
    if (route.method === "ALL" || !templateMatches(route.path, path)) continue;
    methods.add(route.method);
    if (route.method === "GET") methods.add("HEAD");
  }
  return ORDER.filter((m) => methods.has(m)).concat([...methods].filter((m) => !ORDER.includes(m)).sort());
}
