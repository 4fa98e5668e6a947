import { unsubscribeUrl } from "../api/mail/message.ts";
/** Confirmation mails through the one mail queue (db/queries/outbox.ts, api/mail/sender.ts), without a server. */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import {
  buildConfirmationMessage,
  confirmationToken,
  confirmationTokenHash,
  newConfirmationNonce,
  verifyConfirmationToken,
} from "../api/mail/confirmation.ts";
import type { BatchOutcome, Mailer } from "../api/mail/mailer.ts";
import type { OutgoingMessage } from "../api/mail/message.ts";
import { OutboxSender } from "../api/mail/sender.ts";
import { confirmationCounts } from "../db/queries/outbox.ts";
import { getConfirmationByHash, insertConfirmation } from "../db/queries/subscribers.ts";
import { startTestHerald, type TestHerald } from "./harness.ts";
import { mailHooks } from "../api/mail/outbox.ts";
import { addSubscriber, addSubscribers, declare, SECRET, settings } from "./mail-helpers.ts";

let h: TestHerald;
beforeAll(async () => {
  h = await startTestHerald();
});
afterAll(async () => {
  await h.close();
});
beforeEach(async () => {
  await h.db.client.execute("DELETE FROM outbox");
  await h.db.client.execute("DELETE FROM subscription_confirmations");
  await h.db.client.execute("DELETE FROM subscribers");
});

async function request(email: string, state: "pending" | "active" = "pending", expiresInMs = 3_600_000): Promise<string> {
  const id = await addSubscriber(h.db, email, state);
  const nonce = newConfirmationNonce();
  const now = new Date();
  await h.db.write((tx) =>
    insertConfirmation(tx, {
      subscriberId: id, nonce, tokenHash: confirmationTokenHash(confirmationToken(SECRET, nonce)),
      expiresAt: new Date(now.getTime() + expiresInMs).toISOString(), now: now.toISOString(),
    }),
  );
  return nonce;
}

class StubMailer implements Mailer {
  readonly name = "stub";
  readonly calls: { key: string; messages: OutgoingMessage[] }[] = [];
  private readonly outcomes: BatchOutcome[];
  constructor(outcomes: BatchOutcome[]) {
    this.outcomes = outcomes;
  }
  async sendBatch(messages: readonly OutgoingMessage[], key: string): Promise<BatchOutcome> {
    this.calls.push({ key, messages: [...messages] });
    return this.outcomes.shift() ?? { kind: "accepted", results: messages.map((_, i) => ({ ok: true as const, id: `m${i}` })) };
  }
}

describe("confirmation delivery", () => {
  test("a retried batch goes out again with the same key and the same bytes, then is marked sent", async () => {
    const nonce = await request("ada@example.com");
    const mailer = new StubMailer([{ kind: "retry", error: "500 boom", retryAfterMs: null }]);
    const sender = new OutboxSender({ db: h.db, mailer, settings, baseBackoffMs: 1, maxBackoffMs: 1, log: () => {} });
    expect((await sender.drainOnce()).kind).toBe("batch");
    await new Promise((r) => setTimeout(r, 5));
    expect((await sender.drainOnce()).kind).toBe("batch");
    expect((await sender.drainOnce()).kind).toBe("idle");
    expect(mailer.calls).toHaveLength(2);
    expect(mailer.calls[1]!.key).toBe(mailer.calls[0]!.key);
    expect(JSON.stringify(mailer.calls[1]!.messages)).toBe(JSON.stringify(mailer.calls[0]!.messages));
    expect(await confirmationCounts(h.db.client)).toEqual({ pending: 0, sent: 1, failed: 0 });
    // The mailed link carries a token the server accepts, stored only as its hash.
    const message = mailer.calls[0]!.messages[0]!;
    const token = decodeURIComponent(/confirm\?token=([^\s"]+)/.exec(message.text)![1]!);
    expect(verifyConfirmationToken(SECRET, token)).toBe(true);
    expect(verifyConfirmationToken("other-secret", token)).toBe(false);
    expect((await getConfirmationByHash(h.db.client, confirmationTokenHash(token)))!.nonce).toBe(nonce);
    const stored = JSON.stringify((await h.db.client.execute("SELECT * FROM subscription_confirmations")).rows);
    expect(stored).not.toContain(token);
  });

  test("mails whose link expired or whose subscriber is no longer pending are not sent", async () => {
    await request("late@example.com", "pending", -1000);
    await request("done@example.com", "active");
    const mailer = new StubMailer([]);
    const sender = new OutboxSender({ db: h.db, mailer, settings, log: () => {} });
    expect((await sender.drainOnce()).kind).toBe("idle");
    expect(mailer.calls).toHaveLength(0);
    expect(await confirmationCounts(h.db.client)).toEqual({ pending: 0, sent: 0, failed: 2 });
  });

  test("share one queue with notices and go first: a confirmation asked for during a fan-out is in the next batch", async () => {
    await addSubscribers(h.db, 250, "fan");
    await declare(h.db, mailHooks);
    await request("new@example.com");
    const mailer = new StubMailer([]);
    const sender = new OutboxSender({ db: h.db, mailer, settings, log: () => {} });
    expect((await sender.drainOnce()).kind).toBe("batch");
    const first = mailer.calls[0]!.messages;
    expect(first).toHaveLength(100);
    const confirmation = first.filter((m) => m.to === "new@example.com");
    expect(confirmation.map((m) => m.subject)).toEqual([expect.stringMatching(/^Confirm your subscription to /)]);
    expect(first.filter((m) => m.to !== "new@example.com").every((m) => m.subject.startsWith("[INVESTIGATING]"))).toBe(true);
    expect(await confirmationCounts(h.db.client)).toEqual({ pending: 0, sent: 1, failed: 0 });
  });

  test("the message: subject, recipient, no header injection, escaped HTML", () => {
    const m = buildConfirmationMessage({ ...settings, pageName: 'Ex<b>"ample\r\nBcc: x' }, { subscriberId: "abcdefghij12", email: "ada@example.com", nonce: "n".repeat(22), expiresAt: new Date().toISOString() });
    expect(m.subject).not.toMatch(/[\r\n]/);
    expect(m.subject).toMatch(/^Confirm your subscription to /);
    expect(m.html).not.toContain("<b>");
    expect(m.to).toBe("ada@example.com");
    expect(m.text).toContain(`${settings.pageUrl}/subscriptions/confirm?token=`);
    // Like every mail, it can be refused in one click (RFC 8058) and says so visibly.
    const unsubscribe = unsubscribeUrl(settings, "abcdefghij12");
    expect(m.headers["List-Unsubscribe"]).toBe(`<${unsubscribe}>`);
    expect(m.headers["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    expect(m.headers["List-Id"]).toMatch(/^".*" <updates\./);
    expect(m.text).toContain(`Never send mail to this address again: ${unsubscribe}`);
    expect(m.html).toContain(`href="${unsubscribe}"`);
    for (const value of Object.values(m.headers)) expect(value).not.toMatch(/[\r\n]/);
  });
});
