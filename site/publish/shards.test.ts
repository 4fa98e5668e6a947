import { describe, expect, test } from "vitest";
import { SHARD_COUNT, ShardedEntries, shardOf, shardsToWrite } from "./shards.ts";

const entry = (object: string) => ({ object, contentType: "text/html; charset=utf-8", size: 1, modifiedAt: "2026-01-01T00:00:00.000Z" });

describe("the sharded manifest", () => {
  test("the pages every publish rewrites share one shard; incident pages spread evenly over the rest", () => {
    for (const path of ["/", "/history", "/404", "/history.rss", "/history.atom", "/api/v2/summary.json"]) expect(shardOf(path)).toBe("hot");
    const counts = new Map<string, number>();
    for (let i = 0; i < 100_000; i++) {
      const key = shardOf(`/incidents/${i.toString(36).padStart(12, "0")}`);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(SHARD_COUNT);
    expect(Math.max(...counts.values())).toBeLessThan(3 * (100_000 / SHARD_COUNT));
    expect(shardOf("/incidents/abc")).toBe(shardOf("/incidents/abc"));
  });

  test("a preview shows touched shards as they will be, changes nothing, and apply makes it so", () => {
    const s = ShardedEntries.of({ "/": entry("a"), "/incidents/x": entry("b") });
    const preview = s.preview({ "/": entry("c"), "/incidents/x": null });
    expect(s.get("/")!.object).toBe("a");
    expect(JSON.parse(preview.get("hot")!)).toEqual({ entries: { "/": entry("c") } });
    expect(preview.get(shardOf("/incidents/x"))).toBeNull();
    s.apply({ "/": entry("c"), "/incidents/x": null });
    expect(s.get("/")!.object).toBe("c");
    expect(s.get("/incidents/x")).toBeUndefined();
    expect(s.keys()).toEqual(["hot"]);
    expect(s.shard("hot")).toBe(preview.get("hot"));
    expect(s.get("toString")).toBeUndefined();
  });

  test("a shard's JSON does not depend on the order its paths were added", () => {
    const a = ShardedEntries.of({ "/x1": entry("1"), "/x2": entry("2") });
    const b = ShardedEntries.of({ "/x2": entry("2"), "/x1": entry("1") });
    for (const key of a.keys()) expect(a.shard(key)).toBe(b.shard(key));
  });

  test("a commit writes only the shards its changes fall in; every shard only when a one-file manifest is rewritten", () => {
    const paths = Array.from({ length: 300 }, (_, i) => `/incidents/${i.toString(36).padStart(12, "0")}`);
    const s = ShardedEntries.of(Object.fromEntries(paths.map((p) => [p, entry("x")])));
    const change = { [paths[7]!]: entry("y"), "/": entry("home") };
    expect([...shardsToWrite(s, change, false).keys()].sort()).toEqual([shardOf(paths[7]!), "hot"].sort());
    const all = shardsToWrite(s, change, true);
    expect(new Set(all.keys())).toEqual(new Set([...s.keys(), "hot"]));
    expect(JSON.parse(all.get(shardOf(paths[7]!))!).entries[paths[7]!].object).toBe("y");
  });
});
