/**
 * The comms console's sign-in, session and "Now" page on a real listening server, as a browser
 * talks to it: a printed single-use link, a session cookie, forms checked for their Origin and
 * CSRF token, and every answer uncached, unindexed and under the console's own CSP.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startServer, type RunningServer } from "../api/server.ts";
import { createKey } from "../api/service/keys.ts";
import { addMember, createSignInToken, removeMember } from "../api/service/members.ts";
import type { WriteContext } from "../api/service/context.ts";
import { csrfToken, csrfValid } from "../api/console/csrf.ts";
import { callServer, deliveriesSettled, snapshotDatabase, testServerConfig } from "./harness.ts";
import { parseHtml } from "./html.ts";
import { consoleClient } from "./console-client.ts";
import { eventually } from "./fake-slack.ts";
import { readMailDir } from "./mime.ts";

let dir: string;
let server: RunningServer;
let apiToken: string;

const setup = { id: null, name: "setup", role: "admin" as const };
const write = <T>(work: (ctx: WriteContext) => Promise<T>): Promise<T> =>
  server.deps!.db.write((tx) => work({ tx, actor: setup, now: new Date().toISOString(), hooks: {} }));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "herald-console-"));
  server = await startServer(testServerConfig(dir, { PAGE_NAME: "Example" }), { hostname: "127.0.0.1", log: () => {}, env: { MAIL_DIR: join(dir, "mail") } });
  await server.ready;
  apiToken = await write(async (ctx) => (await createKey(ctx, "Ada", "admin")).token);
  const api = await callServer(server.url, apiToken, "POST", "/api/v1/components", { name: "API" });
  await callServer(server.url, apiToken, "POST", "/api/v1/incidents", { name: "API errors", severity: "SEV2", body: "Looking.", components: { [api.id]: "partial_outage" } });
  await server.publisher!.idle();
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

// Herald sits behind TLS at PAGE_URL; a browser there sends that Origin.
const browser = consoleClient(() => server.url, "https://status.example.com");
const { send } = browser;

async function linkFor(email: string, name = "Cole", role: "admin" | "comms" = "comms"): Promise<string> {
  const member = await write((ctx) => addMember(ctx, { name, email, role }));
  const { token } = await write((ctx) => createSignInToken(ctx, member.id));
  return `/console/sign-in/${token}`;
}

const signIn = (path: string) => browser.signIn(path);

describe("signing in", () => {
  test("the link's page changes nothing; its button signs in once; the cookie is HttpOnly and SameSite=Lax", async () => {
    const path = await linkFor("cole@example.com");
    await deliveriesSettled(server.deps!.db);
    const before = await snapshotDatabase(server.deps!.db);
    const look = await send(path);
    expect(look.status).toBe(200);
    expect(parseHtml(await look.text()).all("button").map((b) => b.text)).toEqual(["Sign in"]);
    expect(await snapshotDatabase(server.deps!.db)).toBe(before);

    const res = await send(path, { method: "POST" });
    expect(res.status).toBe(303);
    // PAGE_URL is https: a __Host- cookie, Secure, HttpOnly, SameSite=Lax, for this host only.
    expect(res.headers.get("set-cookie")).toMatch(/^__Host-herald_console=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Secure$/);
    const again = await send(path, { method: "POST" });
    expect(again.status).toBe(400);
    expect(parseHtml(await again.text()).text).toContain("This link does not work");
  });

  test("a sign-in posted from another site is refused and starts nothing", async () => {
    const path = await linkFor("eve-target@example.com", "Target");
    for (const bad of ["https://evil.example.com", null]) {
      const res = await send(path, { method: "POST", origin: bad });
      expect(res.status).toBe(403);
      expect(res.headers.get("set-cookie")).toBeNull();
    }
    // The link was not used up by the refused attempts.
    expect((await send(path, { method: "POST" })).status).toBe(303);
  });
});

describe("signing in with a link by mail", () => {
  const mailsTo = async (address: string) => (existsSync(join(dir, "mail")) ? (await readMailDir(join(dir, "mail"))).filter((m) => m.to.includes(address)) : []);
  const ask = (email: string, asked: { origin?: string | null } = {}) => send("/console/sign-in", { method: "POST", form: { email }, ...asked });

  test("a member gets a single-use link in the mail and signs in with it; anyone else gets the same answer and no mail", async () => {
    await write((ctx) => addMember(ctx, { name: "Mai Lee", email: "mai@example.com", role: "comms" }));
    const form = parseHtml(await (await send("/console/sign-in")).text());
    expect(form.all("label").map((l) => l.text)).toContain("Your e-mail address");

    const member = await ask("Mai@Example.com");
    const stranger = await ask("nobody@example.com");
    expect([member.status, stranger.status]).toEqual([200, 200]);
    const said = (html: string) => parseHtml(html).all("main")[0]!.text.replace(/\S+@\S+/g, "ADDRESS");
    expect(said(await member.text())).toBe(said(await stranger.text()));

    expect(await eventually(async () => (await mailsTo("mai@example.com")).length === 1)).toBe(true);
    const [mail] = await mailsTo("mai@example.com");
    expect(mail!.subject).toBe("Sign in to the Example console");
    expect(mail!.headers.has("list-unsubscribe")).toBe(false);
    const link = /https:\/\/status\.example\.com(\/console\/sign-in\/[A-Za-z0-9_-]{43})/.exec(mail!.text)![1]!;
    expect(parseHtml(mail!.html).all("a").map((a) => a.attrs.href)).toContain(`https://status.example.com${link}`);
    const cookie = await signIn(link);
    expect(parseHtml(await (await send("/console", { cookie })).text()).all("h1")[0]!.text).toBe("Now");
    // Used once.
    expect((await send(link, { method: "POST" })).status).toBe(400);
    // Nobody else got anything.
    expect(await mailsTo("nobody@example.com")).toEqual([]);
    const audit = await server.deps!.db.client.execute("SELECT action FROM audit_log WHERE action LIKE 'member.sign_in%' ORDER BY id DESC LIMIT 2");
    expect(audit.rows.map((r) => r.action)).toEqual(["member.sign_in", "member.sign_in_link_mailed"]);
  });

  test("asking is limited per address, member or not (429 with Retry-After); a forged or empty form writes nothing", async () => {
    await deliveriesSettled(server.deps!.db);
    const before = await snapshotDatabase(server.deps!.db);
    expect((await ask("mai@example.com", { origin: "https://evil.example.com" })).status).toBe(403);
    expect((await ask("not an address")).status).toBe(422);
    expect(await snapshotDatabase(server.deps!.db)).toBe(before);
    for (const address of ["nobody@example.com", "mai@example.com"]) {
      // One request each above; two more are allowed, the fourth within 15 minutes is not.
      for (let i = 0; i < 2; i++) expect((await ask(address)).status).toBe(200);
      const limited = await ask(address);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    }
  });
});

describe("Now", () => {
  test("without a session it leads to the sign-in page; with one it shows what customers see", async () => {
    const anonymous = await send("/console");
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get("location")).toBe("/console/sign-in");
    const cookie = await signIn(await linkFor("dana@example.com", "Dana"));
    const res = await send("/console", { cookie });
    expect(res.status).toBe(200);
    const html = parseHtml(await res.text());
    expect(html.text).toContain("What customers see Partial System Outage");
    expect(html.text).toContain("API errors SEV2 Investigating");
    // Its response clock and how its last update went out, in words.
    expect(html.text).toMatch(/API errors SEV2 Investigating [A-Z][a-z]{2} \d{1,2}, \d{4} - \d\d:\d\d UTC No promise Mail: 0 sent, 0 queued, 0 failed/);
    expect(html.text).toContain("API Partial Outage");
    expect(html.text).toContain("Dana (comms) Sign out");
  });

  test("every answer is uncached, unindexed, framed by nobody and under a CSP without script", async () => {
    const cookie = await signIn(await linkFor("erin@example.com", "Erin"));
    for (const res of [await send("/console", { cookie }), await send("/console/sign-in")]) {
      expect(res.headers.get("cache-control")).toBe("no-store");
      expect(res.headers.get("x-robots-tag")).toBe("noindex, nofollow");
      expect(res.headers.get("x-frame-options")).toBe("DENY");
      expect(res.headers.get("content-security-policy")).toMatch(/^default-src 'none'; style-src 'self';/);
      expect(res.headers.get("content-security-policy")).not.toContain("script-src");
    }
  });
});

describe("signing out and removal", () => {
  test("sign-out needs the page's CSRF token and Origin; then the session is over", async () => {
    const cookie = await signIn(await linkFor("finn@example.com", "Finn"));
    const page = parseHtml(await (await send("/console", { cookie })).text());
    const csrf = page.all("input").find((i) => i.attrs.name === "csrf")!.attrs.value!;
    expect((await send("/console/sign-out", { method: "POST", cookie, form: {} })).status).toBe(403);
    expect((await send("/console/sign-out", { method: "POST", cookie, form: { csrf: "x".repeat(43) } })).status).toBe(403);
    expect((await send("/console/sign-out", { method: "POST", cookie, origin: "https://evil.example.com", form: { csrf } })).status).toBe(403);
    expect((await send("/console", { cookie })).status).toBe(200); // still signed in
    const out = await send("/console/sign-out", { method: "POST", cookie, form: { csrf } });
    expect(out.status).toBe(200);
    expect(out.headers.get("set-cookie")).toContain("Max-Age=0");
    expect((await send("/console", { cookie })).status).toBe(303);
  });

  test("removing a member ends their session at once", async () => {
    const cookie = await signIn(await linkFor("gale@example.com", "Gale"));
    expect((await send("/console", { cookie })).status).toBe(200);
    const { findMemberByEmail } = await import("../db/queries/members.ts");
    const gale = (await findMemberByEmail(server.deps!.db.client, "gale@example.com"))!;
    await write((ctx) => removeMember(ctx, gale.id));
    expect((await send("/console", { cookie })).status).toBe(303);
  });
});

describe("declaring, updating and resolving from the console", () => {
  const formFields = (path: string, cookie: string) => browser.formFields(path, cookie);

  test("a comms member declares a SEV1 once (a double submit writes once), updates and resolves it; the public JSON shows it", async () => {
    const cookie = await signIn(await linkFor("hana@example.com", "Hana"));
    const api = (await (await fetch(`${server.url}/api/v1/components`, { headers: { Authorization: `Bearer ${apiToken}` } })).json()) as { id: string; name: string }[];
    const apiComponent = api.find((c) => c.name === "API")!.id;
    // One webhook subscriber (its endpoint refuses connections: the delivery is queued or failed, never lost).
    const at = new Date().toISOString();
    await server.deps!.db.client.execute({ sql: "INSERT INTO webhook_subscriptions (id, endpoint, email, state, created_at, active_since) VALUES ('wh0000000001', 'http://127.0.0.1:9/hook', 'ops@example.com', 'active', ?, ?)", args: [at, at] });
    const hidden = await formFields("/console/incidents/new", cookie);
    expect(Object.keys(hidden).sort()).toEqual(["csrf", "form_id"]);
    const form = { ...hidden, name: "Checkout down", severity: "SEV1", body: "We are **investigating** failed payments.", [`component:${apiComponent}`]: "major_outage", next_update: "30", notify: "on" };
    const first = await send("/console/incidents/new", { method: "POST", cookie, form });
    expect(first.status).toBe(303);
    const location = first.headers.get("location")!;
    expect(location).toMatch(/^\/console\/incidents\/[0-9a-z]{12}$/);
    const again = await send("/console/incidents/new", { method: "POST", cookie, form });
    expect(again.headers.get("location")).toBe(location); // the same incident, not a second one
    const id = location.split("/").pop()!;
    const list = (await callServer(server.url, apiToken, "GET", "/api/v1/incidents?status=open")) as { id: string; name: string }[];
    expect(list.filter((i) => i.name === "Checkout down")).toHaveLength(1);
    const declared = await callServer(server.url, apiToken, "GET", `/api/v1/incidents/${id}`);
    expect(declared).toMatchObject({ name: "Checkout down", severity: "SEV1", status: "investigating" });
    expect(declared.incident_updates[0].author).toBe("Hana"); // written under the member's name
    expect(declared.next_update_at).toBeTruthy();
    const now = parseHtml(await (await send("/console", { cookie })).text());
    expect(now.text).toMatch(/Checkout down SEV1 Investigating .* Due \d\d:\d\d UTC \(in (29|30) min\)/);
    // How the first update went out: its webhook delivery is counted under Now, whatever state it is in.
    const webhooks = /Checkout down .*? Webhooks: (\d+) sent, (\d+) queued, (\d+) failed/.exec(now.text)!;
    expect(Number(webhooks[1]) + Number(webhooks[2]) + Number(webhooks[3])).toBe(1);

    // The incident page offers only the moves the lifecycle allows.
    const page = parseHtml(await (await send(location, { cookie })).text());
    const statuses = page.all("option").filter((o) => ["investigating", "identified", "monitoring", "resolved"].includes(o.attrs.value ?? "")).map((o) => o.attrs.value);
    expect(statuses).toEqual(["investigating", "identified", "monitoring", "resolved"]);
    const update = await formFields(location, cookie);
    expect((await send(location, { method: "POST", cookie, form: { ...update, status: "resolved", body: "Payments work again.", [`component:${apiComponent}`]: "operational", notify: "on" } })).status).toBe(303);
    expect((await callServer(server.url, apiToken, "GET", `/api/v1/incidents/${id}`)).status).toBe("resolved");
    // Resolved: only reopening is offered, and it must be chosen explicitly.
    const after = parseHtml(await (await send(location, { cookie })).text());
    expect(after.all("button").map((b) => b.text)).toContain("Reopen");
    await server.publisher!.idle();
    const summary = (await (await fetch(`${server.url}/api/v2/incidents.json`)).json()) as { incidents: { id: string; status: string }[] };
    expect(summary.incidents.find((i) => i.id === id)?.status).toBe("resolved");
  });

  test("Preview shows what the page, the mail, the feeds and the team channel will say, and writes nothing", async () => {
    const cookie = await signIn(await linkFor("uma@example.com", "Uma"));
    const hidden = await formFields("/console/incidents/new", cookie);
    const form = { ...hidden, name: "Search <slow>", severity: "SEV3", body: "Searches take **seconds**.", notify: "on", action: "preview" };
    // The previous test's resolution is still being sent to the webhook: its attempt is not this preview's write.
    await deliveriesSettled(server.deps!.db);
    const before = await snapshotDatabase(server.deps!.db);
    const res = await send("/console/incidents/new", { method: "POST", cookie, form });
    expect(res.status).toBe(200);
    expect(await snapshotDatabase(server.deps!.db)).toBe(before); // nothing posted, nothing queued
    const html = await res.text();
    const page = parseHtml(html);
    const preview = page.text.slice(page.text.indexOf("Preview: nothing is posted yet"));
    // The page, as the site renders it: the name as text, the body's Markdown rendered, the severity said once.
    expect(preview).toContain("On the status page ← Current status Search <slow>");
    expect(html).toContain("Searches take <strong>seconds</strong>.");
    expect(preview).toContain("SEV3 · Medium");
    // The mail as it will be sent, the feed item, and the team channel (none here).
    expect(preview).toMatch(/Subject: \[INVESTIGATING\] Search <slow> - [A-Z][a-z]{2} \d{1,2}, \d{4}/);
    expect(preview).toContain("Searches take seconds.");
    expect(preview).toContain("In the RSS and Atom feeds Search <slow> — Investigating");
    expect(preview).toContain("No team channel is set up");
    expect(html).not.toMatch(/<slow>/); // escaped everywhere
    // The same form posts it.
    const posted = await send("/console/incidents/new", { method: "POST", cookie, form: { ...form, action: "post" } });
    expect(posted.status).toBe(303);
  });

  test("from a template, with the team's roles (never public); fields written in the form win", async () => {
    const cookie = await signIn(await linkFor("vic@example.com", "Vic"));
    const hidden = await formFields("/console/incidents/new", cookie);
    const page = parseHtml(await (await send("/console/incidents/new", { cookie })).text());
    const slug = page.all("option").find((o) => o.text.startsWith("Database outage"))!.attrs.value!;
    const res = await send("/console/incidents/new", { method: "POST", cookie, form: { ...hidden, template: slug, name: "Primary database down", incident_commander: "@alice", bridge_url: "https://meet.example.com/inc", notify: "on" } });
    expect(res.status).toBe(303);
    const id = res.headers.get("location")!.split("/").pop()!;
    const incident = await callServer(server.url, apiToken, "GET", `/api/v1/incidents/${id}`);
    expect(incident).toMatchObject({ name: "Primary database down", severity: "SEV1", incident_commander: "@alice", bridge_url: "https://meet.example.com/inc" });
    expect(incident.incident_updates[0].body.length).toBeGreaterThan(10); // the template's first words
    await server.publisher!.idle();
    const published = await (await fetch(`${server.url}/api/v2/incidents.json`)).text();
    expect(published).toContain("Primary database down");
    expect(published).not.toContain("meet.example.com");
  });

  test("a form with a mistake answers 422 with the error next to its field and writes nothing; a forged one is refused", async () => {
    const cookie = await signIn(await linkFor("ivo@example.com", "Ivo"));
    const hidden = await formFields("/console/incidents/new", cookie);
    await deliveriesSettled(server.deps!.db);
    const before = await snapshotDatabase(server.deps!.db);
    const res = await send("/console/incidents/new", { method: "POST", cookie, form: { ...hidden, name: "", severity: "SEV2", body: "x" } });
    expect(res.status).toBe(422);
    const page = parseHtml(await res.text());
    const name = page.all("input").find((i) => i.attrs.name === "name")!;
    expect(name.attrs["aria-invalid"]).toBe("true");
    expect(page.all("p").find((p) => p.attrs.id === name.attrs["aria-describedby"])!.text).toBe("Error: name is required unless a template is given.");
    expect((await send("/console/incidents/new", { method: "POST", cookie, origin: "https://evil.example.com", form: { ...hidden, name: "Forged", severity: "SEV1", body: "x" } })).status).toBe(403);
    expect((await send("/console/incidents/new", { method: "POST", cookie, form: { form_id: hidden.form_id!, name: "No token", severity: "SEV1", body: "x" } })).status).toBe(403);
    expect(await snapshotDatabase(server.deps!.db)).toBe(before);
  });
});

describe("team members in the console", () => {
  test("a comms member cannot reach the admin pages (403); an admin adds a member once and removes one", async () => {
    const comms = await signIn(await linkFor("jo@example.com", "Jo"));
    expect((await send("/console/members", { cookie: comms })).status).toBe(403);
    expect((await send("/console/members", { method: "POST", cookie: comms, form: { name: "X", email: "x@example.com", role: "admin" } })).status).toBe(403);

    const admin = await signIn(await linkFor("kim@example.com", "Kim", "admin"));
    const page = parseHtml(await (await send("/console/members", { cookie: admin })).text());
    const hidden = Object.fromEntries(page.all("input").filter((i) => i.attrs.type === "hidden" && (i.attrs.name === "csrf" || i.attrs.name === "form_id")).map((i) => [i.attrs.name!, i.attrs.value!]));
    const form = { ...hidden, name: "Lee", email: "lee@example.com", role: "comms" };
    expect((await send("/console/members", { method: "POST", cookie: admin, form })).status).toBe(303);
    expect((await send("/console/members", { method: "POST", cookie: admin, form })).status).toBe(303); // a double submit
    const { listMembers } = await import("../db/queries/members.ts");
    expect((await listMembers(server.deps!.db.client)).filter((m) => m.email === "lee@example.com")).toHaveLength(1);
    const taken = await send("/console/members", { method: "POST", cookie: admin, form: { ...form, form_id: "another-form-id-123" } });
    expect(taken.status).toBe(409);
    expect(parseHtml(await taken.text()).text).toContain("lee@example.com is a member already.");

    // Removing Jo ends Jo's session.
    const jo = (await listMembers(server.deps!.db.client)).find((m) => m.email === "jo@example.com")!;
    expect((await send(`/console/members/${jo.id}/remove`, { method: "POST", cookie: admin, form: { csrf: hidden.csrf! } })).status).toBe(303);
    expect((await send("/console", { cookie: comms })).status).toBe(303);
  });
});

describe("the CSRF token", () => {
  test("belongs to one session and is checked in constant time", () => {
    const a = "a".repeat(43);
    const b = "b".repeat(43);
    expect(csrfValid(a, csrfToken(a))).toBe(true);
    expect(csrfValid(b, csrfToken(a))).toBe(false);
    expect(csrfValid(a, undefined)).toBe(false);
    expect(csrfValid(a, csrfToken(a).slice(1))).toBe(false);
  });
});
