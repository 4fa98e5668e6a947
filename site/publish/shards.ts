/**
 * The manifest in shards, so a publish writes bytes in proportion to what changed rather than to
 * the size of the archive. The root (`manifest.json`) names the build and, per shard, the object
 * that holds that shard's entries; shards are content-addressed objects like the pages, so a
 * publish writes the few shards it touched and then swaps the small root — still one atomic step.
 *
 * Pure (no I/O): the disk store (store.ts) and the bucket store (store-bucket.ts) both use it.
 */
import type { PublishedEntry } from "./manifest.ts";

/** What `manifest.json` holds from version 2 on. */
export interface ManifestRoot {
  version: 2;
  build: string;
  publishedAt: string;
  /** Shard key → the object name of its JSON (a ManifestShard). */
  shards: Record<string, string>;
}

/** One shard's object: its paths' entries. */
export interface ManifestShard {
  entries: Record<string, PublishedEntry>;
}

/** Incident pages and months spread over this many shards (at 100,000 incidents about 100 paths, some 17 KB, each). */
export const SHARD_COUNT = 1024;

/**
 * The paths every publish rewrites (home, feeds, JSON, the newest history) share one small shard,
 * so a publish touches it, the incident's shard, its month's shard and the root.
 */
export function shardOf(path: string): string {
  if (path === "/" || path === "/history" || path === "/404" || path.startsWith("/api/") || path.startsWith("/history.")) return "hot";
  // FNV-1a: fast, stable across runtimes, and spreads ids evenly.
  let hash = 0x811c9dc5;
  for (let i = 0; i < path.length; i++) {
    hash ^= path.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return (hash % SHARD_COUNT).toString(16).padStart(3, "0");
}

/** A shard's JSON, byte for byte the same for the same entries (paths in order), so its name is stable. */
export function shardJson(entries: Iterable<[string, PublishedEntry]>): string {
  const sorted = [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify({ entries: Object.fromEntries(sorted) } satisfies ManifestShard);
}

/**
 * Every entry, by path (what lookups read), with each shard's paths (what a commit re-serializes).
 * Changed in place by `apply`, in one synchronous step.
 */
export class ShardedEntries {
  readonly entries: Record<string, PublishedEntry> = Object.create(null) as Record<string, PublishedEntry>;
  private readonly members = new Map<string, Set<string>>();

  static of(entries: Record<string, PublishedEntry>): ShardedEntries {
    const sharded = new ShardedEntries();
    sharded.apply(entries);
    return sharded;
  }

  get(path: string): PublishedEntry | undefined {
    return this.entries[path];
  }

  /** The shard keys that hold at least one path. */
  keys(): string[] {
    return [...this.members.keys()];
  }

  /**
   * The JSON of each shard `changes` touch, as it will be once they are applied (null: the shard
   * is empty then). Nothing changes here: a store writes these first, then its root, then applies.
   */
  preview(changes: Record<string, PublishedEntry | null>): Map<string, string | null> {
    const byShard = new Map<string, [string, PublishedEntry | null][]>();
    for (const [path, entry] of Object.entries(changes)) {
      const key = shardOf(path);
      let list = byShard.get(key);
      if (!list) byShard.set(key, (list = []));
      list.push([path, entry]);
    }
    const out = new Map<string, string | null>();
    for (const [key, shardChanges] of byShard) out.set(key, this.shardAfter(key, shardChanges));
    return out;
  }

  /** The JSON of a shard as it is now (null when empty). */
  shard(key: string): string | null {
    return this.shardAfter(key, []);
  }

  private shardAfter(key: string, changes: readonly [string, PublishedEntry | null][]): string | null {
    const next = new Map<string, PublishedEntry>();
    for (const path of this.members.get(key) ?? []) next.set(path, this.entries[path]!);
    for (const [path, entry] of changes) {
      if (entry) next.set(path, entry);
      else next.delete(path);
    }
    return next.size === 0 ? null : shardJson(next);
  }

  /** Applies changes (null removes a path). */
  apply(changes: Record<string, PublishedEntry | null>): void {
    for (const [path, entry] of Object.entries(changes)) {
      const key = shardOf(path);
      if (entry) {
        this.entries[path] = entry;
        let set = this.members.get(key);
        if (!set) this.members.set(key, (set = new Set()));
        set.add(path);
      } else {
        delete this.entries[path];
        const set = this.members.get(key);
        set?.delete(path);
        if (set?.size === 0) this.members.delete(key);
      }
    }
  }
}

/**
 * The shards a commit writes: those `changes` touch, as they will be (null: empty, to drop from
 * the root) — or every shard, the first time a site kept in one file is written in shards.
 * `known` holds at least the touched shards' current entries.
 */
export function shardsToWrite(known: ShardedEntries, changes: Record<string, PublishedEntry | null>, everyShard: boolean): Map<string, string | null> {
  const touched = known.preview(changes);
  if (everyShard) for (const key of known.keys()) if (!touched.has(key)) touched.set(key, known.shard(key));
  return touched;
}
