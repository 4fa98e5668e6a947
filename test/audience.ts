/**
 * A real server with everyone who could hear of an incident: a fake Slack for the team channel, a
 * confirmed mail subscriber, and a webhook subscriber verified by its challenge. For tests that
 * something reaches the team and nobody else (drills, drafts).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { startServer, type RunningServer } from "../api/server.ts";
import { createKey } from "../api/service/keys.ts";
import { FakeSlack } from "./fake-slack.ts";
import { FakeWebhookReceiver } from "./fake-webhook-receiver.ts";
import { testServerConfig } from "./harness.ts";
import { addSubscriber } from "./mail-helpers.ts";

export interface Audience {
  dir: string;
  server: RunningServer;
  slack: FakeSlack;
  webhooks: FakeWebhookReceiver;
  /** An admin key named "Ada". */
  adminToken: string;
  close(): Promise<void>;
}

export async function startWithAudience(name: string): Promise<Audience> {
  const dir = mkdtempSync(join(tmpdir(), `herald-${name}-`));
  const slack = new FakeSlack();
  await slack.start();
  const webhooks = new FakeWebhookReceiver();
  await webhooks.start();
  const server = await startServer(testServerConfig(dir, { WEBHOOK_ALLOW_LOOPBACK: "1" }), {
    hostname: "127.0.0.1", log: () => {}, responseCheckMs: 0,
    env: { SLACK_WEBHOOK_URL: slack.url, MAIL_DIR: join(dir, "mail"), HERALD_SECRET: `${name}-secret-0123456789abcdefghijklmnopqrstuv` },
  });
  await server.ready;
  const db = server.deps!.db;
  const adminToken = await db.write(async (tx) => (await createKey({ tx, actor: { id: null, name: "t", role: "admin" }, now: new Date().toISOString(), hooks: {} }, "Ada", "admin")).token);
  await addSubscriber(db, "subscriber@example.com");
  const registered = await fetch(`${server.url}/subscriptions`, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ endpoint: `${webhooks.url}/hooks`, email: "hooks@example.com" }),
  });
  expect(registered.status).toBe(201);
  return {
    dir, server, slack, webhooks, adminToken,
    async close() {
      await server.close();
      await slack.close();
      await webhooks.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
