import { hex } from "../../api/encoding.ts";
import { publishedEntry, type FileToPublish, type Manifest, type ManifestInfo, type PublishBatch, type PublishedEntry, type ServableSite, type SiteStore } from "./manifest.ts";
import { shardOf, ShardedEntries, shardsToWrite, type ManifestRoot, type ManifestShard } from "./shards.ts";

/**
 * The published site in an object bucket (Cloudflare R2 on Workers): objects under
 * `objects/<hash>` and a `manifest.json` root naming its shards' objects, exactly as on disk
 * (store.ts, shards.ts). R2 is strongly
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
const EMPTY_ROOT: ManifestRoot = { version: 2, build: "", publishedAt: "", shards: {} };

export class BucketSite implements SiteStore, ServableSite {
  /** The CDN in front compresses; objects are kept once, uncompressed. */
  readonly encodes = false;
  private readonly bucket: Bucket;
  private readonly cacheMs: number;
  private cached: { root: ManifestRoot; etag: string | null; at: number; legacy: ShardedEntries | null } | null = null;
  /** Shards read, by object name (they never change), newest last. */
  private readonly shards = new Map<string, Record<string, PublishedEntry>>();
  /** Recently served objects, newest last. Objects never change, so a copy is never stale. */
  private readonly hot = new Map<string, Uint8Array>();
  private hotBytes = 0;
  private readonly hotLimit: number;

  /**
   * `cacheMs`: how long a page-serving isolate reuses the manifest root it read (publishers always
   * read it fresh). `memoryBytes`: how much of the recently served objects an isolate keeps, so the
   * pages everyone polls during an outage (home, summary.json, the feed) cost no R2 read at all.
   */
  constructor(bucket: Bucket, options: { cacheMs?: number; memoryBytes?: number } = {}) {
    this.bucket = bucket;
    this.cacheMs = options.cacheMs ?? 1000;
    this.hotLimit = options.memoryBytes ?? 8 * 1024 * 1024;
  }

  async current(): Promise<ManifestInfo> {
    const { root } = await this.live();
    return { build: root.build, publishedAt: root.publishedAt };
  }

  /** The entry of a path: the root (cached briefly), then its shard (cached: shards never change). */
  async lookup(path: string): Promise<PublishedEntry | undefined> {
    const live = await this.live();
    if (live.legacy) return live.legacy.get(path);
    const object = live.root.shards[shardOf(path)];
    if (!object) return undefined;
    const entries = await this.shard(object);
    return Object.hasOwn(entries, path) ? entries[path] : undefined;
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

  private async shard(object: string): Promise<Record<string, PublishedEntry>> {
    const known = this.shards.get(object);
    if (known) return known;
    const stored = await this.bucket.get(objectKey(object));
    if (!stored) throw new Error(`manifest shard ${object} is missing`);
    const entries = (JSON.parse(await stored.text()) as ManifestShard).entries;
    this.shards.set(object, entries);
    if (this.shards.size > 2048) this.shards.delete(this.shards.keys().next().value!);
    return entries;
  }

  /**
   * A publish reads the root fresh and only the shards its changes fall in (plus, per added file, a
   * HEAD to skip objects that exist); it writes new objects, the touched shards, and then the root
   * with a conditional put — the one step that makes it visible.
   */
  async begin(at: string): Promise<PublishBatch> {
    const base = await this.load();
    const changes = new Map<string, PublishedEntry | null>();
    const before = async (path: string) => (changes.has(path) ? changes.get(path) ?? undefined : base.legacy ? base.legacy.get(path) : this.entryIn(base.root, path));
    return {
      add: async (file: FileToPublish) => {
        const bytes = typeof file.body === "string" ? new TextEncoder().encode(file.body) : file.body;
        const object = await objectName(bytes, file.contentType);
        if ((await before(file.path))?.object === object) return;
        // Same name = same bytes: an object that exists is complete.
        if (!(await this.bucket.head(objectKey(object)))) {
          await this.bucket.put(objectKey(object), bytes, { httpMetadata: { contentType: file.contentType } });
        }
        changes.set(file.path, publishedEntry(file, object, bytes.length, at));
      },
      remove: async (path: string) => {
        if (!(await before(path))) return;
        changes.set(path, null);
      },
      commit: async (options: { build?: string } = {}) => {
        const build = options.build ?? base.root.build;
        if (changes.size === 0 && build === base.root.build && !base.legacy) return [];
        const changed = Object.fromEntries(changes);
        // The current entries of the shards the changes fall in (read once, then cached), or the whole legacy manifest.
        const known = base.legacy ?? new ShardedEntries();
        if (!base.legacy) {
          for (const key of new Set([...changes.keys()].map(shardOf))) {
            const object = base.root.shards[key];
            if (object) known.apply(await this.shard(object));
          }
        }
        const shards = { ...base.root.shards };
        for (const [key, json] of shardsToWrite(known, changed, base.legacy !== null)) {
          if (json === null) {
            delete shards[key];
            continue;
          }
          const bytes = new TextEncoder().encode(json);
          const object = await objectName(bytes, "application/json");
          if (!(await this.bucket.head(objectKey(object)))) await this.bucket.put(objectKey(object), bytes, { httpMetadata: { contentType: "application/json" } });
          this.shards.set(object, (JSON.parse(json) as ManifestShard).entries);
          shards[key] = object;
        }
        const root: ManifestRoot = { version: 2, build, publishedAt: at, shards };
        const onlyIf = base.etag === null ? { etagDoesNotMatch: "*" } : { etagMatches: base.etag };
        const written = await this.bucket.put(MANIFEST, JSON.stringify(root), { httpMetadata: { contentType: "application/json" }, onlyIf });
        if (!written) throw new ConcurrentPublishError("the site was published by someone else meanwhile; publish again from a fresh snapshot");
        this.cached = { root, etag: written.etag, at: Date.now(), legacy: null };
        return Object.keys(changed);
      },
    };
  }

  private async entryIn(root: ManifestRoot, path: string): Promise<PublishedEntry | undefined> {
    const object = root.shards[shardOf(path)];
    if (!object) return undefined;
    const entries = await this.shard(object);
    return Object.hasOwn(entries, path) ? entries[path] : undefined;
  }

  private async live(): Promise<NonNullable<BucketSite["cached"]>> {
    if (this.cached && Date.now() - this.cached.at < this.cacheMs) return this.cached;
    return this.load();
  }

  /** The root, fresh; a site published before shards (version 1) is read whole, and rewritten in shards by the next publish. */
  private async load(): Promise<NonNullable<BucketSite["cached"]>> {
    const object = await this.bucket.get(MANIFEST);
    let root = EMPTY_ROOT;
    let legacy: ShardedEntries | null = null;
    if (object) {
      const parsed = JSON.parse(await object.text()) as ManifestRoot | (Manifest & { version: 1 });
      if (parsed.version === 2 && parsed.shards) root = parsed;
      else if (parsed.version === 1 && parsed.entries) {
        legacy = ShardedEntries.of(parsed.entries);
        root = { version: 2, build: parsed.build, publishedAt: parsed.publishedAt, shards: {} };
      }
    }
    this.cached = { root, etag: object?.etag ?? null, at: Date.now(), legacy };
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
