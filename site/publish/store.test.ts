import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, brotliDecompressSync } from "node:zlib";
import { readFileSync } from "node:fs";
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

  test("hot files are compressed at publish; others on first request, then kept; always the same bytes", () => {
    const s = site();
    const body = "<p>" + "All systems operational. ".repeat(50) + "</p>";
    s.publish([{ ...html("/", body), precompress: true }, html("/incidents/a", body + "a")], { at: "2026-01-01T00:00:00.000Z" });
    const objects = () => readdirSync(join(s.dir, "objects")).sort();
    const home = s.lookup("/")!;
    const incident = s.lookup("/incidents/a")!;
    expect(objects()).toEqual([home.object, `${home.object}.br`, `${home.object}.gz`, incident.object].sort());
    expect(gunzipSync(readFileSync(s.objectPath(home, "gzip"))).toString()).toBe(body);
    expect(brotliDecompressSync(readFileSync(s.objectPath(home, "br"))).toString()).toBe(body);
    expect(brotliDecompressSync(s.encoded(incident, "br")).toString()).toBe(body + "a");
    expect(objects()).toContain(`${incident.object}.br`);
    expect(gunzipSync(s.encoded(incident, "gzip")).toString()).toBe(body + "a");
  });

  test("garbage collection removes only objects no longer referenced", () => {
    const s = site();
    s.publish([{ ...html("/", "one ".repeat(100)), precompress: true }], { at: "2026-01-01T00:00:00.000Z" });
    const first = s.lookup("/")!.object;
    s.publish([{ ...html("/", "two ".repeat(100)), precompress: true }], { at: "2026-01-01T00:01:00.000Z" });
    expect(s.collectGarbage()).toBe(3);
    const left = readdirSync(join(s.dir, "objects"));
    expect(left.some((n) => n.startsWith(first))).toBe(false);
    expect(left.filter((n) => n.startsWith(s.lookup("/")!.object))).toHaveLength(3);
  });
});
