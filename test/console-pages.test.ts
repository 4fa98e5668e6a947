/**
 * Everything the CLI can do, from the console: maintenance, postmortems, drills, templates,
 * components, API keys and webhook subscriptions — on a real listening server, through the pages'
 * own forms (CSRF token, form id, the page's Origin), with the results read back through the API
 * and the published site. The page is in America/New_York, so times typed in the forms are that zone's.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startServer, type RunningServer } from "../api/server.ts";
import { createKey } from "../api/service/keys.ts";
import { addMember, createSignInToken } from "../api/service/members.ts";
import type { WriteContext } from "../api/service/context.ts";
import { instantOfWallClock } from "../domain/time.ts";
import { consoleClient } from "./console-client.ts";
import { callServer, snapshotDatabase, testServerConfig, deliveriesSettled } from "./harness.ts";

let dir: string;
let server: RunningServer;
let apiToken: string;
let admin: string;
let comms: string;
const TZ = "America/New_York";
const browser = consoleClient(() => server.url, "https://status.example.com");
const { send, page, post } = browser;

const setup = { id: null, name: "setup", role: "admin" as const };
const write = <T>(work: (ctx: WriteContext) => Promise<T>): Promise<T> =>
  server.deps!.db.write((tx) => work({ tx, actor: setup, now: new Date().toISOString(), hooks: {} }));

async function member(name: string, role: "admin" | "comms"): Promise<string> {
  const m = await write((ctx) => addMember(ctx, { name, email: `${name.toLowerCase()}@example.com`, role }));
  return browser.signIn(`/console/sign-in/${(await write((ctx) => createSignInToken(ctx, m.id))).token}`);
}

const api = (method: string, path: string, body?: unknown) => callServer(server.url, apiToken, method, path, body);
const located = (res: Response) => {
  expect(res.status).toBe(303);
  return res.headers.get("location")!;
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "herald-console-pages-"));
  server = await startServer(testServerConfig(dir, { PAGE_NAME: "Example", PAGE_TIME_ZONE: TZ }), { hostname: "127.0.0.1", log: () => {}, env: { MAIL_DIR: join(dir, "mail") } });
  await server.ready;
  apiToken = await write(async (ctx) => (await createKey(ctx, "Setup", "admin")).token);
  admin = await member("Ada", "admin");
  comms = await member("Cole", "comms");
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("components and groups (admins)", () => {
  test("an admin adds components into a new group and sets a status; the API and the page show them; a comms member gets 403", async () => {
    for (const [name, group] of [["Web app", "Frontend"], ["Mobile app", "Frontend"], ["Database", ""]] as const) {
      expect(located(await post("/console/components", admin, "/console/components", { name, group, status: "operational", showcase: "on" }))).toBe("/console/components");
    }
    const components = (await api("GET", "/api/v1/components")) as { id: string; name: string; group_id: string | null; group: boolean }[];
    const frontend = components.find((c) => c.name === "Frontend")!;
    expect(frontend.group).toBe(true);
    expect(components.filter((c) => c.group_id === frontend.id).map((c) => c.name).sort()).toEqual(["Mobile app", "Web app"]);
    const db = components.find((c) => c.name === "Database")!;
    const edit = `/console/components/${db.id}`;
    expect(located(await post(edit, admin, edit, { name: "Database", status: "degraded_performance", position: "1" }))).toBe("/console/components");
    expect((await api("GET", "/api/v1/components")).find((c: { id: string }) => c.id === db.id).status).toBe("degraded_performance");
    // A mistake: the error is next to its field, nothing changes.
    await deliveriesSettled(server.deps!.db);
    const before = await snapshotDatabase(server.deps!.db);
    const bad = await post(edit, admin, edit, { name: "", status: "operational" });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toMatch(/id="err-name"/);
    expect(await snapshotDatabase(server.deps!.db)).toBe(before);
    // Comms: no admin pages, and no admin links in the navigation.
    for (const path of ["/console/components", "/console/members", "/console/keys", "/console/webhooks"]) expect((await send(path, { cookie: comms })).status).toBe(403);
    const nav = (await page("/console", comms)).links().map((l) => l.text);
    expect(nav).toEqual(expect.arrayContaining(["Now", "Incidents", "Maintenance", "Drills", "Templates"]));
    expect(nav).not.toContain("API keys");
    const forged = await send("/console/components", { method: "POST", cookie: comms, form: { name: "X" } });
    expect(forged.status).toBe(403);
    await expect(api("PATCH", `/api/v1/components/${db.id}`, { status: "operational" })).resolves.toBeTruthy();
  });
});

describe("maintenance", () => {
  test("scheduled in the page's zone, previewed, written once, moved along; a completed window offers no more moves", async () => {
    const db = (await api("GET", "/api/v1/components")).find((c: { name: string }) => c.name === "Database").id as string;
    const fields = { name: "Database upgrade", starts: "2031-03-09T01:30", ends: "2031-03-09T04:00", [`component:${db}`]: "on", body: "Upgrading the **database**.", notify: "on", auto_start: "on", auto_complete: "on" };
    await deliveriesSettled(server.deps!.db);
    const before = await snapshotDatabase(server.deps!.db);
    const preview = await post("/console/maintenances", comms, "/console/maintenances", { ...fields, action: "preview" });
    expect(preview.status).toBe(200);
    expect(await preview.text()).toContain("Preview: nothing is posted yet");
    expect(await snapshotDatabase(server.deps!.db)).toBe(before);

    const form = { ...(await browser.formFields("/console/maintenances", comms, "/console/maintenances")), ...fields, action: "post" };
    const first = located(await send("/console/maintenances", { method: "POST", cookie: comms, form }));
    expect(located(await send("/console/maintenances", { method: "POST", cookie: comms, form }))).toBe(first); // a double submit writes once
    const id = first.split("/").pop()!;
    const scheduled = await api("GET", `/api/v1/maintenances/${id}`);
    // 01:30 EST and 04:00 EDT: the night the clocks go forward in New York.
    expect(scheduled).toMatchObject({ name: "Database upgrade", status: "scheduled", scheduled_for: "2031-03-09T06:30:00.000Z", scheduled_until: "2031-03-09T08:00:00.000Z" });
    expect(scheduled.scheduled_for).toBe(instantOfWallClock("2031-03-09T01:30", TZ));
    expect(scheduled.incident_updates[0].author).toBe("Cole");
    expect((await api("GET", "/api/v1/maintenances?status=open")).filter((m: { name: string }) => m.name === "Database upgrade")).toHaveLength(1);

    // The window's own page offers the lifecycle's moves only.
    const offered = (await page(first, comms)).all("option").map((o) => o.attrs.value);
    expect(offered.filter((v) => ["scheduled", "in_progress", "verifying", "completed"].includes(v ?? ""))).toEqual(["scheduled", "in_progress", "verifying", "completed"]);
    expect(located(await post(first, comms, first, { status: "in_progress", body: "Work has begun.", notify: "on" }))).toBe(first);
    expect((await api("GET", `/api/v1/components`)).find((c: { id: string }) => c.id === db).status).toBe("under_maintenance");
    expect(located(await post(first, comms, first, { status: "completed", body: "All done.", notify: "on" }))).toBe(first);
    expect((await api("GET", `/api/v1/components`)).find((c: { id: string }) => c.id === db).status).toBe("operational");
    const done = await page(first, comms);
    expect(done.text).toContain("a completed maintenance is final");
    expect(done.all("select")).toEqual([]);
  });

  test("moved and cancelled from its page: the calendar's sequence grows, a cancelled one says so; a backwards window is refused next to its field", async () => {
    const id = (await api("POST", "/api/v1/maintenances", { name: "Cache flush", body: "Brief slowness.", scheduled_for: "2031-04-01T10:00:00Z", scheduled_until: "2031-04-01T11:00:00Z", component_ids: [] })).id;
    const path = `/console/maintenances/${id}`;
    const backwards = await post(path, comms, `${path}/window`, { starts: "2031-04-02T10:00", ends: "2031-04-02T09:00", change_notify: "on" });
    expect(backwards.status).toBe(422);
    expect(await backwards.text()).toMatch(/id="err-ends"[^>]*>.*Must be later than/);
    expect(located(await post(path, comms, `${path}/window`, { starts: "2031-04-02T10:00", ends: "2031-04-02T12:00", change_body: "Moved a day.", change_notify: "on" }))).toBe(path);
    const moved = await api("GET", `/api/v1/maintenances/${id}`);
    // 10:00 in New York (EDT) is 14:00Z.
    expect(moved).toMatchObject({ scheduled_for: "2031-04-02T14:00:00.000Z", scheduled_until: "2031-04-02T16:00:00.000Z", schedule_sequence: 1 });
    expect(moved.incident_updates[0].body).toBe("Moved a day.");
    expect(located(await post(path, comms, `${path}/cancel`, { cancel_body: "Not needed after all.", cancel_notify: "on" }))).toBe(path);
    const cancelled = await api("GET", `/api/v1/maintenances/${id}`);
    expect(cancelled).toMatchObject({ status: "completed", schedule_sequence: 2 });
    expect(cancelled.cancelled_at).not.toBeNull();
    const shown = await page(path, comms);
    expect(shown.text).toContain("It was cancelled before it began.");
    expect(shown.all("form").filter((f) => f.attrs.action?.startsWith(path))).toEqual([]);
  });

  test("a window that ends before it starts, or a time that is no time, is refused next to its field", async () => {
    await deliveriesSettled(server.deps!.db);
    const before = await snapshotDatabase(server.deps!.db);
    const res = await post("/console/maintenances", comms, "/console/maintenances", { name: "Backwards", starts: "2031-05-01T10:00", ends: "2031-05-01T09:00", body: "x", action: "post" });
    expect(res.status).toBe(422);
    expect(await res.text()).toMatch(/id="err-ends"[^>]*>.*Must be later than/);
    const nonsense = await post("/console/maintenances", comms, "/console/maintenances", { name: "Never", starts: "soon", ends: "2031-05-01T09:00", body: "x", action: "post" });
    expect(nonsense.status).toBe(422);
    expect(await nonsense.text()).toContain('id="err-starts"');
    expect(await snapshotDatabase(server.deps!.db)).toBe(before);
  });
});

describe("postmortems", () => {
  test("the pre-filled draft is saved with its action items; publishing with prompts left is refused until forced; the page and JSON show it", async () => {
    const incident = await api("POST", "/api/v1/incidents", { name: "Login outage", severity: "SEV1", body: "Looking." });
    await api("POST", `/api/v1/incidents/${incident.id}/updates`, { status: "resolved", body: "Fixed." });
    const path = `/console/postmortems/${incident.id}`;
    const draft = await page(path, comms);
    const body = draft.all("textarea")[0]!.text;
    expect(body).toContain("Login outage");
    expect(draft.text).toContain("Not saved yet");
    expect(draft.text).not.toContain("Publish postmortem"); // save first

    const saved = located(await post(path, comms, path, { body, "item-0-description": "Alert on login errors", "item-0-owner": "@ada", "item-0-due": "2031-01-31", "item-2-description": "Write a runbook" }));
    expect(saved).toBe(`${path}?saved=1`);
    const stored = (await api("GET", `/api/v1/incidents/${incident.id}/postmortem`)) as { action_items: unknown[]; published_at: string | null };
    expect(stored.action_items).toEqual([
      { description: "Alert on login errors", owner: "@ada", due_date: "2031-01-31", done: false },
      { description: "Write a runbook", owner: null, due_date: null, done: false },
    ]);
    expect(stored.published_at).toBeNull();

    const publish = `${path}/publish`;
    const refused = await post(path, comms, publish, {});
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain("template&#39;s prompts");
    expect((await api("GET", `/api/v1/incidents/${incident.id}/postmortem`)).published_at).toBeNull();
    expect(located(await post(path, comms, publish, { force: "on", notify: "on" }))).toBe(`${path}?published=1`);
    const published = await api("GET", `/api/v1/incidents/${incident.id}`);
    expect(published.status).toBe("postmortem");
    expect(published.postmortem_body).toContain("Alert on login errors");
    expect((await page(path, comms)).text).toContain("Published");
    // A maintenance has none; an unknown id is a 404 page.
    expect((await send("/console/postmortems/zzzzzzzzzzzz", { cookie: comms })).status).toBe(404);
  });
});

describe("the customer notice", () => {
  test("resolving from the incident page with the notice's sections: a wrong status is refused next to the field; the page shows them", async () => {
    const id = (await api("POST", "/api/v1/incidents", { name: "Checkout errors", severity: "SEV2", body: "Looking into it." })).id;
    const path = `/console/incidents/${id}`;
    expect((await page(path, comms)).text).toContain("Customer notice for the resolution (optional)");
    const refused = await post(path, comms, path, { status: "monitoring", body: "Watching.", root_cause: "A bad deploy", notify: "on", action: "post" });
    expect(refused.status).toBe(422);
    expect(await refused.text()).toMatch(/root_cause: only the resolving update/);
    expect((await api("GET", `/api/v1/incidents/${id}`)).incident_updates).toHaveLength(1);
    expect(located(await post(path, comms, path, { status: "resolved", body: "Fixed.", root_cause: "A bad deploy", prevention: "- Canary deploys", impact: "  ", notify: "on", action: "post" }))).toBe(path);
    const resolved = await api("GET", `/api/v1/incidents/${id}`);
    expect(resolved.incident_updates[0]).toMatchObject({ status: "resolved", root_cause: "A bad deploy", prevention: "- Canary deploys", impact: null });
    const shown = (await page(path, comms)).text;
    // (Its wording in the page's zone is tested with a held clock in test/customer-notice.test.ts.)
    expect(shown).toMatch(/Summary Between [^()]+ E[SD]T[^()]* \([^()]+\), our service was affected\. Root cause A bad deploy Prevention Canary deploys/);
  });
});

describe("follow-through", () => {
  test("postmortems owed, open action items (overdue first) with a Done button, and the response against the targets", async () => {
    const id = (await api("POST", "/api/v1/incidents", { name: "Login failures", severity: "SEV2", body: "Looking." })).id;
    await api("POST", `/api/v1/incidents/${id}/updates`, { status: "resolved", body: "Fixed." });
    await api("PUT", `/api/v1/incidents/${id}/postmortem`, { body: "What happened.", action_items: [{ description: "Add login alerts", owner: "@ada", due_date: "2030-01-01" }, { description: "Rotate the old keys", owner: "@cole", due_date: "2020-01-01" }] });
    const shown = await page("/console/follow-through", comms);
    expect(shown.text).toMatch(/Postmortems owed .*Login failures SEV2 · INC-\d{4}-\d{3} · resolved .* Draft saved/);
    const items = shown.text.slice(shown.text.indexOf("Open action items"));
    // The overdue one first.
    expect(items.indexOf("Rotate the old keys")).toBeLessThan(items.indexOf("Add login alerts"));
    expect(items).toMatch(/Rotate the old keys INC-\d{4}-\d{3}\.2 · @cole Overdue · Jan 1/);
    expect(shown.text).toMatch(/Response, last 90 days .*SEV2 \d+ incidents? /);
    const path = "/console/follow-through";
    expect(located(await post(path, comms, `/console/follow-through/items/${id}/2/done`, {}))).toBe(path);
    const open = await api("GET", "/api/v1/action-items");
    expect(open.filter((i: { incident_id: string }) => i.incident_id === id).map((i: { description: string }) => i.description)).toEqual(["Add login alerts"]);
    expect((await page(path, comms)).text).not.toContain("Rotate the old keys");
  });
});

describe("drills", () => {
  test("a drill started from the Declare form never reaches the page; its report measures the response; ending it resolves it once", async () => {
    const hidden = await browser.formFields("/console/incidents/new", comms, "/console/incidents/new");
    const started = located(await send("/console/incidents/new", { method: "POST", cookie: comms, form: { ...hidden, name: "Drill: payments down", severity: "SEV2", body: "Practice.", drill: "on", notify: "on", action: "post" } }));
    const id = started.split("/").pop()!;
    expect((await page(started, comms)).text).toContain("DRILL");
    expect((await api("GET", `/api/v1/incidents/${id}`)).drill).toBe(true);
    await server.publisher!.idle();
    const incidents = (await (await fetch(`${server.url}/api/v2/incidents.json`)).json()) as { incidents: { id: string }[] };
    expect(incidents.incidents.map((i) => i.id)).not.toContain(id);
    expect((await page("/console/drills", comms)).text).toContain("Drill: payments down");

    const report = `/console/drills/${id}`;
    const before = await page(report, comms);
    expect(before.text).toMatch(/SEV2: first response .* First update .*met the target/);
    expect(located(await post(report, comms, `${report}/end`, {}))).toBe(report);
    // Pressed twice (the second from a stale page): one "resolved" update.
    const csrf = (await browser.formFields(report, comms, "/console/sign-out")).csrf!;
    expect(located(await send(`${report}/end`, { method: "POST", cookie: comms, form: { csrf } }))).toBe(report);
    const ended = await api("GET", `/api/v1/incidents/${id}`);
    expect(ended.status).toBe("resolved");
    expect(ended.incident_updates.filter((u: { status: string }) => u.status === "resolved")).toHaveLength(1);
    expect((await page(report, comms)).text).toContain("The drill has ended");
  });
});

describe("templates", () => {
  test("a comms member adds one, changes it and deletes it; a bad short name is refused next to its field", async () => {
    const bad = await post("/console/templates", comms, "/console/templates", { slug: "Not A Slug", name: "X", severity: "SEV2", body: "x" });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('id="err-slug"');
    expect(located(await post("/console/templates", comms, "/console/templates", { slug: "cdn-outage", name: "CDN outage", title: "Images fail to load", severity: "SEV2", body: "Images are **slow**." }))).toBe("/console/templates");
    expect(await api("GET", "/api/v1/templates/cdn-outage")).toMatchObject({ name: "CDN outage", title: "Images fail to load", severity: "SEV2" });
    const edit = "/console/templates/cdn-outage";
    expect((await page(edit, comms)).all("input").find((i) => i.attrs.name === "title")!.attrs.value).toBe("Images fail to load");
    expect(located(await post(edit, comms, edit, { name: "CDN outage", title: "", severity: "SEV3", body: "Images are slow." }))).toBe("/console/templates");
    expect(await api("GET", "/api/v1/templates/cdn-outage")).toMatchObject({ title: null, severity: "SEV3" });
    expect(located(await post("/console/templates", comms, `${edit}/remove`, {}))).toBe("/console/templates");
    expect((await fetch(`${server.url}/api/v1/templates/cdn-outage`, { headers: { Authorization: `Bearer ${apiToken}` } })).status).toBe(404);
  });
});

describe("alerts", () => {
  test("an admin adds a rule through the form and deletes it; a bad matcher or regex is refused next to its field; a comms member reads but may not change", async () => {
    const component = await api("POST", "/api/v1/components", { name: "Alerts target" });
    const fields = { name: "target-errors", matchers: "alertname=~Target.*\njob=api", [`component:${component.id}`]: "on", status: "partial_outage", template: "", hold_down_seconds: "30" };
    const badLine = await post("/console/alerts", admin, "/console/alerts/rules", { ...fields, matchers: "not a matcher" });
    expect(badLine.status).toBe(422);
    expect(await badLine.text()).toContain('id="err-matchers"');
    const badRegex = await post("/console/alerts", admin, "/console/alerts/rules", { ...fields, matchers: "alertname=~(" });
    expect(badRegex.status).toBe(422);
    expect(await badRegex.text()).toContain("Not a valid regular expression");
    expect(located(await post("/console/alerts", admin, "/console/alerts/rules", fields))).toBe("/console/alerts");
    const [rule] = await api("GET", "/api/v1/alerts/rules");
    expect(rule).toMatchObject({ name: "target-errors", matchers: [{ label: "alertname", op: "=~", value: "Target.*" }, { label: "job", op: "=", value: "api" }], components: [component.id], status: "partial_outage", template: null, hold_down_seconds: 30 });
    // A comms member sees the rules, without the form, and may not post it.
    const seen = await page("/console/alerts", comms);
    expect(seen.text).toContain("target-errors");
    expect(seen.text).not.toContain("Add a rule");
    expect((await send("/console/alerts/rules", { method: "POST", cookie: comms, form: { name: "x" } })).status).toBe(403);
    expect(located(await post("/console/alerts", admin, `/console/alerts/rules/${rule.id}/remove`, {}))).toBe("/console/alerts");
    expect(await api("GET", "/api/v1/alerts/rules")).toEqual([]);
  });
});

describe("API keys (admins)", () => {
  test("a new key's token is shown once and works; a resent form makes no second key; a revoked key stops working", async () => {
    const hidden = await browser.formFields("/console/keys", admin, "/console/keys");
    const form = { ...hidden, name: "Alertmanager", role: "comms" };
    const created = await send("/console/keys", { method: "POST", cookie: admin, form });
    expect(created.status).toBe(200);
    const token = /hk_[0-9a-z]{12}_[A-Za-z0-9_-]+/.exec(await created.text())![0];
    expect((await fetch(`${server.url}/api/v1/incidents`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
    const again = await (await send("/console/keys", { method: "POST", cookie: admin, form })).text();
    expect(again).toContain("This form was sent already");
    expect(again).not.toContain(token);
    const keys = (await api("GET", "/api/v1/keys")) as { id: string; name: string }[];
    expect(keys.filter((k) => k.name === "Alertmanager")).toHaveLength(1);
    // The list never shows a token.
    expect((await page("/console/keys", admin)).text).not.toMatch(/hk_[0-9a-z]{12}_/);
    const id = keys.find((k) => k.name === "Alertmanager")!.id;
    expect(located(await post("/console/keys", admin, `/console/keys/${id}/revoke`, {}))).toBe("/console/keys");
    expect((await fetch(`${server.url}/api/v1/incidents`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(401);
  });
});

describe("webhook subscriptions (admins)", () => {
  test("a quarantined endpoint is shown as such and reactivated; an unsubscribed one cannot be", async () => {
    const at = new Date().toISOString();
    await server.deps!.db.client.execute({
      sql: `INSERT INTO webhook_subscriptions (id, endpoint, email, state, created_at, active_since, quarantined_at, unsubscribed_at)
            VALUES ('wq0000000001', 'https://hooks.example.com/failing', 'ops@example.com', 'quarantined', ?, ?, ?, NULL),
                   ('wu0000000001', 'https://hooks.example.com/gone', 'ops@example.com', 'unsubscribed', ?, ?, NULL, ?)`,
      args: [at, at, at, at, at, at],
    });
    const list = await page("/console/webhooks", admin);
    expect(list.text).toContain("https://hooks.example.com/failing ops@example.com QUARANTINED");
    expect(located(await post("/console/webhooks", admin, "/console/webhooks/wq0000000001/reactivate", {}))).toBe("/console/webhooks");
    expect((await api("GET", "/api/v1/webhooks")).find((w: { id: string }) => w.id === "wq0000000001").status).toBe("active");
    const csrf = (await browser.formFields("/console/webhooks", admin, "/console/sign-out")).csrf!;
    expect(located(await send("/console/webhooks/wu0000000001/reactivate", { method: "POST", cookie: admin, form: { csrf } }))).toBe("/console/webhooks?error=unsubscribed");
    expect((await api("GET", "/api/v1/webhooks")).find((w: { id: string }) => w.id === "wu0000000001").status).toBe("unsubscribed");
  });
});
