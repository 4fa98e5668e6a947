import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mailHooks } from "../api/mail/outbox.ts";
import { postIncidentUpdate } from "../api/service/incidents.ts";
import { outboxCounts } from "../db/queries/outbox.ts";
import { FakeResend } from "./fake-resend.ts";
import { startTestHerald, type TestHerald } from "./harness.ts";
import { actor, addSubscribers, declare } from "./mail-helpers.ts";

const CHILD = fileURLToPath(new URL("./mail-crash-child.ts", import.meta.url));
const SUBSCRIBERS = 5_000;

let h: TestHerald;
let fake: FakeResend;

beforeAll(async () => {
  h = await startTestHerald();
  fake = new FakeResend();
  await fake.start();
});
afterAll(async () => {
  await fake.close();
  await h.close();
});

function runChild(): { child: ChildProcess; exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> } {
  const child = spawn(process.execPath, [CHILD, h.databaseUrl, fake.url], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdout!.resume();
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, exit };
}

describe("crash safety", () => {
  it("delivers every update exactly once to every subscriber across SIGKILLs of the sender", { timeout: 120_000 }, async () => {
    await addSubscribers(h.db, SUBSCRIBERS);
    const incident = await declare(h.db, mailHooks);
    await h.db.write((tx) =>
      postIncidentUpdate({ tx, actor, now: new Date().toISOString(), hooks: mailHooks }, incident.id, { status: "identified", body: "Found it." }),
    );
    expect((await outboxCounts(h.db.client)).pending).toBe(2 * SUBSCRIBERS);

    // Run 1: killed the moment its 20th request reaches the provider, so that batch is delivered
    // but its response never arrives and its rows are never marked sent.
    const run1 = runChild();
    fake.onRequest = () => {
      if (fake.requests.length === 20) run1.child.kill("SIGKILL");
    };
    const exit1 = await run1.exit;
    expect(exit1.signal).toBe("SIGKILL");
    fake.onRequest = null;
    const afterRun1 = await outboxCounts(h.db.client);
    expect(afterRun1.pending).toBeGreaterThan(0);

    // Run 2: killed at an arbitrary moment (mid-write, mid-request or between).
    const run2 = runChild();
    const requestsBefore = fake.requests.length;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (fake.requests.length >= requestsBefore + 15) {
          clearInterval(timer);
          setTimeout(() => {
            run2.child.kill("SIGKILL");
            resolve();
          }, Math.floor(Math.random() * 15));
        }
      }, 1);
    });
    const exit2 = await run2.exit;
    expect(exit2.signal).toBe("SIGKILL");
    expect((await outboxCounts(h.db.client)).pending).toBeGreaterThan(0);

    // Run 3: to the end.
    const run3 = runChild();
    const exit3 = await run3.exit;
    expect(exit3.stderr).toBe("");
    expect(exit3.code).toBe(0);

    expect(await outboxCounts(h.db.client)).toEqual({ pending: 0, sent: 2 * SUBSCRIBERS, failed: 0 });
    // Exactly one message per (subscriber, update) at the provider.
    const perMessage = new Map<string, number>();
    for (const d of fake.deliveries) {
      const k = `${d.email.to.join(",")}|${d.email.subject}`;
      perMessage.set(k, (perMessage.get(k) ?? 0) + 1);
    }
    expect(perMessage.size).toBe(2 * SUBSCRIBERS);
    expect([...perMessage.values()].every((n) => n === 1)).toBe(true);
    const perRecipient = fake.deliveryCounts();
    expect(perRecipient.size).toBe(SUBSCRIBERS);
    expect([...perRecipient.values()].every((n) => n === 2)).toBe(true);
    // The batch in flight at the first kill was sent again under its key and replayed, not redelivered.
    expect(fake.requests.some((r) => r.replayed)).toBe(true);
    expect(fake.requests.every((r) => r.answer !== 409)).toBe(true); // same key always came with the same payload
    // And the database agrees with the provider on ids.
    const ids = await h.db.client.execute("SELECT provider_message_id FROM outbox");
    const known = new Set(fake.deliveries.map((d) => d.id));
    expect(ids.rows.every((r) => known.has(String(r.provider_message_id)))).toBe(true);
  });
});
