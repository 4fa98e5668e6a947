import { hex } from "../../api/encoding.ts";
import { publishedEntry, type FileToPublish, type Manifest, type PublishBatch, type PublishedEntry, type ServableSite, type SiteStore } from "./manifest.ts";

/**
 * The published site in an object bucket (Cloudflare R2 on Workers): objects under
 * `objects/<hash>` and one `manifest.json`, exactly as on disk (store.ts). R2 is strongly
 * consistent, so a page view right after a publish reads the new manifest.
 *
 * Publishes may race (the Queue consumer, the cron): the manifest is replaced only if it is still
 * the one the publish started from (a conditional put on its ETag); the loser throws and is
 * retried from a fresh snapshot, so no publish ever undoes a newer one.
 */

/** The part of R2's binding this store uses (see @cloudflare/workers-types R2Bucket). */
export interface Bucket {
  get(key: string): Promise<BucketObject | null>;
  head(key: string): Promise<{ etag: string } | null>;
  put(
    key: string,
    value: string | ArrayBuffer | Uint8Array,
    options?: { httpMetadata?: { contentType?: string }; onlyIf?: { etagMatches?: string; etagDoesNotMatch?: string } },
  ): Promise<{ etag: string } | null>;
}

export interface BucketObject {
  etag: string;
  arrayBuffer(): Promise<ArrayBuffer>;
  text(): Promise<string>;
}

export class ConcurrentPublishError extends Error {}

const MANIFEST = "manifest.json";
const EMPTY: Manifest = { version: 1, build: "", publishedAt: "", entries: {} };

export class BucketSite implements SiteStore, ServableSite {
  /** The CDN in front compresses; objects are kept once, uncompressed. */
  readonly encodes = false;
  private readonly bucket: Bucket;
  private readonly cacheMs: number;
  private cached: { manifest: Manifest; etag: string | null; at: number } | null = null;
  /** Recently served objects, newest last. Objects never change, so a copy is never stale. */
  private readonly hot = new Map<string, Uint8Array>();
  private hotBytes = 0;
  private readonly hotLimit: number;

  /**
   * `cacheMs`: how long a page-serving isolate reuses the manifest it read (publishers always read
   * it fresh). `memoryBytes`: how much of the recently served objects an isolate keeps, so the
   * pages everyone polls during an outage (home, summary.json, the feed) cost no R2 read at all.
   */
  constructor(bucket: Bucket, options: { cacheMs?: number; memoryBytes?: number } = {}) {
    this.bucket = bucket;
    this.cacheMs = options.cacheMs ?? 1000;
    this.hotLimit = options.memoryBytes ?? 8 * 1024 * 1024;
  }

  async current(): Promise<Manifest> {
    if (this.cached && Date.now() - this.cached.at < this.cacheMs) return this.cached.manifest;
    return (await this.load()).manifest;
  }

  async lookup(path: string): Promise<PublishedEntry | undefined> {
    const manifest = await this.current();
    return Object.hasOwn(manifest.entries, path) ? manifest.entries[path] : undefined;
  }

  async read(entry: PublishedEntry): Promise<Uint8Array> {
    const kept = this.hot.get(entry.object);
    if (kept) {
      // Least recently used goes first: move this one to the end.
      this.hot.delete(entry.object);
      this.hot.set(entry.object, kept);
      return kept;
    }
    const object = await this.bucket.get(objectKey(entry.object));
    if (!object) throw new Error(`object ${entry.object} is missing`);
    const bytes = new Uint8Array(await object.arrayBuffer());
    this.keep(entry.object, bytes);
    return bytes;
  }

  private keep(name: string, bytes: Uint8Array): void {
    if (bytes.length > this.hotLimit / 4) return; // a few large files must not evict every page
    this.hot.set(name, bytes);
    this.hotBytes += bytes.length;
    for (const [oldest, old] of this.hot) {
      if (this.hotBytes <= this.hotLimit) break;
      this.hot.delete(oldest);
      this.hotBytes -= old.length;
    }
  }

  async begin(at: string): Promise<PublishBatch> {
    const base = await this.load();
    const entries = { ...base.manifest.entries };
    const changed: string[] = [];
    return {
      add: async (file: FileToPublish) => {
        const bytes = typeof file.body === "string" ? new TextEncoder().encode(file.body) : file.body;
        const object = await objectName(bytes, file.contentType);
        if (entries[file.path]?.object === object) return;
        entries[file.path] = publishedEntry(file, object, bytes.length, at);
        // Same name = same bytes: an object that exists is complete.
        if (!(await this.bucket.head(objectKey(object)))) {
          await this.bucket.put(objectKey(object), bytes, { httpMetadata: { contentType: file.contentType } });
        }
        changed.push(file.path);
      },
      remove: (path: string) => {
        if (!entries[path]) return;
        delete entries[path];
        changed.push(path);
      },
      commit: async (options: { build?: string } = {}) => {
        const build = options.build ?? base.manifest.build;
        if (changed.length === 0 && build === base.manifest.build) return [];
        const next: Manifest = { version: 1, build, publishedAt: at, entries };
        const onlyIf = base.etag === null ? { etagDoesNotMatch: "*" } : { etagMatches: base.etag };
        const written = await this.bucket.put(MANIFEST, JSON.stringify(next), { httpMetadata: { contentType: "application/json" }, onlyIf });
        if (!written) throw new ConcurrentPublishError("the site was published by someone else meanwhile; publish again from a fresh snapshot");
        this.cached = { manifest: next, etag: written.etag, at: Date.now() };
        return changed;
      },
    };
  }

  private async load(): Promise<{ manifest: Manifest; etag: string | null }> {
    const object = await this.bucket.get(MANIFEST);
    let manifest = EMPTY;
    if (object) {
      const parsed = JSON.parse(await object.text()) as Manifest;
      if (parsed.version === 1 && parsed.entries) manifest = parsed;
    }
    this.cached = { manifest, etag: object?.etag ?? null, at: Date.now() };
    return this.cached;
  }
}

function objectKey(object: string): string {
  return `objects/${object}`;
}

/** SHA-256 of the bytes and their type (32 hex chars), as on disk: also the ETag. */
async function objectName(bytes: Uint8Array, contentType: string): Promise<string> {
  const type = new TextEncoder().encode(contentType);
  const data = new Uint8Array(bytes.length + type.length);
  data.set(bytes);
  data.set(type, bytes.length);
  return hex(new Uint8Array(await crypto.subtle.digest("SHA-256", data))).slice(0, 32);
}
