import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ResendMailer } from "../api/mail/mailer.ts";
import { mailHooks } from "../api/mail/outbox.ts";
import { OutboxSender } from "../api/mail/sender.ts";
import { unsubscribeToken } from "../api/mail/token.ts";
import { outboxCounts } from "../db/queries/outbox.ts";
import { startLoops } from "../api/runtime/tasks.ts";
import { unsubscribeSubscriber } from "../db/queries/subscribers.ts";
import { FakeResend } from "./fake-resend.ts";
import { startTestHerald, type TestHerald } from "./harness.ts";
import { addMember, mailSignInLink, removeMember, signIn } from "../api/service/members.ts";
import type { WriteContext } from "../api/service/context.ts";
import { buildSignInMessage, signInMailToken } from "../api/mail/sign-in.ts";
import { newId } from "../domain/ids.ts";
import { SECRET, addSubscriber, addSubscribers, declare, settings } from "./mail-helpers.ts";

const API_KEY = "re_test_SECRET_API_KEY";
let h: TestHerald;
let fake: FakeResend;
let logs: string[];

function sender(options: { timeoutMs?: number; rate?: number; baseBackoffMs?: number } = {}): OutboxSender {
  return new OutboxSender({
    db: h.db,
    mailer: new ResendMailer({ apiKey: API_KEY, baseUrl: fake.url, timeoutMs: options.timeoutMs ?? 2000 }),
    settings,
    ratePerSecond: options.rate ?? 100,
    baseBackoffMs: options.baseBackoffMs ?? 50,
    pollMs: 20,
    log: (line) => logs.push(line),
  });
}

/** Every recipient got exactly one message (as Resend would deliver them). */
function expectExactlyOnce(recipients: number): void {
  const counts = fake.deliveryCounts();
  expect(counts.size).toBe(recipients);
  for (const [, n] of counts) expect(n).toBe(1);
}

beforeAll(async () => {
  h = await startTestHerald();
});
afterAll(async () => {
  await h.close();
});
beforeEach(async () => {
  fake = new FakeResend();
  await fake.start();
  logs = [];
  await h.db.client.execute("DELETE FROM outbox");
  await h.db.client.execute("DELETE FROM subscribers");
});
afterEach(async () => {
  await fake.close();
});

describe("the outbox sender against the real Resend SDK", () => {
  it("sends batches of up to 100, one recipient each, with its own unsubscribe headers and the batch's key", async () => {
    await addSubscribers(h.db, 250);
    await declare(h.db, mailHooks);
    const counts = await sender().drainAll(20_000);
    expect(counts).toEqual({ pending: 0, sent: 250, failed: 0 });
    expect(fake.requests.map((r) => r.payload?.length)).toEqual([100, 100, 50]);
    expect(new Set(fake.requests.map((r) => r.idempotencyKey)).size).toBe(3);
    for (const r of fake.requests) {
      expect(r.idempotencyKey).toMatch(/^herald-[0-9a-z]{24}$/);
      expect(r.validation).toBe("permissive");
      expect(r.authorization).toBe(`Bearer ${API_KEY}`);
    }
    expectExactlyOnce(250);
    const first = fake.deliveries[0]!.email;
    expect(first.to).toHaveLength(1);
    expect(first.subject).toMatch(/^\[INVESTIGATING\] API Gateway Down - /);
    const row = await h.db.client.execute({ sql: "SELECT id FROM subscribers WHERE email = ?", args: [first.to[0]!] });
    const token = unsubscribeToken(SECRET, String(row.rows[0]!.id));
    expect(first.headers!["List-Unsubscribe"]).toBe(`<https://status.example.com/subscriptions/unsubscribe?token=${encodeURIComponent(token)}>`);
    expect(first.headers!["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    // provider ids are stored
    const ids = await h.db.client.execute("SELECT COUNT(DISTINCT provider_message_id) AS n FROM outbox WHERE status = 'sent'");
    expect(Number(ids.rows[0]!.n)).toBe(250);
    // a log line per batch with counts, never the key or a token
    const batchLines = logs.filter((l) => l.includes(": accepted,"));
    expect(batchLines).toHaveLength(3);
    expect(batchLines.at(-1)).toContain("outbox pending=0 sent=250 failed=0");
    for (const line of logs) {
      expect(line).not.toContain(API_KEY);
      expect(line).not.toContain(token.split(".")[1]!);
      expect(line).not.toContain("@example.com");
    }
  });

  it("retries a 429 with the same key and rows after retry-after, and delivers once", async () => {
    await addSubscribers(h.db, 30);
    await declare(h.db, mailHooks);
    fake.fail({ kind: "429", retryAfterSeconds: 1 });
    const started = Date.now();
    const counts = await sender().drainAll(20_000);
    expect(counts).toEqual({ pending: 0, sent: 30, failed: 0 });
    expect(fake.requests.map((r) => r.answer)).toEqual([429, 200]);
    expect(fake.requests[1]!.idempotencyKey).toBe(fake.requests[0]!.idempotencyKey);
    expect(fake.requests[1]!.payload).toEqual(fake.requests[0]!.payload);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950); // retry-after 1 s (timers may fire a hair early against the wall clock)
    expectExactlyOnce(30);
    const attempts = await h.db.client.execute("SELECT DISTINCT attempts FROM outbox");
    expect(attempts.rows.map((r) => Number(r.attempts))).toEqual([2]);
  });

  it("retries 500s with backoff and the same key", async () => {
    await addSubscribers(h.db, 30);
    await declare(h.db, mailHooks);
    fake.fail({ kind: "500" }, 3);
    const counts = await sender().drainAll(20_000);
    expect(counts).toEqual({ pending: 0, sent: 30, failed: 0 });
    expect(fake.requests.map((r) => r.answer)).toEqual([500, 500, 500, 200]);
    expect(new Set(fake.requests.map((r) => r.idempotencyKey)).size).toBe(1);
    expectExactlyOnce(30);
  });

  it("times out a hanging request and retries it with the same key", async () => {
    await addSubscribers(h.db, 30);
    await declare(h.db, mailHooks);
    fake.fail({ kind: "hang" });
    const counts = await sender({ timeoutMs: 300 }).drainAll(20_000);
    expect(counts).toEqual({ pending: 0, sent: 30, failed: 0 });
    expect(fake.requests.map((r) => r.answer)).toEqual(["hang", 200]);
    expect(fake.requests[1]!.idempotencyKey).toBe(fake.requests[0]!.idempotencyKey);
    expectExactlyOnce(30);
  });

  it("survives a lost response: the provider delivered, the client timed out, the retry is a replay", async () => {
    await addSubscribers(h.db, 30);
    await declare(h.db, mailHooks);
    fake.fail({ kind: "lost" });
    const counts = await sender({ timeoutMs: 300 }).drainAll(20_000);
    expect(counts).toEqual({ pending: 0, sent: 30, failed: 0 });
    expect(fake.requests.map((r) => [r.answer, r.replayed])).toEqual([["lost", false], [200, true]]);
    expect(fake.requests[1]!.idempotencyKey).toBe(fake.requests[0]!.idempotencyKey);
    expectExactlyOnce(30);
    const stored = await h.db.client.execute("SELECT provider_message_id FROM outbox ORDER BY id LIMIT 1");
    expect(stored.rows[0]!.provider_message_id).toBe(fake.deliveries[0]!.id);
  });

  it("records a permanent per-message refusal as failed and does not retry it", async () => {
    await addSubscribers(h.db, 5);
    const bad = "user3@example.com";
    fake.invalidRecipients.add(bad);
    await declare(h.db, mailHooks);
    const counts = await sender().drainAll(5_000);
    expect(counts).toEqual({ pending: 0, sent: 4, failed: 1 });
    expect(fake.requests).toHaveLength(1);
    const row = await h.db.client.execute({
      sql: "SELECT o.status, o.last_error FROM outbox o JOIN subscribers s ON s.id = o.subscriber_id WHERE s.email = ?",
      args: [bad],
    });
    expect(row.rows[0]!.status).toBe("failed");
    expect(String(row.rows[0]!.last_error)).toMatch(/Invalid `to` field/);
    expect(fake.deliveredTo(bad)).toBe(0);
  });

  it("does not send to someone who unsubscribed after the update was enqueued", async () => {
    const keep = await addSubscriber(h.db, "keep@example.com");
    const leave = await addSubscriber(h.db, "leave@example.com");
    await declare(h.db, mailHooks);
    await h.db.write((tx) => unsubscribeSubscriber(tx, leave, new Date().toISOString()));
    const counts = await sender().drainAll(5_000);
    expect(counts).toEqual({ pending: 0, sent: 1, failed: 1 });
    expect(fake.deliveredTo("keep@example.com")).toBe(1);
    expect(fake.deliveredTo("leave@example.com")).toBe(0);
    expect(keep).not.toBe(leave);
  });

  it("skips whole pages of people who unsubscribed without stalling", async () => {
    await addSubscribers(h.db, 250, "gone");
    await addSubscriber(h.db, "stay@example.com");
    await declare(h.db, mailHooks);
    await h.db.client.execute("UPDATE subscribers SET state = 'unsubscribed' WHERE email LIKE 'gone%'");
    const s = sender();
    const step = await s.drainOnce();
    expect(step).toMatchObject({ kind: "batch", outcome: "accepted", sent: 1 });
    expect(await s.counts()).toEqual({ pending: 0, sent: 1, failed: 250 });
    expect(fake.deliveredTo("stay@example.com")).toBe(1);
  });

  it("a batch waiting out its backoff does not hold back fresh mail", async () => {
    await addSubscribers(h.db, 30);
    const s = sender({ baseBackoffMs: 10 * 60_000 }); // the failed batch waits minutes
    await declare(h.db, mailHooks, { name: "First incident" });
    fake.fail({ kind: "500" });
    const failed = await s.drainOnce();
    expect(failed).toMatchObject({ kind: "batch", outcome: "retry", sent: 0 });

    // A new incident's notices go out at once, beside the batch that waits.
    await declare(h.db, mailHooks, { name: "Second incident" });
    const fresh = await s.drainOnce();
    expect(fresh).toMatchObject({ kind: "batch", outcome: "accepted", sent: 30 });
    expect(fake.deliveries.filter((d) => d.email.subject.includes("Second incident"))).toHaveLength(30);
    expect(fake.deliveries.filter((d) => d.email.subject.includes("First incident"))).toHaveLength(0);

    // Then nothing is due: the sender says how long until the failed batch's retry, and keeps it.
    const waiting = await s.drainOnce();
    expect(waiting.kind).toBe("waiting");
    expect(await s.counts()).toEqual({ pending: 30, sent: 30, failed: 0 });
    const keys = await h.db.client.execute("SELECT COUNT(DISTINCT batch_key) AS n FROM outbox WHERE status = 'pending'");
    expect(Number(keys.rows[0]!.n)).toBe(1);
  });

  it("a provider's retry-after pauses every batch, not only the one it answered", async () => {
    await addSubscribers(h.db, 30);
    const s = sender({ baseBackoffMs: 10 });
    await declare(h.db, mailHooks, { name: "First incident" });
    fake.fail({ kind: "429", retryAfterSeconds: 30 });
    expect(await s.drainOnce()).toMatchObject({ kind: "batch", outcome: "retry" });
    await declare(h.db, mailHooks, { name: "Second incident" });
    const paused = await s.drainOnce();
    expect(paused.kind).toBe("waiting");
    expect(fake.requests).toHaveLength(1);
  });

  it("keeps to the rate limit (token bucket)", async () => {
    await addSubscribers(h.db, 500);
    await declare(h.db, mailHooks);
    const started = Date.now();
    await sender({ rate: 4 }).drainAll(20_000);
    // 5 requests at 4/s with a burst of 4: the fifth waits ~250 ms.
    expect(fake.requests).toHaveLength(5);
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    const s = sender({ rate: 2 });
    await addSubscribers(h.db, 600, "more");
    await declare(h.db, mailHooks);
    const t0 = Date.now();
    await s.drainAll(20_000);
    // 11 more requests (1,100 messages) at 2/s with a burst of 2: at least 4.5 s.
    expect(fake.requests).toHaveLength(16);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(4400);
  });

  it("runs in the background as a loop, woken by poke()", async () => {
    await addSubscribers(h.db, 150);
    const s = sender();
    const loops = startLoops([{ name: "mail", step: () => s.step() }], () => {});
    await declare(h.db, mailHooks);
    loops.poke();
    const deadline = Date.now() + 10_000;
    while ((await s.counts()).sent < 150 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await loops.stop();
    expect(await outboxCounts(h.db.client)).toEqual({ pending: 0, sent: 150, failed: 0 });
    expectExactlyOnce(150);
  });
});

describe("console sign-in mails in the one queue", () => {
  const write = <T>(work: (ctx: WriteContext) => Promise<T>) => h.db.write((tx) => work({ tx, actor: { id: null, name: "test", role: "admin" }, now: new Date().toISOString(), hooks: {} }));

  it("go out by the same sender; a link used or a member removed before sending is closed unsent; the mailed link signs in", async () => {
    const [used, removed, waiting] = await Promise.all(
      ["used", "removed", "waiting"].map((name) => write((ctx) => addMember(ctx, { name, email: `${name}-${newId()}@example.com`, role: "comms" }))),
    );
    for (const m of [used!, removed!, waiting!]) expect(await write((ctx) => mailSignInLink(ctx, m.email.toUpperCase(), SECRET))).toBe(true);
    expect(await write((ctx) => mailSignInLink(ctx, "stranger@example.com", SECRET))).toBe(false);
    // The first member signs in with their link (derived again from its nonce) before it is mailed.
    const nonce = async (memberId: string) => String((await h.db.client.execute({ sql: "SELECT nonce FROM console_sign_in_links WHERE member_id = ?", args: [memberId] })).rows[0]!.nonce);
    expect(await write((ctx) => signIn(ctx, signInMailToken(SECRET, "wrong-nonce")))).toBeNull();
    const usedToken = signInMailToken(SECRET, await nonce(used!.id));
    expect(await write((ctx) => signIn(ctx, usedToken))).not.toBeNull();
    await write((ctx) => removeMember(ctx, removed!.id));

    await sender().drainAll(10_000);
    const sent = fake.requests.flatMap((r) => r.payload ?? []);
    expect(sent.map((m) => m.to)).toEqual([[waiting!.email]]);
    expect(sent[0]!.subject).toBe("Sign in to the Example console");
    expect(sent[0]!.headers ?? {}).not.toHaveProperty("List-Unsubscribe");
    const token = /\/console\/sign-in\/([A-Za-z0-9_-]{43})/.exec(sent[0]!.text!)![1]!;
    expect(token).toBe(signInMailToken(SECRET, await nonce(waiting!.id)));
    // The same row built again is the same message (a crash-resent batch keeps its key and bytes).
    expect(buildSignInMessage(settings, { email: waiting!.email, memberName: "waiting", nonce: await nonce(waiting!.id), expiresAt: "2026-01-01T00:00:00.000Z" })).toEqual(
      buildSignInMessage(settings, { email: waiting!.email, memberName: "waiting", nonce: await nonce(waiting!.id), expiresAt: "2026-01-01T00:00:00.000Z" }),
    );
    const closed = await h.db.client.execute("SELECT status, last_error FROM outbox WHERE kind = 'sign_in' AND status = 'failed'");
    expect(closed.rows.map((r) => String(r.last_error))).toEqual([expect.stringContaining("no longer needed"), expect.stringContaining("no longer needed")]);
    expect(await write((ctx) => signIn(ctx, token))).not.toBeNull();
    // Notices to subscribers are counted without the sign-in mails.
    expect(await outboxCounts(h.db.client)).toEqual({ pending: 0, sent: 0, failed: 0 });
  });
});
