/**
 * Statuspage's management API v1 on 127.0.0.1, built from the documented shapes
 * (shared/reference/statuspage.md §3): `Authorization: OAuth <key>`, pages of `limit`/`per_page`
 * (at most 100, a short page is the last), incidents newest first with their updates newest
 * first, and its rate limit — `limit` requests in a rolling window, then 429 (or 420, as it also
 * answers) with `Retry-After`. Not a test file itself; the bench uses it too.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

type Json = Record<string, any>;

export interface StatuspageData {
  page: Json;
  components: Json[];
  /** Newest first, as Statuspage lists them. */
  incidents: Json[];
  subscribers: Json[];
}

export class FakeStatuspage {
  url = "";
  requests = 0;
  limited = 0;
  private server: Server | null = null;
  private readonly recent: number[] = [];

  readonly data: StatuspageData;
  readonly options: { apiKey: string; rateLimit?: { requests: number; windowMs: number } };

  constructor(data: StatuspageData, options: { apiKey: string; rateLimit?: { requests: number; windowMs: number } } = { apiKey: "sp-key" }) {
    this.data = data;
    this.options = options;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.requests++;
      const url = new URL(req.url ?? "/", "http://fake");
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { "Content-Type": "application/json", ...headers });
        res.end(JSON.stringify(body));
      };
      if (req.headers.authorization !== `OAuth ${this.options.apiKey}`) return send(401, { message: "Could not authenticate" });
      const limit = this.options.rateLimit;
      if (limit) {
        const now = Date.now();
        while (this.recent.length > 0 && this.recent[0]! <= now - limit.windowMs) this.recent.shift();
        if (this.recent.length >= limit.requests) {
          this.limited++;
          // Statuspage answers 420 or 429 when the limit is exceeded; both are exercised.
          return send(this.limited % 2 ? 429 : 420, { message: "Rate limit exceeded" }, { "Retry-After": "1" });
        }
        this.recent.push(now);
      }
      const m = /^\/v1\/pages\/([^/]+)(\/[a-z_-]+)?(?:\.json)?$/.exec(url.pathname);
      if (!m || m[1] !== this.data.page.id) return send(404, { message: "Page not found" });
      const pageOf = (items: Json[], sizeParam: string) => {
        const size = Math.min(100, Number(url.searchParams.get(sizeParam) ?? 100));
        const page = Math.max(1, Number(url.searchParams.get("page") ?? 1));
        return items.slice((page - 1) * size, page * size);
      };
      switch (m[2]) {
        case undefined:
          return send(200, this.data.page);
        case "/components":
          return send(200, pageOf(this.data.components, "per_page"));
        case "/incidents":
          return send(200, pageOf(this.data.incidents, "limit"));
        case "/subscribers": {
          const wanted = this.data.subscribers.filter((s) => url.searchParams.get("state") !== "active" || s.state === "active");
          return send(200, pageOf(wanted, "limit"));
        }
        default:
          return send(404, { message: "Not found" });
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/v1`;
  }

  async close(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

const pad = (n: number, width = 12) => n.toString(36).padStart(width, "0");

/**
 * A page with `incidents` resolved incidents (`updatesEach` updates each, over the last years),
 * a scheduled maintenance, three components in a group and one alone, and `subscribers` active
 * email subscribers (plus a few unconfirmed ones Statuspage would not list as active).
 */
export function statuspageFixture(o: { incidents: number; updatesEach: number; subscribers: number; now?: number }): StatuspageData {
  const now = o.now ?? Date.now();
  const at = (ms: number) => new Date(ms).toISOString();
  const components: Json[] = [
    { id: "grp000000001", name: "Core", group: true, components: ["cmp000000001", "cmp000000002"], position: 1, status: "operational", created_at: at(now - 400 * 86_400_000), updated_at: at(now) },
    { id: "cmp000000001", name: "API", group: false, group_id: "grp000000001", position: 2, status: "operational", description: "The REST API", showcase: true, created_at: at(now - 400 * 86_400_000), updated_at: at(now) },
    { id: "cmp000000002", name: "Database", group: false, group_id: "grp000000001", position: 3, status: "degraded_performance", showcase: true, created_at: at(now - 400 * 86_400_000), updated_at: at(now) },
    { id: "CDN-not-ours", name: "CDN", group: false, group_id: null, position: 4, status: "operational", showcase: true, created_at: at(now - 400 * 86_400_000), updated_at: at(now) },
  ];
  const incidents: Json[] = [];
  const statuses = ["investigating", "identified", "monitoring", "resolved"];
  const impacts = ["critical", "major", "minor", "none"];
  for (let i = 0; i < o.incidents; i++) {
    // Spread over the past, newest first; the first one three days ago.
    const start = now - 3 * 86_400_000 - i * 6 * 3_600_000;
    const id = `inc${pad(i, 9)}`;
    const updates: Json[] = [];
    for (let u = 0; u < o.updatesEach; u++) {
      const status = u === o.updatesEach - 1 ? "resolved" : statuses[Math.min(2, Math.floor((u * 3) / Math.max(1, o.updatesEach - 1)))]!;
      const created = at(start + u * 10 * 60_000);
      updates.push({
        id: `upd${pad(i * 100 + u, 9)}`, incident_id: id, status, body: `Update ${u + 1} of incident ${i + 1}: **${status}**.`,
        created_at: created, display_at: created, updated_at: created, deliver_notifications: true,
        affected_components: u === 0 ? [{ code: "cmp000000001", name: "API", old_status: "operational", new_status: i % 2 ? "partial_outage" : "major_outage" }]
          : u === o.updatesEach - 1 ? [{ code: "cmp000000001", name: "API", old_status: i % 2 ? "partial_outage" : "major_outage", new_status: "operational" }] : null,
      });
    }
    updates.reverse();
    const resolved = at(start + (o.updatesEach - 1) * 10 * 60_000);
    incidents.push({
      id, name: `Incident ${i + 1}: API errors`, status: "resolved", impact: impacts[i % 4], created_at: at(start), updated_at: resolved,
      monitoring_at: null, resolved_at: resolved, shortlink: `https://stspg.io/${id}`, scheduled_for: null, scheduled_until: null,
      page_id: "page00000001", components: [components[1]], incident_updates: updates,
      postmortem_body: i === 0 ? "## What happened\n\nThe connection pool ran out." : null,
      postmortem_published_at: i === 0 ? at(start + 86_400_000) : null, postmortem_body_last_updated_at: i === 0 ? at(start + 86_400_000) : null,
    });
  }
  // A maintenance next week, newest of all.
  const soon = now + 7 * 86_400_000;
  incidents.unshift({
    id: "mnt000000001", name: "Database upgrade", status: "scheduled", impact: "maintenance", created_at: at(now - 3_600_000), updated_at: at(now - 3_600_000),
    scheduled_for: at(soon), scheduled_until: at(soon + 2 * 3_600_000), scheduled_auto_in_progress: true, scheduled_auto_completed: true,
    components: [components[2]], shortlink: "https://stspg.io/mnt000000001", page_id: "page00000001",
    incident_updates: [{ id: "updmnt000001", status: "scheduled", body: "Brief read-only periods.", created_at: at(now - 3_600_000), display_at: at(now - 3_600_000), affected_components: null }],
  });
  const subscribers: Json[] = [];
  for (let s = 0; s < o.subscribers; s++) {
    subscribers.push({ id: `sub${pad(s, 9)}`, email: `Person${s}@Example.com`, mode: "email", state: "active", components: s % 3 === 0 ? ["cmp000000001"] : [], created_at: at(now - s * 60_000) });
  }
  subscribers.push({ id: "sub-pending1", email: "unconfirmed@example.com", mode: "email", state: "unconfirmed", components: [], created_at: at(now) });
  return { page: { id: "page00000001", name: "Acme (Statuspage)", url: "https://status.acme.example", time_zone: "America/New_York" }, components, incidents, subscribers };
}
