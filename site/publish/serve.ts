import { CONTENT_SECURITY_POLICY, securityHeaders } from "../../api/http/public-pages.ts";
import { EMBED_PATH } from "../lib/embed.ts";
import { isCompressible, type PublishedEntry, type ServableSite } from "./manifest.ts";

/**
 * Serves the published site (from disk on Node, from the bucket on Workers). The database is never
 * touched: when it is down, the last published page, feed and JSON are still served.
 */

/**
 * Pages are polled during incidents: browsers and CDNs may reuse a copy for a few seconds,
 * revalidate cheaply (ETag), and keep serving it if Herald itself is unreachable.
 */
const PAGE_CACHE = "public, max-age=5, stale-while-revalidate=30, stale-if-error=86400";
const ASSET_CACHE = "public, max-age=31536000, immutable";

/** What other sites may read from their own pages: the JSON, feeds, badges and calendar. */
function isCrossOriginReadable(path: string): boolean {
  return path.startsWith("/api/") || path.endsWith("/history.rss") || path === "/history.atom" || path.endsWith("/badge.svg") || path === "/maintenances.ics";
}

/** The encoding to send an entry in, from the client's Accept-Encoding (br before gzip; none for what is not worth compressing). */
export function chooseEncoding(entry: PublishedEntry, acceptEncoding: string): "br" | "gzip" | undefined {
  if (!isCompressible(entry)) return undefined;
  const accepted = new Map<string, number>();
  for (const part of acceptEncoding.toLowerCase().split(",")) {
    const [name, ...params] = part.trim().split(";");
    if (!name) continue;
    const q = params.map((p) => /^\s*q=([\d.]+)/.exec(p)?.[1]).find(Boolean);
    accepted.set(name.trim(), q === undefined ? 1 : Number(q));
  }
  for (const encoding of ["br", "gzip"] as const) {
    if ((accepted.get(encoding) ?? 0) > 0) return encoding;
  }
  return undefined;
}

function notModified(request: Request, etag: string, modifiedAt: string): boolean {
  return isNotModified(request.headers.get("If-None-Match"), request.headers.get("If-Modified-Since"), etag, modifiedAt);
}

/** Whether a conditional request's validators still match (If-None-Match wins over If-Modified-Since). */
export function isNotModified(ifNoneMatch: string | null | undefined, ifModifiedSince: string | null | undefined, etag: string, modifiedAt: string): boolean {
  if (ifNoneMatch != null) {
    return ifNoneMatch.trim() === "*" || ifNoneMatch.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag);
  }
  if (ifModifiedSince != null) {
    const since = Date.parse(ifModifiedSince);
    return !Number.isNaN(since) && Math.floor(Date.parse(modifiedAt) / 1000) * 1000 <= since;
  }
  return false;
}

/** A request path as the manifest names it (decoded, no trailing slash), or null when it cannot name anything. */
export function publishedPath(pathname: string): string | null {
  try {
    return decodeURIComponent(pathname).replace(/(.)\/+$/, "$1");
  } catch {
    return null; // a malformed %-escape names nothing we publish: a 404, never a 500
  }
}

/**
 * The headers of a published path's 200 or 304, but for the body's own (Content-Type, -Encoding,
 * -Length): validators, caching, the security headers, CORS for what other sites may read.
 */
export function publishedHeaders(path: string, entry: PublishedEntry): Record<string, string> {
  const headers = new Headers({
    ETag: `"${entry.object}"`,
    "Last-Modified": new Date(entry.modifiedAt).toUTCString(),
    "Cache-Control": entry.immutable ? ASSET_CACHE : PAGE_CACHE,
    Vary: "Accept-Encoding",
  });
  securityHeaders(headers, entry.contentType);
  if (isCrossOriginReadable(path)) headers.set("Access-Control-Allow-Origin", "*");
  // The status card is made to be framed by other sites (still no script).
  if (path === EMBED_PATH) {
    headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", "frame-ancestors *"));
    headers.delete("X-Frame-Options");
  }
  // A drill's preview is unlisted: keep it out of search engines and shared caches.
  if (path.startsWith("/preview/")) {
    headers.set("X-Robots-Tag", "noindex, nofollow");
    headers.set("Cache-Control", "private, no-store");
    headers.set("Referrer-Policy", "no-referrer");
  }
  return Object.fromEntries(headers);
}

/** The response for a GET/HEAD of a published path, or null when nothing is published there. */
export async function servePublished(site: ServableSite, request: Request): Promise<Response | null> {
  if (request.method !== "GET" && request.method !== "HEAD") return null;
  const path = publishedPath(new URL(request.url).pathname);
  if (path === null) return null;
  const entry = await site.lookup(path);
  if (!entry) return null;
  const etag = `"${entry.object}"`;
  const headers = new Headers(publishedHeaders(path, entry));
  if (notModified(request, etag, entry.modifiedAt)) return new Response(null, { status: 304, headers });

  const encoding = site.encodes ? chooseEncoding(entry, request.headers.get("Accept-Encoding") ?? "") : undefined;
  headers.set("Content-Type", entry.contentType);
  if (encoding) headers.set("Content-Encoding", encoding);
  let body: Uint8Array;
  try {
    body = await site.read(entry, encoding);
  } catch {
    // The manifest moved on and this object was collected between lookup and read: serve the new one.
    const again = await site.lookup(path);
    if (!again || again.object === entry.object) return null;
    return servePublished(site, request);
  }
  headers.set("Content-Length", String(body.length));
  return new Response(request.method === "HEAD" ? null : body as Uint8Array<ArrayBuffer>, { status: 200, headers });
}
