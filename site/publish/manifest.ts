/**
 * What a published site is, independent of where it is stored: a manifest mapping each URL path to
 * an immutable, content-addressed object. Node keeps it on disk (store.ts); the Worker in an R2
 * bucket (store-bucket.ts). The publisher writes through `SiteStore`, servers read through
 * `ServableSite` (serve.ts); neither knows which one it has.
 */
export interface PublishedEntry {
  /** Object name = SHA-256 of the bytes (hex, 32 chars), also the ETag. */
  object: string;
  contentType: string;
  size: number;
  /** When this path's content last changed (ISO UTC): Last-Modified. */
  modifiedAt: string;
  /** Long-lived immutable asset (hashed name) rather than a page polled for news. */
  immutable?: boolean;
}

/** The live site as readers see it: every path's entry (stored in shards: shards.ts). */
export interface Manifest {
  version: 1 | 2;
  /** Identifies the site build the pages were rendered with; a new build means a full publish. */
  build: string;
  publishedAt: string;
  entries: Record<string, PublishedEntry>;
}

export interface PublishBatch {
  add(file: FileToPublish): void | Promise<void>;
  /** Takes a file another thread already stored (on disk only: site/publish/store.ts storeFile). */
  adopt?(path: string, entry: PublishedEntry): void;
  remove(path: string): void | Promise<void>;
  /** Makes everything added visible at once; returns the paths whose content changed. */
  commit(options?: { build?: string }): string[] | Promise<string[]>;
}

export interface FileToPublish {
  path: string;
  body: string | Uint8Array;
  contentType: string;
  immutable?: boolean;
  /**
   * Compress now rather than on first request: for the few files every visitor fetches (home page,
   * JSON, feed). Thousands of incident pages are compressed only if someone asks for them.
   */
  precompress?: boolean;
}

const COMPRESSIBLE = /^(text\/|application\/(json|rss\+xml|atom\+xml|xml|javascript)|image\/svg)/;

/** The manifest entry for a file stored as `object` (of `size` bytes) by the publish at `at`. */
export function publishedEntry(file: FileToPublish, object: string, size: number, at: string): PublishedEntry {
  return { object, contentType: file.contentType, size, modifiedAt: at, ...(file.immutable ? { immutable: true } : {}) };
}

/** What a publisher needs of the live manifest: which build it was rendered with. */
export interface ManifestInfo {
  build: string;
  publishedAt: string;
}

export interface SiteStore {
  /** The live manifest's build and time. */
  current(): Readonly<ManifestInfo> | Promise<Readonly<ManifestInfo>>;
  /** The live entry of a path. */
  lookup(path: string): PublishedEntry | undefined | Promise<PublishedEntry | undefined>;
  /** Starts a publish based on the live manifest; nothing is visible before `commit`. */
  begin(at: string): PublishBatch | Promise<PublishBatch>;
  /** Objects the manifest no longer names, to drop a slice at a time (optional: buckets may keep them). */
  garbage?(): SiteGarbage;
}

/** Unreferenced objects found at one moment (SiteStore.garbage). */
export interface SiteGarbage {
  /** How many are still to be removed. */
  left(): number;
  /** Removes up to `limit` of them that are still unreferenced; returns how many it removed. */
  removeSome(limit: number): number | Promise<number>;
}

export interface ServableSite {
  lookup(path: string): PublishedEntry | undefined | Promise<PublishedEntry | undefined>;
  /** The bytes of an entry; `encoding` only when `encodes` is true. */
  read(entry: PublishedEntry, encoding?: "br" | "gzip"): Promise<Uint8Array>;
  /** Keeps br/gzip copies (Node). False where the CDN compresses (Workers). */
  readonly encodes: boolean;
}

/** Worth compressing: text of some size (tiny files grow with compression headers). */
export function isCompressible(entry: PublishedEntry): boolean {
  return COMPRESSIBLE.test(entry.contentType) && entry.size > 256;
}
