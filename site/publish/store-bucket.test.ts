import { describe, expect, test } from "vitest";
import { BucketSite, ConcurrentPublishError, type Bucket, type BucketObject } from "./store-bucket.ts";

/**
 * The bucket store's own logic against a small in-memory bucket with R2's semantics for what the
 * store uses (get/head/put, conditional put on the ETag, "*" = must not exist). The store against
 * wrangler's real local R2 is covered by test/worker.test.ts.
 */
class MemoryBucket implements Bucket {
  readonly objects = new Map<string, { bytes: Uint8Array; etag: string }>();
  gets = 0;
  private version = 0;

  async get(key: string): Promise<BucketObject | null> {
    this.gets++;
    const o = this.objects.get(key);
    if (!o) return null;
    return { etag: o.etag, arrayBuffer: async () => o.bytes.slice().buffer, text: async () => new TextDecoder().decode(o.bytes) };
  }
  async head(key: string) {
    const o = this.objects.get(key);
    return o ? { etag: o.etag } : null;
  }
  async put(key: string, value: string | ArrayBuffer | Uint8Array, options: { onlyIf?: { etagMatches?: string; etagDoesNotMatch?: string } } = {}) {
    const current = this.objects.get(key);
    const { etagMatches, etagDoesNotMatch } = options.onlyIf ?? {};
    if (etagMatches !== undefined && current?.etag !== etagMatches) return null;
    if (etagDoesNotMatch === "*" && current) return null;
    const bytes = typeof value === "string" ? new TextEncoder().encode(value) : new Uint8Array(value as ArrayBuffer);
    const stored = { bytes, etag: `v${++this.version}` };
    this.objects.set(key, stored);
    return { etag: stored.etag };
  }
}

const html = (path: string, body: string) => ({ path, body, contentType: "text/html; charset=utf-8" });

describe("BucketSite", () => {
  test("a publish becomes visible at commit, all at once, and names objects by content", async () => {
    const bucket = new MemoryBucket();
    const site = new BucketSite(bucket, { cacheMs: 0 });
    const batch = await site.begin("2026-11-27T10:00:00.000Z");
    await batch.add(html("/", "<p>home</p>"));
    await batch.add(html("/incidents/a", "<p>a</p>"));
    expect(await site.lookup("/")).toBeUndefined(); // not before the commit
    expect(await batch.commit({ build: "b1" })).toEqual(["/", "/incidents/a"]);
    const entry = (await site.lookup("/"))!;
    expect(entry).toMatchObject({ contentType: "text/html; charset=utf-8", size: 11, modifiedAt: "2026-11-27T10:00:00.000Z" });
    expect(new TextDecoder().decode(await site.read(entry))).toBe("<p>home</p>");
    expect((await site.current()).build).toBe("b1");

    // Unchanged content is no change: its modifiedAt (Last-Modified) stays.
    const again = await site.begin("2026-11-27T11:00:00.000Z");
    await again.add(html("/", "<p>home</p>"));
    expect(await again.commit({ build: "b1" })).toEqual([]);
    expect((await site.lookup("/"))!.modifiedAt).toBe("2026-11-27T10:00:00.000Z");
  });

  test("of two racing publishes the later commit fails instead of undoing the earlier one", async () => {
    const bucket = new MemoryBucket();
    const site = new BucketSite(bucket, { cacheMs: 0 });
    for (const first of [true, false]) {
      // first: there is no manifest yet ("must not exist"); then: one exists ("must still be this one").
      if (!first) await (await site.begin("t0")).commit({ build: "seed" });
      const a = await site.begin("t1");
      const b = await site.begin("t1");
      const words = first ? ["a", "b"] : ["c", "d"];
      await a.add(html("/", words[0]!));
      await b.add(html("/", words[1]!));
      expect(await a.commit()).toEqual(["/"]);
      await expect(b.commit()).rejects.toBeInstanceOf(ConcurrentPublishError);
      expect(new TextDecoder().decode(await site.read((await site.lookup("/"))!))).toBe(words[0]);
    }
  });

  test("serving keeps recently read objects in memory, within its byte budget", async () => {
    const bucket = new MemoryBucket();
    const site = new BucketSite(bucket, { cacheMs: 60_000, memoryBytes: 400 });
    const batch = await site.begin("t");
    for (const name of ["a", "b", "c"]) await batch.add(html(`/${name}`, name.repeat(90)));
    await batch.commit();
    const read = async (path: string) => site.read((await site.lookup(path))!);

    bucket.gets = 0;
    await read("/a");
    await read("/a");
    await read("/a");
    expect(bucket.gets).toBe(1); // the page everyone polls costs one bucket read

    await read("/b");
    await read("/c"); // 270 bytes kept
    await read("/a");
    expect(bucket.gets).toBe(3);
    const big = await site.begin("t2");
    await big.add(html("/big", "x".repeat(300))); // over a quarter of the budget: never kept
    await big.commit();
    bucket.gets = 0;
    await read("/big");
    await read("/big");
    expect(bucket.gets).toBe(2);
  });
});

describe("BucketSite in shards", () => {
  test("a publish reads and writes only the shards it touches; a site published before shards is read and rewritten", async () => {
    const bucket = new MemoryBucket();
    const site = new BucketSite(bucket, { cacheMs: 0 });
    const first = await site.begin("t1");
    for (let i = 0; i < 500; i++) await first.add(html(`/incidents/${i.toString(36).padStart(12, "0")}`, `incident ${i}`));
    await first.add(html("/", "home"));
    await first.commit({ build: "b1" });
    const keys = () => new Set(bucket.objects.keys());
    const before = keys();
    const fresh = new BucketSite(bucket, { cacheMs: 0 });
    bucket.gets = 0;
    const next = await fresh.begin("t2");
    await next.add(html("/", "home 2"));
    await next.add(html("/incidents/000000000007", "changed"));
    await next.commit();
    // The root, and the two shards the changes fall in: not the 500 entries' other shards.
    expect(bucket.gets).toBe(3);
    expect([...keys()].filter((k) => !before.has(k))).toHaveLength(4); // two pages, two shards
    expect(new TextDecoder().decode(await fresh.read((await fresh.lookup("/incidents/000000000007"))!))).toBe("changed");
    expect(await fresh.lookup("/incidents/000000000008")).toBeDefined();
    expect(await fresh.current()).toEqual({ build: "b1", publishedAt: "t2" });

    // Version 1: one manifest with every entry.
    const old = new MemoryBucket();
    const page = await new BucketSite(old).begin("t0");
    await page.add(html("/a", "a"));
    await page.commit({ build: "b0" });
    const entry = await new BucketSite(old).lookup("/a");
    await old.put("manifest.json", JSON.stringify({ version: 1, build: "b0", publishedAt: "t0", entries: { "/a": entry } }));
    const upgraded = new BucketSite(old, { cacheMs: 0 });
    expect(await upgraded.lookup("/a")).toEqual(entry);
    expect(await (await upgraded.begin("t1")).commit()).toEqual([]);
    expect(JSON.parse(await (await old.get("manifest.json"))!.text()).version).toBe(2);
    expect(await new BucketSite(old).lookup("/a")).toEqual(entry);
  });
});
