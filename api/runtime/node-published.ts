/**
 * Serving published files on Node without per-request work that can be done once: the headers of
 * each entry are computed once per object and encoding, and the bytes of the files people fetch are
 * kept in memory (bounded), so a GET of the page is a lookup and one write — no Request/Response
 * objects, no routing, no file read. Answers exactly as servePublished (site/publish/serve.ts) does;
 * anything else goes on to the app.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { PublishedEntry } from "../../site/publish/manifest.ts";
import { chooseEncoding, isNotModified, publishedHeaders, publishedPath } from "../../site/publish/serve.ts";
import type { PublishedSite } from "../../site/publish/store.ts";

type Encoding = "br" | "gzip" | undefined;

/** The app's own routes: never answered from the published site, whatever a manifest says. */
const APP_PATHS = /^\/(api\/v1|console|subscriptions)(\/|$)/;

export interface PublishedFastPath {
  /** Answers a GET/HEAD of a published path and returns true; false when the app must answer. */
  (request: IncomingMessage, response: ServerResponse, next: () => void): boolean;
}

export function publishedFastPath(site: PublishedSite, options: { maxCacheBytes?: number } = {}): PublishedFastPath {
  const maxBytes = options.maxCacheBytes ?? 64 * 1024 * 1024;
  /** Bytes by `<object>.<encoding>`, least recently used first. */
  const bodies = new Map<string, Buffer>();
  let cachedBytes = 0;
  /** Headers by entry (entries are replaced, never changed, when a path's content changes). */
  const headersOf = new WeakMap<PublishedEntry, Record<string, string>>();

  function remember(key: string, body: Buffer): void {
    if (body.length > maxBytes / 16) return; // a big file is read each time rather than pushing out many small ones
    bodies.set(key, body);
    cachedBytes += body.length;
    for (const [old, bytes] of bodies) {
      if (cachedBytes <= maxBytes) break;
      bodies.delete(old);
      cachedBytes -= bytes.length;
    }
  }

  function send(request: IncomingMessage, response: ServerResponse, headers: Record<string, string>, entry: PublishedEntry, encoding: Encoding, body: Buffer): void {
    response.writeHead(200, { ...headers, "content-type": entry.contentType, ...(encoding ? { "content-encoding": encoding } : {}), "content-length": String(body.length) });
    response.end(request.method === "HEAD" ? undefined : body);
  }

  return (request, response, next) => {
    if (request.method !== "GET" && request.method !== "HEAD") return false;
    const url = request.url ?? "";
    if (!url.startsWith("/")) return false;
    const query = url.indexOf("?");
    const path = publishedPath(query < 0 ? url : url.slice(0, query));
    if (path === null || APP_PATHS.test(path)) return false;
    const entry = site.lookup(path);
    if (!entry) return false;
    let headers = headersOf.get(entry);
    if (!headers) headersOf.set(entry, (headers = publishedHeaders(path, entry)));
    if (isNotModified(request.headers["if-none-match"], request.headers["if-modified-since"], headers.etag!, entry.modifiedAt)) {
      response.writeHead(304, headers);
      response.end();
      return true;
    }
    const encoding = chooseEncoding(entry, request.headers["accept-encoding"] ?? "");
    const key = `${entry.object}.${encoding ?? ""}`;
    const cached = bodies.get(key);
    if (cached) {
      // Most recently used goes last.
      bodies.delete(key);
      bodies.set(key, cached);
      send(request, response, headers, entry, encoding, cached);
      return true;
    }
    site.read(entry, encoding).then(
      (bytes) => {
        const body = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
        remember(key, body);
        send(request, response, headers, entry, encoding, body);
      },
      // Collected between lookup and read (the manifest moved on): the app serves whatever is live now.
      () => next(),
    );
    return true;
  };
}
