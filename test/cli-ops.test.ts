import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { testServerConfig } from "./harness.ts";
import { startServer, type RunningServer } from "../api/server.ts";

/**
 * The CLI's operations commands end to end, as test/cli.test.ts does: a real Herald on a free
 * port and bin/herald.ts as a child process. --next-update, the role flags, `incident set`, and
 * `drill start | end | report | list`.
 */

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SLOW = { timeout: 60_000 };

let dir: string;
let server: RunningServer;
let token: string;

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function herald(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const merged = { PATH: process.env.PATH ?? "", HERALD_URL: server.url, HERALD_TOKEN: token, DATABASE_URL: `file:${join(dir, "herald.db")}`, ...env };
  return new Promise((resolve) => {
    execFile(process.execPath, ["bin/herald.ts", ...args], { cwd: ROOT, env: merged, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

async function api(path: string): Promise<any> {
  const res = await fetch(`${server.url}/api/v1${path}`, { headers: { Authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return res.json();
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "herald-cli-ops-"));
  server = await startServer(testServerConfig(dir), {
    hostname: "127.0.0.1", log: () => {}, responseCheckMs: 0, env: { MAIL_DIR: join(dir, "mail"), HERALD_SECRET: "cli-ops-secret-0123456789abcdefghijklmn" },
  });
  const created = await herald(["keys", "create", "--name", "Ada Admin", "--role", "admin"], { HERALD_TOKEN: "" });
  token = created.stdout.trim();
}, 60_000);

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("herald incident (operations flags)", SLOW, () => {
  test("create takes --next-update, --started and the role flags; set changes and clears roles", async () => {
    const before = Date.now();
    const created = await herald([
      "incident", "create", "SEV2", "Checkout errors", "--body", "Investigating.", "--next-update", "30m",
      "--started", "2020-01-01T00:00:00Z", "--commander", "@alice", "--bridge", "https://zoom.us/j/1", "--channel", "#inc-1",
    ]);
    expect(created.code, created.stderr).toBe(0);
    const id = /incident ([0-9a-z]{12})/.exec(created.stdout)![1]!;
    expect(created.stdout).toContain("team: incident commander @alice · bridge https://zoom.us/j/1 · channel #inc-1");
    expect(created.stdout).toMatch(/next update promised by \d{4}-\d\d-\d\d \d\d:\d\dZ/);
    expect(created.stdout).toContain("LAPSE: first update late");
    const record = await api(`/incidents/${id}`);
    const promised = Date.parse(record.next_update_at);
    expect(promised).toBeGreaterThanOrEqual(before + 30 * 60_000 - 1000);
    expect(promised).toBeLessThanOrEqual(Date.now() + 30 * 60_000);
    expect(record).toMatchObject({ started_at: "2020-01-01T00:00:00.000Z", incident_commander: "@alice", channel: "#inc-1" });

    const set = await herald(["incident", "set", id, "--commander", "", "--scribe", "@sam", "--severity", "sev1"]);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain(`Changed incident ${id} "Checkout errors" — SEV1 investigating`);
    expect(await api(`/incidents/${id}`)).toMatchObject({ severity: "SEV1", incident_commander: null, scribe: "@sam" });

    const update = await herald(["incident", "update", id, "--status", "identified", "--body", "Found.", "--next-update", "14:30Z"]);
    expect(update.code, update.stderr).toBe(0);
    expect((await api(`/incidents/${id}`)).next_update_at).toMatch(/T14:30:00\.000Z$/);
  });

  test("refuses a bad --next-update, an empty set and a past promise", async () => {
    const bad = await herald(["incident", "create", "SEV1", "X", "--body", "Y", "--next-update", "soonish"]);
    expect(bad).toMatchObject({ code: 2, stdout: "" });
    expect(bad.stderr).toContain('--next-update takes 30m, 1h30m, 14:30');
    const empty = await herald(["incident", "set", "abcdefabcdef"]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain("nothing to change");
    const past = await herald(["incident", "create", "SEV1", "X", "--body", "Y", "--next-update", "2020-01-01T00:00:00Z"]);
    expect(past.code).toBe(1);
    expect(past.stderr).toContain("The next update must be promised for a time in the future.");
    expect((await api("/incidents")).filter((i: { name: string }) => i.name === "X")).toEqual([]);
  });
});

describe("herald drill", SLOW, () => {
  test("start prints the preview; updates work as usual; end resolves it and prints the report", async () => {
    const start = await herald(["drill", "start", "SEV1", "Simulated database failure", "--commander", "@alice", "--next-update", "15m"]);
    expect(start.code, start.stderr).toBe(0);
    const out = start.stdout.split("\n");
    const id = /^Started SEV1 drill ([0-9a-z]{12}) "Simulated database failure" — investigating$/.exec(out[0]!)![1]!;
    expect(out[1]).toMatch(/^preview \(unlisted, for the team only\): https:\/\/status\.example\.com\/preview\/[0-9a-f]{32}$/);
    expect(start.stdout).toContain(`end it:    herald drill end ${id}`);
    const drill = await api(`/incidents/${id}`);
    expect(drill).toMatchObject({ drill: true, incident_commander: "@alice" });
    expect(drill.incident_updates[0].body).toBe('Practice incident: we are rehearsing our response to "Simulated database failure".');

    const update = await herald(["incident", "update", id, "--status", "identified", "--body", "Primary lost its disk."]);
    expect(update.code, update.stderr).toBe(0);
    // A drill's public address would be a 404: the update points at the preview instead.
    expect(update.stdout).toMatch(/\npreview \(unlisted, for the team only\): https:\/\/status\.example\.com\/preview\/[0-9a-f]{32}\n/);
    expect(update.stdout).not.toContain(`/incidents/${id}`);

    const list = await herald(["drill", "list"]);
    expect(list.stdout).toContain(`[DRILL] Simulated database failure`);
    expect(list.stdout).not.toContain("Checkout errors");

    const end = await herald(["drill", "end", id]);
    expect(end.code, end.stderr).toBe(0);
    const report = end.stdout.split("\n");
    expect(report[0]).toBe(`Drill ${id} "Simulated database failure" — SEV1, resolved`);
    expect(report[1]).toMatch(/^target: first public update Immediate \(< 15 minutes\) \(due \d{4}-\d\d-\d\d \d\d:\d\dZ\)$/);
    expect(report[2]).toMatch(/^first update: {2}\d+s {2}MET$/);
    expect(report[3]).toMatch(/^identified: {4}\d+s$/);
    expect(report[4]).toBe("monitoring:    -");
    expect(report[5]).toMatch(/^resolved: {6}\d+s$/);
    expect(report[6]).toBe("next-update promises: 1 made, 1 kept, 0 broken");
    expect((await api(`/incidents/${id}`)).status).toBe("resolved");

    const again = await herald(["drill", "report", id, "--json"]);
    expect(JSON.parse(again.stdout)).toMatchObject({ incident_id: id, complete: true, first_update: { met: true } });
  });

  test("end refuses a real incident", async () => {
    const real = await herald(["incident", "create", "SEV3", "Real one", "--body", "Real."]);
    const id = /incident ([0-9a-z]{12})/.exec(real.stdout)![1]!;
    const end = await herald(["drill", "end", id]);
    expect(end).toEqual({ code: 1, stdout: "", stderr: `herald: incident ${id} is not a drill; resolve real incidents with: herald incident resolve ${id}\n` });
    expect((await api(`/incidents/${id}`)).status).toBe("investigating");
  });
});

describe("herald alerts and incident publish", SLOW, () => {
  test("a rule added by the CLI opens a draft from an alert; the CLI lists it and publishes it", async () => {
    expect((await herald(["component", "add", "Search"])).code).toBe(0);
    const added = await herald(["alerts", "rules", "add", "search-slow", "--match", "alertname=~Search.*", "--match", "env!=staging", "--component", "Search", "--status", "degraded_performance", "--template", "database-outage", "--hold-down", "60"]);
    expect(added, added.stderr).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Added alert rule search-slow \([0-9a-z]{12}\), tried first\n$/) });
    const rules = await herald(["alerts", "rules"]);
    expect(rules.stdout).toContain("search-slow");
    expect(rules.stdout).toContain("alertname=~Search.* env!=staging");
    expect(rules.stdout).toContain("60s");
    const bad = await herald(["alerts", "rules", "add", "x", "--component", "Search", "--match", "no operator"]);
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringContaining("--match takes label=value") });

    const automation = (await herald(["keys", "create", "--name", "Prometheus", "--role", "automation"], { HERALD_TOKEN: "" })).stdout.trim();
    const fired = await fetch(`${server.url}/api/v1/alerts/alertmanager`, {
      method: "POST",
      headers: { Authorization: `Bearer ${automation}`, "Content-Type": "application/json" },
      body: JSON.stringify({ version: "4", status: "firing", alerts: [{ status: "firing", labels: { alertname: "SearchLatency", env: "prod" }, startsAt: new Date().toISOString(), fingerprint: "cli0000000000001" }] }),
    });
    const report = await fired.json();
    expect(report.moves).toHaveLength(1);
    const draftId = report.drafts[0];
    expect((await herald(["alerts", "list"])).stdout).toMatch(/firing\s+SearchLatency\s+alertmanager\s+degraded_performance\s+search-slow/);
    expect((await herald(["incident", "list"])).stdout).toContain(`[DRAFT] Database outage`);

    const published = await herald(["incident", "publish", draftId, "--name", "Search is slow", "--body", "Searches take longer than usual; we are on it."]);
    expect(published, published.stderr).toMatchObject({ code: 0 });
    expect(published.stdout).toContain(`Published incident ${draftId} "Search is slow" — investigating`);
    const incident = await api(`/incidents/${draftId}`);
    expect(incident).toMatchObject({ draft: false, name: "Search is slow" });
    const again = await herald(["incident", "publish", draftId]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("already public");

    expect((await herald(["alerts", "rules", "rm", "search-slow"])).stdout).toBe("Deleted alert rule search-slow\n");
    expect((await herald(["alerts", "rules", "rm", "search-slow"])).code).toBe(1);
  });
});

describe("herald report", SLOW, () => {
  test("prints the response report per severity and month; --json gives the API's; a bad day is a usage error", async () => {
    const declared = await herald(["incident", "create", "SEV2", "Report me", "--body", "Looking."]);
    expect(declared.code, declared.stderr).toBe(0);
    const printed = await herald(["report"]);
    expect(printed.code, printed.stderr).toBe(0);
    const out = printed.stdout.split("\n");
    expect(out[0]).toMatch(/^Response report \d{4}-\d{2}-\d{2} → \d{4}-\d{2}-\d{2} \(Etc\/UTC\); targets: SEV1 Immediate \(< 15 minutes\), SEV2 30 minutes, SEV3 2 hours, SEV4 Next business day$/);
    expect(out[2]).toMatch(/^\s+INCIDENTS\s+1ST UPDATE MED\/P90\s+MET\/MISSED/);
    expect(out.find((l) => l.startsWith("SEV2"))).toMatch(/^SEV2\s+\d+\s+/);
    expect(printed.stdout).toContain("By month:");
    const json = await herald(["report", "--json", "--from", "2001-01-01", "--to", "2001-01-31"]);
    expect(JSON.parse(json.stdout)).toMatchObject({ from: "2001-01-01", to: "2001-01-31", by_month: [], drills: { count: 0 } });
    const bad = await herald(["report", "--from", "last week"]);
    expect(bad).toMatchObject({ code: 2, stdout: "" });
    expect(bad.stderr).toContain("--from takes a day as YYYY-MM-DD");
  });
});

describe("herald actions", SLOW, () => {
  test("lists open and overdue action items and marks one done by its INC-…/position id", async () => {
    const created = await herald(["incident", "create", "SEV2", "Actions walk", "--body", "Looking."]);
    const id = /incident ([0-9a-z]{12})/.exec(created.stdout)![1]!;
    await herald(["incident", "resolve", id, "--body", "Fixed."]);
    const res = await fetch(`${server.url}/api/v1/incidents/${id}/postmortem`, {
      method: "PUT", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ body: "What happened.", action_items: [{ description: "Old promise", owner: "@alice", due_date: "2020-01-02" }, { description: "Later", due_date: "2099-01-01" }] }),
    });
    expect(res.status).toBe(200);
    const number = (await api(`/incidents/${id}`)).number;
    const overdue = await herald(["actions", "list", "--overdue"]);
    expect(overdue.stdout).toMatch(new RegExp(`${number}\\.1\\s+2020-01-02 OVERDUE\\s+@alice\\s+Old promise\\s+Actions walk`));
    expect(overdue.stdout).not.toContain("Later");
    const done = await herald(["actions", "done", `${number}.1`]);
    expect(done, done.stderr).toMatchObject({ code: 0, stdout: `Done: ${number}.1 Old promise (@alice)\n` });
    expect((await herald(["actions", "list", "--overdue"])).stdout).not.toContain(`${number}.1`);
    expect((await herald(["actions", "list", "--done"])).stdout).toContain(`${number}.1`);
    expect(await herald(["actions", "done", "nonsense"])).toMatchObject({ code: 2 });
    expect((await herald(["actions", "done", `${number}.7`])).code).toBe(1);
  });
});
