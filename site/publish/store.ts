import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync, brotliCompressSync, constants as zlib } from "node:zlib";

/**
 * The published site on disk: immutable, content-addressed objects (`objects/<hash>`, plus
 * `.gz` and `.br` encodings) and one `manifest.json` mapping each URL path to its object.
 *
 * Publishing writes the new objects first and then replaces the manifest with one rename, so
 * the whole site changes at once: a reader sees either every old file or every new one, never
 * a mix and never a half-written file. The cost is proportional to what changed, not to the
 * size of the archive. The database is not needed to serve any of it.
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

export interface Manifest {
  version: 1;
  /** Identifies the site build the pages were rendered with; a new build means a full publish. */
  build: string;
  publishedAt: string;
  entries: Record<string, PublishedEntry>;
}

export interface PublishBatch {
  add(file: FileToPublish): void;
  remove(path: string): void;
  /** Makes everything added visible at once; returns the paths whose content changed. */
  commit(options?: { build?: string }): string[];
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

export class PublishedSite {
  readonly dir: string;
  private manifest: Manifest;

  constructor(dir: string) {
    this.dir = dir;
    mkdirSync(join(dir, "objects"), { recursive: true });
    this.manifest = this.readManifest() ?? { version: 1, build: "", publishedAt: "", entries: {} };
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
  begin(at: string): PublishBatch {
    const entries = { ...this.manifest.entries };
    const changed: string[] = [];
    return {
      add: (file: FileToPublish) => {
        const bytes = typeof file.body === "string" ? Buffer.from(file.body, "utf8") : Buffer.from(file.body);
        const object = createHash("sha256").update(bytes).update(file.contentType).digest("hex").slice(0, 32);
        if (entries[file.path]?.object === object) return;
        entries[file.path] = {
          object,
          contentType: file.contentType,
          size: bytes.length,
          modifiedAt: at,
          ...(file.immutable ? { immutable: true } : {}),
        };
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

  /** Deletes objects no longer referenced (readers holding one open keep reading it). */
  collectGarbage(): number {
    const live = new Set(Object.values(this.manifest.entries).map((e) => e.object));
    let removed = 0;
    for (const name of readdirSync(join(this.dir, "objects"))) {
      const object = name.replace(/\.(gz|br)$/, "").replace(/\.tmp[\d-]*$/, "");
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
  const tmp = `${path}.tmp${process.pid}-${tmpCounter++}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** Worth compressing: text of some size (tiny files grow with compression headers). */
export function isCompressible(entry: PublishedEntry): boolean {
  return COMPRESSIBLE.test(entry.contentType) && entry.size > 256;
}
