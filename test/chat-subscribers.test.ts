/**
 * Chat channels as subscribers, end to end on a real server against local fakes of Slack, Discord
 * and Teams incoming webhooks (test/fake-chat.ts): registered, verified by a confirmation link
 * posted into the channel (a link preview cannot confirm it), then every matching update in the
 * service's own format within its documented limits, through the same deliveries, retries and
 * quarantine as webhooks.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { readConfig } from "../api/config.ts";
import { startServer, type RunningServer } from "../api/server.ts";
import { createKey } from "../api/service/keys.ts";
import { chatFormatOf } from "../domain/chat.ts";
import { FakeChat } from "./fake-chat.ts";
import { FakeResend } from "./fake-resend.ts";
import { callServer, expectJson, expectProblem, runHerald, snapshotDatabase, waitFor, deliveriesSettled } from "./harness.ts";
import { parseHtml } from "./html.ts";

const PAGE = "https://status.example.com";
const SECRET = "chat-secret-0123456789abcdefghijklmnopq";
const PATHS = { slack: "/services/T0001/B0001/abcdefghijkl", discord: "/api/webhooks/123456789/token-abc", teams: "/webhookb2/0000-1111@2222/IncomingWebhook/abc/def" } as const;

test("chat webhook URLs are recognised by host and path; anything else is an ordinary endpoint", () => {
  const of = (url: string, loopback = false) => chatFormatOf(new URL(url), { loopback });
  expect(of("https://hooks.slack.com/services/T00/B00/XXX")).toBe("slack");
  expect(of("https://discord.com/api/webhooks/1234/abc")).toBe("discord");
  expect(of("https://discordapp.com/api/webhooks/1234/abc")).toBe("discord");
  expect(of("https://acme.webhook.office.com/webhookb2/x@y/IncomingWebhook/a/b")).toBe("teams");
  expect(of("https://prod-12.westus.logic.azure.com/workflows/abc/triggers/manual/paths/invoke")).toBe("teams");
  expect(of("https://hooks.slack.com/workflows/T00/abc")).toBeNull();
  expect(of("https://example.com/services/T00/B00/XXX")).toBeNull();
  expect(of("http://127.0.0.1:9/services/T/B/X")).toBeNull();
  expect(of("http://127.0.0.1:9/services/T/B/X", true)).toBe("slack");
});

describe("a real server", () => {
  let dir: string;
  let server: RunningServer;
  let resend: FakeResend;
  let chat: FakeChat;
  let admin: string;
  let componentId: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "herald-chat-"));
    resend = new FakeResend();
    await resend.start();
    chat = new FakeChat();
    await chat.start();
    const config = readConfig({
      PORT: "0", DATABASE_URL: `file:${join(dir, "herald.db")}`, PUBLIC_DIR: join(dir, "public"), PAGE_URL: PAGE, PAGE_NAME: "Example",
      WEBHOOK_ALLOW_LOOPBACK: "1", WEBHOOK_TIMEOUT_MS: "2000",
    });
    server = await startServer(config, {
      hostname: "127.0.0.1", log: () => {},
      env: { RESEND_API_KEY: "test", RESEND_BASE_URL: resend.url, HERALD_SECRET: SECRET, MAIL_RATE_LIMIT: "50", SUBSCRIBE_LIMIT_PER_IP: "1000", SUBSCRIBE_LIMIT_PER_ADDRESS: "1000" },
    });
    await server.ready;
    admin = await server.deps!.db.write(async (tx) => (await createKey({ tx, actor: { id: null, name: "test", role: "admin" }, now: new Date().toISOString(), hooks: {} }, "Ada", "admin")).token);
    componentId = (await callServer(server.url, admin, "POST", "/api/v1/components", { name: "API" })).id;
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await chat?.close();
    await resend?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const register = (endpoint: string) =>
    fetch(`${server.url}/subscriptions`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ endpoint, email: "ops@example.com" }) });
  const local = (link: string) => link.replace(PAGE, server.url);

  /** The confirmation link in the message the channel got. */
  function confirmLink(path: string): string {
    const post = chat.postsTo(path)[0]!;
    const json = JSON.stringify(post.json);
    return /https:\/\/status\.example\.com\/subscriptions\/webhooks\/confirm\?token=[^"\\]+/.exec(json)![0];
  }

  test("a channel that does not take the confirmation message is refused, and nothing is stored", async () => {
    await deliveriesSettled(server.deps!.db);
    const before = await snapshotDatabase(server.deps!.db);
    const gone = "/services/T0001/B0001/removed000000";
    chat.removed.add(gone);
    const problem = await expectProblem(await register(`${chat.url}${gone}`), 422);
    expect(problem.detail).toMatch(/^The Slack channel did not take the confirmation message \(HTTP 404\)\. Nothing was stored\.$/);
    expect(await snapshotDatabase(server.deps!.db)).toBe(before);
    // A forged or cut link confirms nothing.
    expect((await fetch(`${server.url}/subscriptions/webhooks/confirm?token=abcdefabcdef.xyz`, { method: "POST" })).status).toBe(400);
  });

  test("registration posts a confirmation into each channel; nothing is sent there until a member confirms; a preview of the link confirms nothing", async () => {
    for (const [service, path] of Object.entries(PATHS)) {
      const res = await register(`${chat.url}${path}`);
      const body = await expectJson(res, 202);
      expect(body).toMatchObject({ status: "pending", format: service, endpoint: `${chat.url}${path}` });
      expect(body.detail).toMatch(/confirmation link was posted/);
      const [post] = chat.postsTo(path);
      expect(post!.refused).toBeNull();
    }
    // What each channel shows, natively.
    const slack = chat.postsTo(PATHS.slack)[0]!.json;
    expect(slack.blocks[0]).toEqual({ type: "header", text: { type: "plain_text", text: "Post Example status updates here?" } });
    expect(slack.blocks.find((b: any) => b.type === "actions").elements[0]).toMatchObject({ type: "button", text: { text: "Confirm" } });
    const discord = chat.postsTo(PATHS.discord)[0]!.json;
    expect(discord.embeds[0].title).toBe("Post Example status updates here?");
    expect(discord.allowed_mentions).toEqual({ parse: [] });
    const teams = chat.postsTo(PATHS.teams)[0]!.json;
    expect(teams.attachments[0].content.actions[0]).toMatchObject({ type: "Action.OpenUrl", title: "Confirm" });

    // Nothing is delivered to an unconfirmed channel.
    await callServer(server.url, admin, "POST", "/api/v1/incidents", { name: "Before confirming", severity: "SEV3", body: "Should not reach chat.", components: { [componentId]: "degraded_performance" } });
    await new Promise((r) => setTimeout(r, 300));
    for (const path of Object.values(PATHS)) expect(chat.postsTo(path)).toHaveLength(1);

    for (const path of Object.values(PATHS)) {
      const link = confirmLink(path);
      // A chat app's link preview GETs it: that only shows a button.
      const preview = await fetch(local(link));
      expect(preview.status).toBe(200);
      expect(parseHtml(await preview.text()).all("button").map((b) => b.text)).toEqual(["Confirm"]);
      const confirmed = await fetch(local(link), { method: "POST" });
      expect(confirmed.status).toBe(200);
      expect(parseHtml(await confirmed.text()).text).toMatch(/Updates of Example will be posted to this (Slack|Discord|Microsoft Teams) channel/);
      // A second press confirms nothing more.
      expect(parseHtml(await (await fetch(local(link), { method: "POST" })).text()).text).toContain("Already confirmed");
    }
    const list = await callServer(server.url, admin, "GET", "/api/v1/webhooks");
    expect(list.filter((w: { status: string }) => w.status === "active").map((w: { format: string }) => w.format).sort()).toEqual(["discord", "slack", "teams"]);
  });

  test("an update reaches each channel in its own format, its words within the service's limits", async () => {
    const long = `<!channel> ${"The database cluster is failing over. ".repeat(200)}@everyone`;
    const incident = await callServer(server.url, admin, "POST", "/api/v1/incidents", { name: "API errors", severity: "SEV1", body: long, components: { [componentId]: "major_outage" } });
    const arrived = (path: string) => chat.postsTo(path).find((p) => JSON.stringify(p.json).includes("API errors — Investigating"));
    for (const path of Object.values(PATHS)) await waitFor(`the update in ${path}`, () => arrived(path));

    const slack = arrived(PATHS.slack)!;
    expect(slack.refused).toBeNull();
    expect(slack.json.blocks[0].text.text).toBe("API errors — Investigating");
    // The notification text is mrkdwn: "<!channel>" in the words is escaped, so it pings no one.
    expect(slack.json.text).toContain("&lt;!channel&gt;");
    expect(slack.json.text).not.toContain("<!channel>");
    const section = slack.json.blocks.find((b: any) => b.type === "section").text;
    expect(section.type).toBe("plain_text");
    expect([...section.text].length).toBe(3000);
    expect(section.text.endsWith("…")).toBe(true);
    expect(slack.json.blocks.find((b: any) => b.type === "actions").elements[0].url).toBe(`${PAGE}/incidents/${incident.id}`);

    const discord = arrived(PATHS.discord)!;
    expect(discord.refused).toBeNull();
    const embed = discord.json.embeds[0];
    expect(embed).toMatchObject({ title: "API errors — Investigating", url: `${PAGE}/incidents/${incident.id}`, color: 0xcf222e, footer: { text: "Example" } });
    expect([...embed.description].length).toBeLessThanOrEqual(4096);
    expect(discord.json.allowed_mentions).toEqual({ parse: [] }); // "@everyone" in the words pings no one
    expect(embed.fields).toEqual([{ name: "Affected", value: "API", inline: false }]);

    const teams = arrived(PATHS.teams)!;
    expect(teams.refused).toBeNull();
    const card = teams.json.attachments[0].content;
    expect(card.body[0]).toMatchObject({ type: "TextBlock", text: "API errors — Investigating" });
    expect(card.actions[0]).toEqual({ type: "Action.OpenUrl", title: "View incident", url: `${PAGE}/incidents/${incident.id}` });
    expect(Buffer.byteLength(JSON.stringify(teams.json))).toBeLessThanOrEqual(28 * 1024);
  });

  test("herald webhooks add with a chat URL says the channel must confirm", async () => {
    const path = "/webhookb2/cli-team@x/IncomingWebhook/cli/abc";
    const run = await runHerald(["webhooks", "add", `${chat.url}${path}`, "--email", "ops@example.com"], { PATH: process.env.PATH ?? "", HERALD_URL: server.url, HERALD_TOKEN: admin });
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout).toMatch(/^Asked the teams channel to confirm: A message with a confirmation link was posted to the Microsoft Teams channel/);
    expect(chat.postsTo(path)).toHaveLength(1);
  });

  test("a channel whose webhook was removed fails like any endpoint: retried, then quarantined with a mail to its contact", async () => {
    chat.removed.add(PATHS.discord);
    const [subscription] = (await callServer(server.url, admin, "GET", "/api/v1/webhooks")).filter((w: { endpoint: string }) => w.endpoint.endsWith(PATHS.discord));
    for (let i = 0; i < 12; i++) {
      await callServer(server.url, admin, "PATCH", `/api/v1/components/${componentId}`, { status: i % 2 ? "operational" : "partial_outage" });
    }
    await waitFor("the quarantine", async () => (await callServer(server.url, admin, "GET", "/api/v1/webhooks")).find((w: { id: string; status: string }) => w.id === subscription.id && w.status === "quarantined"), 30_000);
    await waitFor("the contact's mail", () => resend.deliveries.find((d) => d.email.to.includes("ops@example.com")));
  }, 40_000);

});
