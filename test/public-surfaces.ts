/** Every public surface of a running Herald, fetched: for tests that something never leaks. */

const DOCUMENTS = [
  "/", "/history", "/history.rss", "/history.atom",
  "/api/v2/summary.json", "/api/v2/status.json", "/api/v2/components.json", "/api/v2/incidents.json",
  "/api/v2/incidents/unresolved.json", "/api/v2/scheduled-maintenances.json",
  "/api/v2/scheduled-maintenances/upcoming.json", "/api/v2/scheduled-maintenances/active.json",
];

/**
 * Path → body of the home page, the archive (every month it links), every incident page linked
 * from them or listed in the JSON, the feeds and all of /api/v2. Paths that are not published
 * (e.g. an Atom feed on a build without one) are left out.
 */
export async function fetchPublicSurfaces(baseUrl: string): Promise<Map<string, string>> {
  const bodies = new Map<string, string>();
  // /history is the newest month and links only the others: fetch this month's own address too (page zone UTC).
  const queue = [...DOCUMENTS, `/history/${new Date().toISOString().slice(0, 7)}`];
  const seen = new Set(queue);
  while (queue.length > 0) {
    const path = queue.shift()!;
    const res = await fetch(`${baseUrl}${path}`);
    const text = await res.text();
    if (res.status !== 200) continue;
    bodies.set(path, text);
    const links = [...text.matchAll(/href="(\/(?:incidents|history)\/[^"#?]+)"/g)].map((m) => m[1]!);
    if (path.endsWith(".json")) {
      const json = JSON.parse(text) as { incidents?: { id: string }[]; scheduled_maintenances?: { id: string }[] };
      for (const i of [...(json.incidents ?? []), ...(json.scheduled_maintenances ?? [])]) links.push(`/incidents/${i.id}`);
    }
    for (const link of links) {
      if (!seen.has(link)) {
        seen.add(link);
        queue.push(link);
      }
    }
  }
  return bodies;
}

/** The surfaces (path list) whose body contains any of `needles`. */
export function leaks(surfaces: ReadonlyMap<string, string>, needles: readonly string[]): string[] {
  const found: string[] = [];
  for (const [path, body] of surfaces) {
    for (const needle of needles) if (body.includes(needle)) found.push(`${path} contains "${needle}"`);
  }
  return found;
}
