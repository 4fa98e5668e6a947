import { mkdtempSync, readdirSync, rmSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, brotliDecompressSync } from "node:zlib";
import { readFileSync, writeFileSync } from "node:fs";
import { afterEach, describe, expect, test } from "vitest";
import { PublishedSite } from "./store.ts";

const dirs: string[] = [];
function site(): PublishedSite {
  const dir = mkdtempSync(join(tmpdir(), "herald-store-"));
  dirs.push(dir);
  return new PublishedSite(dir);
}
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

const html = (path: string, body: string) => ({ path, body, contentType: "text/html; charset=utf-8" });

describe("published site store", () => {
  test("nothing added is visible before commit; everything is after", () => {
    const s = site();
    s.publish([html("/", "<p>old home</p>"), html("/incidents/a", "<p>old a</p>")], { at: "2026-01-01T00:00:00.000Z" });
    const batch = s.begin("2026-01-01T00:01:00.000Z");
    batch.add(html("/", "<p>new home</p>"));
    batch.add(html("/incidents/b", "<p>new b</p>"));
    expect(readFileSync(s.objectPath(s.lookup("/")!), "utf8")).toBe("<p>old home</p>");
    expect(s.lookup("/incidents/b")).toBeUndefined();
    expect(batch.commit()).toEqual(["/", "/incidents/b"]);
    expect(readFileSync(s.objectPath(s.lookup("/")!), "utf8")).toBe("<p>new home</p>");
    expect(s.lookup("/incidents/b")).toBeDefined();
    expect(s.lookup("/incidents/a")!.modifiedAt).toBe("2026-01-01T00:00:00.000Z");
  });

  test("unchanged content keeps its object and Last-Modified; the manifest survives a restart", () => {
    const s = site();
    s.publish([html("/", "same")], { at: "2026-01-01T00:00:00.000Z" });
    expect(s.publish([html("/", "same")], { at: "2026-01-02T00:00:00.000Z" })).toEqual([]);
    const reopened = new PublishedSite(s.dir);
    expect(reopened.lookup("/")).toEqual(s.lookup("/"));
    expect(reopened.lookup("/")!.modifiedAt).toBe("2026-01-01T00:00:00.000Z");
    expect(reopened.lookup("toString")).toBeUndefined();
  });

  test("a page given as bytes is stored as exactly those bytes, even as a view into a larger buffer", () => {
    const s = site();
    const whole = new TextEncoder().encode("before|<p>Résolu — all good</p>|after");
    const page = whole.subarray(7, whole.length - 6);
    s.publish([{ path: "/", body: page, contentType: "text/html; charset=utf-8" }], { at: "2026-01-01T00:00:00.000Z" });
    expect(readFileSync(s.objectPath(s.lookup("/")!), "utf8")).toBe("<p>Résolu — all good</p>");
    // Named by those bytes: the same page given as a string is the same object.
    const asText = site();
    asText.publish([html("/", "<p>Résolu — all good</p>")], { at: "2026-01-01T00:00:00.000Z" });
    expect(s.lookup("/")!.object).toBe(asText.lookup("/")!.object);
  });

  test("a file already under an object's name (left by anything) is replaced by the object's bytes", () => {
    const first = site();
    first.publish([html("/", "<p>the page</p>")], { at: "2026-01-01T00:00:00.000Z" });
    const name = first.lookup("/")!.object;
    const s = site();
    s.publish([html("/other", "<p>something else</p>")], { at: "2026-01-01T00:00:00.000Z" });
    writeFileSync(join(s.dir, "objects", name), "<p>the pa"); // a stray, cut-short copy
    s.publish([html("/", "<p>the page</p>")], { at: "2026-01-02T00:00:00.000Z" });
    expect(s.lookup("/")!.object).toBe(name);
    expect(readFileSync(s.objectPath(s.lookup("/")!), "utf8")).toBe("<p>the page</p>");
  });

  test("hot files are compressed at publish; others on first request, then kept; always the same bytes", () => {
    const s = site();
    const body = "<p>" + "All systems operational. ".repeat(50) + "</p>";
    s.publish([{ ...html("/", body), precompress: true }, html("/incidents/a", body + "a")], { at: "2026-01-01T00:00:00.000Z" });
    // The page objects (the manifest's shards are objects too).
    const shards = () => new Set(Object.values((JSON.parse(readFileSync(join(s.dir, "manifest.json"), "utf8")) as { shards: Record<string, string> }).shards));
    const objects = () => readdirSync(join(s.dir, "objects")).filter((n) => !shards().has(n)).sort();
    const home = s.lookup("/")!;
    const incident = s.lookup("/incidents/a")!;
    expect(objects()).toEqual([home.object, `${home.object}.br`, `${home.object}.gz`, incident.object].sort());
    expect(gunzipSync(readFileSync(s.objectPath(home, "gzip"))).toString()).toBe(body);
    expect(brotliDecompressSync(readFileSync(s.objectPath(home, "br"))).toString()).toBe(body);
    expect(brotliDecompressSync(s.encoded(incident, "br")).toString()).toBe(body + "a");
    expect(objects()).toContain(`${incident.object}.br`);
    expect(gunzipSync(s.encoded(incident, "gzip")).toString()).toBe(body + "a");
  });

  test("garbage collection removes only objects no longer referenced", async () => {
    const s = site();
    s.publish([{ ...html("/", "one ".repeat(100)), precompress: true }], { at: "2026-01-01T00:00:00.000Z" });
    const first = s.lookup("/")!.object;
    s.publish([{ ...html("/", "two ".repeat(100)), precompress: true }], { at: "2026-01-01T00:01:00.000Z" });
    expect(await s.garbage().removeSome(Infinity)).toBe(4); // the old page, its two encodings, and the old shard
    const left = readdirSync(join(s.dir, "objects"));
    expect(left.some((n) => n.startsWith(first))).toBe(false);
    expect(left.filter((n) => n.startsWith(s.lookup("/")!.object))).toHaveLength(3);
  });

  test("garbage is removed a slice at a time, and an object named again meanwhile is kept", async () => {
    const s = site();
    const pages = (word: string) => Array.from({ length: 5 }, (_, i) => html(`/p${i}`, `${word} ${i}`));
    s.publish(pages("old"), { at: "2026-01-01T00:00:00.000Z" });
    const old = Object.values(s.current().entries).map((e) => e.object);
    const oldFiles = readdirSync(join(s.dir, "objects")); // the five pages and the shards naming them
    s.publish(pages("new"), { at: "2026-01-01T00:01:00.000Z" });
    const garbage = s.garbage();
    expect(garbage.left()).toBe(oldFiles.length);
    // A publish between the finding and the removing brings back what one old page said: the same object, live again.
    s.publish([html("/p0", "old 0")], { at: "2026-01-01T00:02:00.000Z" });
    expect(s.lookup("/p0")!.object).toBe(old[0]);
    expect(await garbage.removeSome(2)).toBe(2);
    expect(garbage.left()).toBeLessThanOrEqual(oldFiles.length - 2);
    await garbage.removeSome(100);
    expect(garbage.left()).toBe(0);
    const left = new Set(readdirSync(join(s.dir, "objects")));
    for (const entry of Object.values(s.current().entries)) expect(left.has(entry.object)).toBe(true);
    expect(old.filter((o) => left.has(o))).toEqual([old[0]]);
  });

  test("files are written in the staging directory and renamed into place; a crash's leftovers there are collected after an hour", async () => {
    const s = site();
    s.publish([{ ...html("/", "home ".repeat(100)), precompress: true }], { at: "2026-01-01T00:00:00.000Z" });
    // Nothing temporary is left anywhere, and the objects directory only ever holds objects.
    expect(readdirSync(join(s.dir, "staging"))).toEqual([]);
    expect(readdirSync(join(s.dir, "objects")).every((n) => /^[0-9a-f]{32}(\.br|\.gz)?$/.test(n))).toBe(true);
    const stale = join(s.dir, "staging", "abc.tmp1-0-0");
    const fresh = join(s.dir, "staging", "def.tmp1-1-0");
    writeFileSync(stale, "half a page");
    writeFileSync(fresh, "being written by another thread");
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    utimesSync(stale, twoHoursAgo, twoHoursAgo);
    expect(await s.garbage().removeSome(Infinity)).toBe(0); // no object was dropped
    expect(readdirSync(join(s.dir, "staging"))).toEqual(["def.tmp1-1-0"]);
    expect(s.lookup("/")).toBeDefined();
  });

  test("a commit writes the shards it touched and a small root; a restart reads them; an old one-file manifest is upgraded", () => {
    const s = site();
    const many = Array.from({ length: 2000 }, (_, i) => html(`/incidents/${i.toString(36).padStart(12, "0")}`, `<p>incident ${i}</p>`));
    s.publish([html("/", "home"), ...many], { at: "2026-01-01T00:00:00.000Z", build: "b1" });
    const objectsBefore = new Set(readdirSync(join(s.dir, "objects")));
    s.publish([html("/", "home 2"), html("/incidents/000000000007", "<p>changed</p>")], { at: "2026-01-01T00:01:00.000Z" });
    const written = readdirSync(join(s.dir, "objects")).filter((n) => !objectsBefore.has(n));
    // Two pages, the hot shard and the incident's shard: not the 2,000 other entries.
    expect(written).toHaveLength(4);
    const root = JSON.parse(readFileSync(join(s.dir, "manifest.json"), "utf8"));
    expect(root).toMatchObject({ version: 2, build: "b1", publishedAt: "2026-01-01T00:01:00.000Z" });
    expect(JSON.stringify(root).length).toBeLessThan(60_000);
    const reopened = new PublishedSite(s.dir);
    expect(Object.keys(reopened.current().entries)).toHaveLength(2001);
    expect(reopened.lookup("/incidents/000000000007")).toEqual(s.lookup("/incidents/000000000007"));
    expect(reopened.current().build).toBe("b1");

    // A site published before shards: read as it is, rewritten in shards by the next commit.
    const old = site();
    const entry = old.lookup("/");
    expect(entry).toBeUndefined();
    old.publish([html("/a", "a"), html("/", "home")], { at: "2026-01-01T00:00:00.000Z", build: "b0" });
    const entries = old.current().entries;
    writeFileSync(join(old.dir, "manifest.json"), JSON.stringify({ version: 1, build: "b0", publishedAt: "2026-01-01T00:00:00.000Z", entries }));
    const upgraded = new PublishedSite(old.dir);
    expect(upgraded.lookup("/a")).toEqual(entries["/a"]);
    expect(upgraded.publish([], { at: "2026-01-02T00:00:00.000Z" })).toEqual([]);
    expect(JSON.parse(readFileSync(join(old.dir, "manifest.json"), "utf8")).version).toBe(2);
    expect(new PublishedSite(old.dir).lookup("/a")).toEqual(entries["/a"]);
  });
});
