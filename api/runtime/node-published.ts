/**
 * Serving published files on Node without per-request work that can be done once: the whole
 * header list of each entry and encoding is computed once, the bytes of the files people fetch are
 * kept in memory (bounded), and the decoding of a request's path and Accept-Encoding is remembered,
 * so a GET of the page is a few lookups and one write — no Request/Response objects, no routing, no
 * file read. Answers exactly as servePublished (site/publish/serve.ts) does; anything else goes on
 * to the app.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { PublishedEntry } from "../../site/publish/manifest.ts";
import { isCompressible } from "../../site/publish/manifest.ts";
import { chooseEncoding, isNotModified, publishedHeaders, publishedPath } from "../../site/publish/serve.ts";
import type { PublishedSite } from "../../site/publish/store.ts";

type Encoding = "br" | "gzip" | undefined;

/** The app's own routes: never answered from the published site, whatever a manifest says. */
const APP_PATHS = /^\/(api\/v1|console|subscriptions)(\/|$)/;

export interface PublishedFastPath {
  /** Answers a GET/HEAD of a published path and returns true; false when the app must answer. */
  (request: IncomingMessage, response: ServerResponse, next: () => void): boolean;
}

/** What is known of one entry: its headers for a 304, and per encoding the 200's headers and bytes. */
interface Answer {
  headers: Record<string, string>;
  compressible: boolean;
  /** Flat [name, value, …] lists, the form writeHead takes without building an object. */
  raw: Map<Encoding, string[]>;
  bodies: Map<Encoding, Buffer>;
}

/** A Map that forgets everything when it grows past `limit` (request paths and headers are client input). */
function memo<V>(limit: number, compute: (key: string) => V): (key: string) => V {
  const known = new Map<string, V>();
  return (key) => {
    let value = known.get(key);
    if (value === undefined && !known.has(key)) {
      value = compute(key);
      if (known.size >= limit) known.clear();
      known.set(key, value);
    }
    return value as V;
  };
}

export function publishedFastPath(site: PublishedSite, options: { maxCacheBytes?: number; served?: () => void } = {}): PublishedFastPath {
  const served = options.served ?? (() => {});
  const maxBytes = options.maxCacheBytes ?? 64 * 1024 * 1024;
  /** Entries are replaced, never changed, when a path's content changes: a replaced one is collected with its answer. */
  const answers = new WeakMap<PublishedEntry, Answer>();
  /** Bodies kept, oldest first, for the byte budget. */
  const kept: Array<{ answer: Answer; encoding: Encoding; bytes: number }> = [];
  let keptBytes = 0;
  const pathOf = memo(4096, (url: string) => {
    const query = url.indexOf("?");
    const path = publishedPath(query < 0 ? url : url.slice(0, query));
    return path === null || APP_PATHS.test(path) ? null : path;
  });
  // What a compressible entry is sent in, by the Accept-Encoding header as sent.
  const compressibleProbe: PublishedEntry = { object: "", contentType: "text/html", size: 1024, modifiedAt: "" };
  const encodingFor = memo(256, (accept: string) => chooseEncoding(compressibleProbe, accept));

  function answerOf(path: string, entry: PublishedEntry): Answer {
    let answer = answers.get(entry);
    if (!answer) answers.set(entry, (answer = { headers: publishedHeaders(path, entry), compressible: isCompressible(entry), raw: new Map(), bodies: new Map() }));
    return answer;
  }

  function rawHeaders(answer: Answer, entry: PublishedEntry, encoding: Encoding, body: Buffer): string[] {
    let raw = answer.raw.get(encoding);
    if (!raw) {
      raw = Object.entries({ ...answer.headers, "content-type": entry.contentType, ...(encoding ? { "content-encoding": encoding } : {}), "content-length": String(body.length) }).flat();
      answer.raw.set(encoding, raw);
    }
    return raw;
  }

  function remember(answer: Answer, encoding: Encoding, body: Buffer): void {
    if (body.length > maxBytes / 16) return; // a big file is read each time rather than pushing out many small ones
    answer.bodies.set(encoding, body);
    kept.push({ answer, encoding, bytes: body.length });
    keptBytes += body.length;
    while (keptBytes > maxBytes) {
      const old = kept.shift()!;
      old.answer.bodies.delete(old.encoding);
      keptBytes -= old.bytes;
    }
  }

  function send(request: IncomingMessage, response: ServerResponse, answer: Answer, entry: PublishedEntry, encoding: Encoding, body: Buffer): void {
    response.writeHead(200, rawHeaders(answer, entry, encoding, body));
    response.end(request.method === "HEAD" ? undefined : body);
  }

  return (request, response, next) => {
    if (request.method !== "GET" && request.method !== "HEAD") return false;
    const url = request.url ?? "";
    if (!url.startsWith("/")) return false;
    const path = pathOf(url);
    if (path === null) return false;
    const entry = site.lookup(path);
    if (!entry) return false;
    served();
    const answer = answerOf(path, entry);
    const conditional = request.headers["if-none-match"] ?? request.headers["if-modified-since"];
    if (conditional !== undefined && isNotModified(request.headers["if-none-match"], request.headers["if-modified-since"], answer.headers.etag!, entry.modifiedAt)) {
      response.writeHead(304, answer.headers);
      response.end();
      return true;
    }
    const encoding: Encoding = answer.compressible ? encodingFor(request.headers["accept-encoding"] ?? "") : undefined;
    const cached = answer.bodies.get(encoding);
    if (cached) {
      send(request, response, answer, entry, encoding, cached);
      return true;
    }
    site.read(entry, encoding).then(
      (bytes) => {
        const body = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
        remember(answer, encoding, body);
        send(request, response, answer, entry, encoding, body);
      },
      // Collected between lookup and read (the manifest moved on): the app serves whatever is live now.
      () => next(),
    );
    return true;
  };
}
