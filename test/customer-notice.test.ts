/**
 * The seed's customer notice end to end: a real server, the real API, the published page and feeds,
 * and the [RESOLVED] mail through the Resend SDK to a local fake, read as a customer reads them.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Parser from "rss-parser";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startServer, type RunningServer } from "../api/server.ts";
import { createKey } from "../api/service/keys.ts";
import { FakeResend } from "./fake-resend.ts";
import { callServer, expectProblem, TestClock, testServerConfig, mailDrained } from "./harness.ts";
import { parseHtml } from "./html.ts";
import { addSubscriber } from "./mail-helpers.ts";

type Json = Record<string, any>;

let dir: string;
let server: RunningServer;
let fake: FakeResend;
let token: string;
let apiComponent: string;
let incidentId: string;
const clock = new TestClock();
const MIN = 60_000;

const api = (method: string, path: string, body?: unknown): Promise<Json> => callServer(server.url, token, method, `/api/v1${path}`, body);
const send = (method: string, path: string, body: unknown) =>
  fetch(`${server.url}/api/v1${path}`, { method, headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, body: JSON.stringify(body) });
const get = (path: string) => fetch(`${server.url}${path}`);

const mailTo = (subjectStart: string) => fake.deliveries.filter((d) => d.email.subject.startsWith(subjectStart));

// The seed's example (shared/seed/incident-management.md, Customer Communication Template).
const NOTICE = {
  impact: "- API errors for 10% of requests\n- Average latency increased from 200ms to 2s\n- No data loss occurred",
  root_cause: "Database connection pool exhaustion due to traffic spike",
  resolution: "- Scaled database connection pools\n- Implemented better connection management\n- Added auto-scaling triggers",
  prevention: "- Enhanced monitoring and alerting\n- Implemented circuit breakers\n- Scheduled capacity review <script>alert(1)</script>",
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "herald-notice-"));
  fake = new FakeResend();
  await fake.start();
  clock.set("2024-01-15T14:05:00.000Z");
  server = await startServer(testServerConfig(dir, { PAGE_NAME: "Example", PAGE_TIME_ZONE: "Etc/UTC" }), {
    hostname: "127.0.0.1",
    log: () => {},
    clock,
    env: {
      RESEND_API_KEY: "re_test", RESEND_BASE_URL: fake.url, HERALD_SECRET: "notice-secret-0123456789abcdefghijklmn", MAIL_RATE_LIMIT: "50",
      SUPPORT_EMAIL: "support@example.com",
    },
  });
  await server.ready;
  const db = server.deps!.db;
  token = await db.write(async (tx) => (await createKey({ tx, actor: { id: null, name: "test", role: "admin" }, now: clock.now().toISOString(), hooks: {} }, "Ada", "admin")).token);
  apiComponent = (await api("POST", "/components", { name: "API Service" })).id;
  await api("POST", "/components", { name: "Dashboard" });
  await addSubscriber(db, "customer@example.com");

  // The seed's timeline: 14:05 investigating, 14:15 identified, 14:30 monitoring, 15:00 resolved.
  incidentId = (await api("POST", "/incidents", { name: "API Service Disruption", severity: "SEV2", body: "We're investigating reports of API errors", components: { [apiComponent]: "partial_outage" } })).id;
  clock.advance(10 * MIN);
  await api("POST", `/incidents/${incidentId}/updates`, { status: "identified", body: "Database connection issues identified", components: { [apiComponent]: "major_outage" } });
  clock.advance(15 * MIN);
  await api("POST", `/incidents/${incidentId}/updates`, { status: "monitoring", body: "Failover completed, monitoring recovery" });
});

afterAll(async () => {
  await server?.close();
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the customer notice on the resolving update", () => {
  test("sections belong on the resolving update only: anywhere else is a 422 that changes nothing", async () => {
    const before = await api("GET", `/incidents/${incidentId}`);
    const res = await send("POST", `/incidents/${incidentId}/updates`, { status: "monitoring", body: "Still watching.", root_cause: "A spike" });
    const problem = await expectProblem(res, 422);
    expect(problem.errors).toEqual([{ field: "root_cause", message: expect.stringMatching(/only the resolving update/) }]);
    expect((await api("GET", `/incidents/${incidentId}`)).incident_updates).toHaveLength(before.incident_updates.length);
    // Blank words are refused as any empty field is.
    await expectProblem(await send("POST", `/incidents/${incidentId}/updates`, { status: "resolved", body: "Done.", impact: "   " }), 422);
  });

  test("resolving with the seed's sections: the management API returns them on the update", async () => {
    clock.set("2024-01-15T15:00:00.000Z");
    const resolved = await api("POST", `/incidents/${incidentId}/updates`, { status: "resolved", body: "All services restored.", ...NOTICE });
    const newest = resolved.incident_updates[0];
    expect(newest.status).toBe("resolved");
    expect({ impact: newest.impact, root_cause: newest.root_cause, resolution: newest.resolution, prevention: newest.prevention }).toEqual(NOTICE);
    expect(resolved.incident_updates[1].root_cause).toBeNull();
    await server.publisher!.idle();
    await mailDrained(server.deps!.db);
  });

  test("the [RESOLVED] mail reads like the seed's example, section by section", async () => {
    const [mail] = mailTo("[RESOLVED]");
    expect(mail!.email.subject).toBe("[RESOLVED] API Service Disruption - Jan 15, 2024");
    const text = mail!.email.text!;
    const order = [
      "Dear Customers,",
      "All services restored.",
      "SUMMARY:",
      "Between 14:05 and 15:00 UTC today (55 min), API Service (Major Outage) was affected.",
      "IMPACT:",
      "- API errors for 10% of requests",
      "ROOT CAUSE:",
      "Database connection pool exhaustion due to traffic spike",
      "RESOLUTION:",
      "- Scaled database connection pools",
      "PREVENTION:",
      "- Scheduled capacity review <script>alert(1)</script>",
      "We apologize for the disruption.",
      "Please contact support@example.com with any questions.",
      `View incident: https://status.example.com/incidents/${incidentId}`,
    ];
    let at = -1;
    for (const line of order) {
      const next = text.indexOf(line, at + 1);
      expect(next, `"${line}" after position ${at} in:\n${text}`).toBeGreaterThan(at);
      at = next;
    }
    const html = parseHtml(mail!.email.html!);
    expect(html.text).toContain("SUMMARY: Between 14:05 and 15:00 UTC today (55 min), API Service (Major Outage) was affected.");
    expect(html.all("li").map((li) => li.text)).toEqual(expect.arrayContaining(["API errors for 10% of requests", "Implemented circuit breakers"]));
    expect(html.all("script")).toHaveLength(0);
    expect(html.links()).toEqual(expect.arrayContaining([{ href: "mailto:support@example.com", text: "support@example.com" }]));
  });

  test("earlier updates' mails carry no empty headings, only the contact line", async () => {
    const [identified] = mailTo("[IDENTIFIED]");
    const text = identified!.email.text!;
    for (const heading of ["SUMMARY", "IMPACT", "ROOT CAUSE", "RESOLUTION", "PREVENTION", "We apologize"]) expect(text).not.toContain(heading);
    expect(text).toContain("Please contact support@example.com with any questions.");
  });

  test("the incident page shows the sections under the final update, the summary in the page's zone", async () => {
    const page = parseHtml(await (await get(`/incidents/${incidentId}`)).text());
    const [notice] = page.all("dl");
    expect(notice!.text).toBe(
      [
        "Summary Between 14:05 and 15:00 UTC on Jan 15, 2024 (55 min), API Service (Major Outage) was affected.",
        "Impact API errors for 10% of requests Average latency increased from 200ms to 2s No data loss occurred",
        "Root cause Database connection pool exhaustion due to traffic spike",
        "Resolution Scaled database connection pools Implemented better connection management Added auto-scaling triggers",
        "Prevention Enhanced monitoring and alerting Implemented circuit breakers Scheduled capacity review <script>alert(1)</script>",
      ].join(" "),
    );
    expect(page.all("dl")).toHaveLength(1);
    expect(page.all("script").every((s) => !s.text.includes("alert"))).toBe(true);
  });

  test("the RSS and Atom items of the resolution carry the sections", async () => {
    for (const path of ["/history.rss", "/history.atom"]) {
      const feed = await new Parser().parseString(await (await get(path)).text());
      const item = feed.items.find((i) => i.title === "API Service Disruption — Resolved")!;
      const html = parseHtml(item.content ?? item.contentSnippet ?? "");
      expect(html.text).toContain("All services restored. Summary Between 14:05 and 15:00 UTC on Jan 15, 2024 (55 min)");
      expect(html.text).toContain("Root cause Database connection pool exhaustion due to traffic spike");
      expect(html.all("script")).toHaveLength(0);
      const monitoring = feed.items.find((i) => i.title === "API Service Disruption — Monitoring")!;
      expect(parseHtml(monitoring.content ?? "").text).not.toContain("Summary");
    }
  });

  test("an incident declared already resolved (told afterwards) may carry the sections too", async () => {
    const declared = await api("POST", "/incidents", {
      name: "Overnight export delays", severity: "SEV3", status: "resolved", body: "Exports ran late overnight; all caught up.",
      started_at: new Date(clock.now().getTime() - 2 * 3_600_000).toISOString(), root_cause: "A stuck queue worker", deliver_notifications: false,
    });
    expect(declared.incident_updates[0]).toMatchObject({ status: "resolved", root_cause: "A stuck queue worker", impact: null });
  });

  test("a resolution without sections mails the summary across days, with dates, and shows no sections on the page", async () => {
    clock.set("2024-01-16T23:40:00.000Z");
    const id = (await api("POST", "/incidents", { name: "Night batch delays", severity: "SEV3", body: "Batches are late." })).id;
    clock.set("2024-01-17T01:10:00.000Z");
    await api("POST", `/incidents/${id}/updates`, { status: "resolved", body: "Batches caught up." });
    await server.publisher!.idle();
    await mailDrained(server.deps!.db);
    const [mail] = mailTo("[RESOLVED] Night batch delays");
    expect(mail!.email.text).toContain("Between Jan 16, 2024, 23:40 and Jan 17, 2024, 01:10 UTC (1 h 30 min), our service was affected.");
    expect(mail!.email.text).not.toContain("IMPACT:");
    expect(parseHtml(await (await get(`/incidents/${id}`)).text()).all("dl")).toHaveLength(0);
  });
});
