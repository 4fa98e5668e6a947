import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { threadId } from "node:worker_threads";
import { gzipSync, brotliCompressSync, constants as zlib } from "node:zlib";
import { isCompressible, publishedEntry, type FileToPublish, type Manifest, type PublishedEntry, type ServableSite, type SiteStore } from "./manifest.ts";

/** On disk every step is synchronous. */
export interface DiskPublishBatch {
  add(file: FileToPublish): void;
  remove(path: string): void;
  commit(options?: { build?: string }): string[];
}

export type { FileToPublish, Manifest, PublishBatch, PublishedEntry } from "./manifest.ts";

/** What one publish changed: each changed path's new entry, or null when it was removed. */
export interface SiteCommit {
  build: string;
  publishedAt: string;
  changes: Record<string, PublishedEntry | null>;
}

/**
 * The published site on disk: immutable, content-addressed objects (`objects/<hash>`, plus
 * `.gz` and `.br` encodings) and one `manifest.json` mapping each URL path to its object.
 *
 * Publishing writes the new objects first and then replaces the manifest with one rename, so
 * the whole site changes at once: a reader sees either every old file or every new one, never
 * a mix and never a half-written file. The cost is proportional to what changed, not to the
 * size of the archive. The database is not needed to serve any of it.
 */
export class PublishedSite implements SiteStore, ServableSite {
  /** br/gzip copies are kept beside each object (Node has no compressing CDN in front). */
  readonly encodes = true;
  readonly dir: string;
  private manifest: Manifest;

  /** Told of every commit: the paths that changed (null: removed), for a reader in another thread (api/runtime/thread-publisher.ts). */
  private readonly onCommit: ((commit: SiteCommit) => void) | undefined;

  constructor(dir: string, options: { onCommit?: (commit: SiteCommit) => void } = {}) {
    this.dir = dir;
    this.onCommit = options.onCommit;
    mkdirSync(join(dir, "objects"), { recursive: true });
    this.manifest = this.readManifest() ?? { version: 1, build: "", publishedAt: "", entries: {} };
  }

  /**
   * Takes in a commit made by another PublishedSite on the same directory (the publishing thread),
   * without reading the manifest again: in place, in one synchronous step, so a request sees every
   * change of a publish or none, and the cost is that of the change, not of the site.
   */
  apply(commit: SiteCommit): void {
    const entries = this.manifest.entries as Record<string, PublishedEntry>;
    for (const [path, entry] of Object.entries(commit.changes)) {
      if (entry) entries[path] = entry;
      else delete entries[path];
    }
    this.manifest = { version: 1, build: commit.build, publishedAt: commit.publishedAt, entries };
  }

  /** The entry a URL path is served from, or undefined. */
  lookup(path: string): PublishedEntry | undefined {
    return Object.hasOwn(this.manifest.entries, path) ? this.manifest.entries[path] : undefined;
  }

  objectPath(entry: PublishedEntry, encoding?: "br" | "gzip"): string {
    const suffix = encoding === "br" ? ".br" : encoding === "gzip" ? ".gz" : "";
    return join(this.dir, "objects", entry.object + suffix);
  }

  current(): Readonly<Manifest> {
    return this.manifest;
  }

  /**
   * Starts a publish: files are written as objects as they are added (so a full publish of
   * thousands of pages never sits in memory) and become visible only at `commit`.
   */
  begin(at: string): DiskPublishBatch {
    const entries = { ...this.manifest.entries };
    const changed: string[] = [];
    return {
      add: (file: FileToPublish) => {
        const bytes = typeof file.body === "string" ? Buffer.from(file.body, "utf8") : Buffer.from(file.body);
        const object = createHash("sha256").update(bytes).update(file.contentType).digest("hex").slice(0, 32);
        if (entries[file.path]?.object === object) return;
        entries[file.path] = publishedEntry(file, object, bytes.length, at);
        this.writeObject(object, bytes);
        if (file.precompress && isCompressible(entries[file.path]!)) {
          for (const encoding of ["br", "gzip"] as const) this.writeEncoded(entries[file.path]!, encoding, bytes);
        }
        changed.push(file.path);
      },
      remove: (path: string) => {
        if (!entries[path]) return;
        delete entries[path];
        changed.push(path);
      },
      commit: (options: { build?: string } = {}) => {
        const build = options.build ?? this.manifest.build;
        if (changed.length === 0 && build === this.manifest.build) return [];
        const next: Manifest = { version: 1, build, publishedAt: at, entries };
        const tmp = join(this.dir, `manifest.json.${process.pid}.tmp`);
        writeFileSync(tmp, JSON.stringify(next));
        renameSync(tmp, join(this.dir, "manifest.json"));
        this.manifest = next;
        this.onCommit?.({ build, publishedAt: at, changes: Object.fromEntries(changed.map((path) => [path, entries[path] ?? null])) });
        return changed;
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

  /** Deletes objects no longer referenced (readers holding one open keep reading it). */
  collectGarbage(): number {
    const live = new Set(Object.values(this.manifest.entries).map((e) => e.object));
    let removed = 0;
    for (const name of readdirSync(join(this.dir, "objects"))) {
      // A temporary file is named after what it will be (`<object>[.gz|.br].tmp<n>`): keep those of live objects,
      // since another thread may be compressing one right now.
      const object = name.replace(/\.tmp[\d-]*$/, "").replace(/\.(gz|br)$/, "");
      if (!live.has(object)) {
        rmSync(join(this.dir, "objects", name), { force: true });
        removed++;
      }
    }
    return removed;
  }

  /**
   * The bytes of an entry in an encoding, compressing them on first use. Objects never change,
   * so an encoded copy written once is good for as long as the object lives.
   */
  encoded(entry: PublishedEntry, encoding: "br" | "gzip"): Buffer {
    try {
      return readFileSync(this.objectPath(entry, encoding));
    } catch {
      return this.writeEncoded(entry, encoding, readFileSync(this.objectPath(entry)));
    }
  }

  private writeEncoded(entry: PublishedEntry, encoding: "br" | "gzip", bytes: Buffer): Buffer {
    const data =
      encoding === "br"
        ? brotliCompressSync(bytes, { params: { [zlib.BROTLI_PARAM_QUALITY]: 9, [zlib.BROTLI_PARAM_SIZE_HINT]: bytes.length } })
        : gzipSync(bytes, { level: 9 });
    writeAtomically(this.objectPath(entry, encoding), data);
    return data;
  }

  private writeObject(object: string, bytes: Buffer): void {
    const path = join(this.dir, "objects", object);
    // Same name = same bytes: an object that exists is complete (it was renamed into place).
    if (!existsSync(path)) writeAtomically(path, bytes);
  }

  private readManifest(): Manifest | null {
    try {
      const parsed = JSON.parse(readFileSync(join(this.dir, "manifest.json"), "utf8")) as Manifest;
      return parsed.version === 1 && parsed.entries ? parsed : null;
    } catch {
      return null;
    }
  }
}

let tmpCounter = 0;

function writeAtomically(path: string, data: Uint8Array): void {
  // Unique across processes and threads: the serving thread and the publishing thread may both write an encoding.
  const tmp = `${path}.tmp${process.pid}-${threadId}-${tmpCounter++}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}
