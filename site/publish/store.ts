import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { threadId } from "node:worker_threads";
import { gzipSync, brotliCompressSync, constants as zlib } from "node:zlib";
import { isCompressible, publishedEntry, type FileToPublish, type Manifest, type PublishedEntry, type ServableSite, type SiteGarbage, type SiteStore } from "./manifest.ts";
import { ShardedEntries, shardsToWrite, type ManifestRoot, type ManifestShard } from "./shards.ts";

/** On disk every step is synchronous. */
export interface DiskPublishBatch {
  add(file: FileToPublish): void;
  /** Takes a file another thread already stored in this site's directory (storeFile). */
  adopt(path: string, entry: PublishedEntry): void;
  remove(path: string): void;
  commit(options?: { build?: string }): string[];
}

export type { FileToPublish, Manifest, PublishBatch, PublishedEntry, SiteGarbage } from "./manifest.ts";

/** What one publish changed: each changed path's new entry, or null when it was removed. */
export interface SiteCommit {
  build: string;
  publishedAt: string;
  changes: Record<string, PublishedEntry | null>;
}

/**
 * The published site on disk: immutable, content-addressed objects (`objects/<hash>`, plus
 * `.gz` and `.br` encodings) and a manifest mapping each URL path to its object — a small root
 * `manifest.json` naming the objects that hold its shards (shards.ts).
 *
 * Publishing writes the new objects and the touched shards first and then replaces the root with
 * one rename, so the whole site changes at once: a reader sees either every old file or every new
 * one, never a mix and never a half-written file. The cost is proportional to what changed, not
 * to the size of the archive. The database is not needed to serve any of it.
 */
export class PublishedSite implements SiteStore, ServableSite {
  /** br/gzip copies are kept beside each object (Node has no compressing CDN in front). */
  readonly encodes = true;
  readonly dir: string;
  private state = new ShardedEntries();
  private root: ManifestRoot = { version: 2, build: "", publishedAt: "", shards: {} };
  /** Set when the site on disk is an old single-file manifest: the first commit writes every shard. */
  private writeEveryShard = false;
  /** Told of every commit: the paths that changed (null: removed), for a reader in another thread (api/runtime/thread-publisher.ts). */
  private readonly onCommit: ((commit: SiteCommit) => void) | undefined;
  private readonly applyWaiters: (() => void)[] = [];
  /** Commits made or taken in so far: tells garbage (and the publishing thread) that the live objects changed. */
  private commitCount = 0;
  /** Awaited before each slice of garbage is removed (a reader in another thread may still be serving it). */
  private readonly beforeRemoving: (() => Promise<void>) | undefined;

  constructor(dir: string, options: { onCommit?: (commit: SiteCommit) => void; beforeRemoving?: () => Promise<void> } = {}) {
    this.dir = dir;
    this.onCommit = options.onCommit;
    this.beforeRemoving = options.beforeRemoving;
    mkdirSync(join(dir, "objects"), { recursive: true });
    mkdirSync(join(dir, STAGING), { recursive: true });
    this.readManifest();
  }

  /**
   * Takes in a commit made by another PublishedSite on the same directory (the publishing thread),
   * without reading the manifest again: in place, in one synchronous step, so a request sees every
   * change of a publish or none, and the cost is that of the change, not of the site.
   */
  apply(commit: SiteCommit): void {
    this.commitCount++;
    this.state.apply(commit.changes);
    this.root = { ...this.root, build: commit.build, publishedAt: commit.publishedAt };
    this.wakeApplyWaiters();
  }

  /** How many commits were made here or taken in (`apply`) so far. */
  get commits(): number {
    return this.commitCount;
  }

  /** Resolves at the next commit made here or taken in (`apply`): how the publish bench sees a change go live without polling. */
  nextApply(): Promise<void> {
    return new Promise((resolve) => this.applyWaiters.push(resolve));
  }

  private wakeApplyWaiters(): void {
    for (const resolve of this.applyWaiters.splice(0)) resolve();
  }

  /** The entry a URL path is served from, or undefined. */
  lookup(path: string): PublishedEntry | undefined {
    return this.state.get(path);
  }

  objectPath(entry: PublishedEntry, encoding?: "br" | "gzip"): string {
    return objectPath(this.dir, entry, encoding);
  }

  current(): Readonly<Manifest> {
    return { version: 2, build: this.root.build, publishedAt: this.root.publishedAt, entries: this.state.entries };
  }

  /**
   * Starts a publish: files are written as objects as they are added (so a full publish of
   * thousands of pages never sits in memory) and become visible only at `commit`, which writes the
   * shards the changed paths belong to and then swaps the root with one rename.
   */
  begin(at: string): DiskPublishBatch {
    const changes = new Map<string, PublishedEntry | null>();
    const now = (path: string) => (changes.has(path) ? changes.get(path) : this.state.get(path));
    return {
      add: (file: FileToPublish) => {
        const bytes = bytesOf(file);
        const object = objectName(bytes, file.contentType);
        if (now(file.path)?.object === object) return;
        changes.set(file.path, writeFile(this.dir, file, bytes, object, at));
      },
      adopt: (path: string, entry: PublishedEntry) => {
        if (now(path)?.object === entry.object) return;
        changes.set(path, entry);
      },
      remove: (path: string) => {
        if (!now(path)) return;
        changes.set(path, null);
      },
      commit: (options: { build?: string } = {}) => {
        const build = options.build ?? this.root.build;
        if (changes.size === 0 && build === this.root.build && !this.writeEveryShard) return [];
        const changed = Object.fromEntries(changes);
        const shards = { ...this.root.shards };
        for (const [key, json] of shardsToWrite(this.state, changed, this.writeEveryShard)) {
          if (json === null) {
            delete shards[key];
            continue;
          }
          const bytes = Buffer.from(json, "utf8");
          const object = objectName(bytes, SHARD_TYPE);
          writeObject(this.dir, object, bytes);
          shards[key] = object;
        }
        const root: ManifestRoot = { version: 2, build, publishedAt: at, shards };
        writeAtomically(this.dir, join(this.dir, "manifest.json"), Buffer.from(JSON.stringify(root)));
        this.root = root;
        this.writeEveryShard = false;
        this.commitCount++;
        this.state.apply(changed);
        this.onCommit?.({ build, publishedAt: at, changes: changed });
        this.wakeApplyWaiters();
        return [...changes.keys()];
      },
    };
  }

  /** One-step publish of a few files; returns the paths whose content changed. */
  publish(files: readonly FileToPublish[], options: { build?: string; at: string }): string[] {
    const batch = this.begin(options.at);
    for (const file of files) batch.add(file);
    return batch.commit(options);
  }

  /** The bytes of an entry, in an encoding when asked (see `encoded`). */
  async read(entry: PublishedEntry, encoding?: "br" | "gzip"): Promise<Uint8Array> {
    return encoding ? this.encoded(entry, encoding) : readFile(this.objectPath(entry));
  }

  /**
   * The objects no longer referenced — by an entry or as a shard of the root (readers holding one
   * open keep reading it) — to delete a slice at a time: after a new build's full publish that is
   * the old build's every page (100,000 files took 17 s to delete), and the publisher deletes them
   * between publishes instead of holding the next one back. Temporary files a crash left in the
   * staging directory are removed now.
   */
  garbage(): SiteGarbage {
    const found = this.findGarbage();
    const before = this.beforeRemoving;
    if (!before) return found;
    return { left: found.left, removeSome: async (limit) => (await before(), found.removeSome(limit)) };
  }

  private findGarbage(): { left(): number; removeSome(limit: number): number } {
    // Another thread may be writing one right now: only those untouched for an hour are left over from a crash.
    const staleBefore = Date.now() - 3_600_000;
    for (const name of readdirSync(join(this.dir, STAGING))) {
      const path = join(this.dir, STAGING, name);
      try {
        if (statSync(path).mtimeMs < staleBefore) rmSync(path, { force: true });
      } catch {
        // renamed into place meanwhile
      }
    }
    let live = this.liveObjects();
    let seen = this.commitCount;
    // Sites written before the staging directory kept temporary files here (`<object>[.gz|.br].tmp<n>`).
    const objectOf = (name: string) => name.replace(/\.tmp[\d-]*$/, "").replace(/\.(gz|br)$/, "");
    const candidates = readdirSync(join(this.dir, "objects")).filter((name) => !live.has(objectOf(name)));
    return {
      left: () => candidates.length,
      removeSome: (limit) => {
        // A commit since may have named one of them again (same bytes, same object): ask the live site.
        if (seen !== this.commitCount) [live, seen] = [this.liveObjects(), this.commitCount];
        let removed = 0;
        while (candidates.length > 0 && removed < limit) {
          const name = candidates.pop()!;
          if (live.has(objectOf(name))) continue;
          rmSync(join(this.dir, "objects", name), { force: true });
          removed++;
        }
        return removed;
      },
    };
  }

  private liveObjects(): Set<string> {
    return new Set([...Object.values(this.state.entries).map((e) => e.object), ...Object.values(this.root.shards)]);
  }

  /**
   * The bytes of an entry in an encoding, compressing them on first use. Objects never change,
   * so an encoded copy written once is good for as long as the object lives.
   */
  encoded(entry: PublishedEntry, encoding: "br" | "gzip"): Buffer {
    try {
      return readFileSync(this.objectPath(entry, encoding));
    } catch {
      return writeEncoded(this.dir, entry, encoding, readFileSync(this.objectPath(entry)));
    }
  }

  /** Loads the root and its shards; an old single-file manifest (version 1) is read as it is and rewritten in shards on the next commit. */
  private readManifest(): void {
    let parsed: (Partial<Omit<ManifestRoot, "version">> & { version?: number; entries?: Record<string, PublishedEntry> }) | null = null;
    try {
      parsed = JSON.parse(readFileSync(join(this.dir, "manifest.json"), "utf8"));
    } catch {
      return; // nothing published yet
    }
    if (parsed?.version === 1 && parsed.entries) {
      this.state = ShardedEntries.of(parsed.entries);
      this.root = { version: 2, build: parsed.build ?? "", publishedAt: parsed.publishedAt ?? "", shards: {} };
      this.writeEveryShard = true;
      return;
    }
    if (parsed?.version !== 2 || !parsed.shards) return;
    const state = new ShardedEntries();
    for (const object of Object.values(parsed.shards)) {
      const shard = JSON.parse(readFileSync(join(this.dir, "objects", object), "utf8")) as ManifestShard;
      state.apply(shard.entries);
    }
    this.state = state;
    this.root = { version: 2, build: parsed.build ?? "", publishedAt: parsed.publishedAt ?? "", shards: parsed.shards };
  }
}

/**
 * Stores a file as an object of the site in `dir` (with its br/gzip copies when it asks for
 * them) and returns its entry, without touching the manifest: a helper thread rendering part of
 * a full publish stores its pages this way, and the publish adopts the entries.
 */
export function storeFile(dir: string, file: FileToPublish, at: string): PublishedEntry {
  const bytes = bytesOf(file);
  return writeFile(dir, file, bytes, objectName(bytes, file.contentType), at);
}

function bytesOf(file: FileToPublish): Buffer {
  // A view of the caller's bytes, not a copy: they are only read (hashed and written).
  const { body } = file;
  return typeof body === "string" ? Buffer.from(body, "utf8") : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

function writeFile(dir: string, file: FileToPublish, bytes: Buffer, object: string, at: string): PublishedEntry {
  const entry = publishedEntry(file, object, bytes.length, at);
  writeObject(dir, object, bytes);
  if (file.precompress && isCompressible(entry)) {
    for (const encoding of ["br", "gzip"] as const) writeEncoded(dir, entry, encoding, bytes);
  }
  return entry;
}

function objectPath(dir: string, entry: PublishedEntry, encoding?: "br" | "gzip"): string {
  const suffix = encoding === "br" ? ".br" : encoding === "gzip" ? ".gz" : "";
  return join(dir, "objects", entry.object + suffix);
}

/**
 * gzip at level 4, not zlib's default 6: on the large documents a long incident makes (1.6 MB of
 * incidents.json, 1 MB of home page) it takes 55–85 % of the time for 1 % more bytes, and the
 * home page and JSON are compressed again on every publish. Brotli, which browsers take, stays at 5.
 */
const GZIP_LEVEL = 4;

function writeEncoded(dir: string, entry: PublishedEntry, encoding: "br" | "gzip", bytes: Buffer): Buffer {
  const data =
    encoding === "br"
      ? brotliCompressSync(bytes, { params: { [zlib.BROTLI_PARAM_QUALITY]: 5, [zlib.BROTLI_PARAM_SIZE_HINT]: bytes.length } })
      : gzipSync(bytes, { level: GZIP_LEVEL });
  writeAtomically(dir, objectPath(dir, entry, encoding), data);
  return data;
}

function writeObject(dir: string, object: string, bytes: Buffer): void {
  // Not first asked whether it exists: an object is written only for a path whose content changed
  // (`add` compares names first), so it almost never does — a full publish of 100,000 pages spent
  // 3 % of its time asking. When it does (the same bytes at a second path, or left by a publish that
  // never committed), the rename replaces it with the same bytes, and a reader of the old file keeps
  // reading that.
  writeAtomically(dir, join(dir, "objects", object), bytes);
}

/** A shard's content type (part of its object name, as for every object). */
const SHARD_TYPE = "application/json";

/** SHA-256 of the bytes and their type (32 hex chars): the object's name and its ETag. */
function objectName(bytes: Uint8Array, contentType: string): string {
  return createHash("sha256").update(bytes).update(contentType).digest("hex").slice(0, 32);
}

let tmpCounter = 0;

/**
 * Where files are written before being renamed into place. Not `objects/` itself: creating and
 * deleting a temporary name in a directory of 100,000 objects cost 2–3× a rename into it from a
 * small one (0.15 against 0.06 ms a file, measured on ext4 in a long-used site).
 */
const STAGING = "staging";

/** Writes `data` to `path` (inside the site `dir`) in one step: readers see the whole file or none. */
function writeAtomically(dir: string, path: string, data: Uint8Array): void {
  // Unique across processes and threads: the serving thread and the publishing thread may both write an encoding.
  const tmp = join(dir, STAGING, `${basename(path)}.tmp${process.pid}-${threadId}-${tmpCounter++}`);
  try {
    writeFileSync(tmp, data);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    // A directory no PublishedSite has opened yet (storeFile alone makes no directories).
    mkdirSync(join(dir, STAGING), { recursive: true });
    writeFileSync(tmp, data);
  }
  renameSync(tmp, path);
}
