import { ResendMailer } from "../api/mail/mailer.ts";
import { mailHooks } from "../api/mail/outbox.ts";
import { OutboxSender } from "../api/mail/sender.ts";
import { createIncident } from "../api/service/incidents.ts";
import { outboxCounts } from "../db/queries/outbox.ts";
import { startLoops } from "../api/runtime/tasks.ts";
import { insertSubscribersBulk } from "../db/queries/subscribers.ts";
import { openNodeDatabase } from "../db/open-node.ts";
import { FakeResend } from "../test/fake-resend.ts";
import { fmt, scratchDir } from "./lib.ts";

/**
 * Email fan-out: enqueue one update to SUBSCRIBERS active subscribers (one write transaction,
 * one INSERT … SELECT), then send a prefix of it through the real Resend SDK to the local fake
 * Resend at RATE requests/second, and compare with the bound RATE × 100 messages/second.
 * Prints enqueue time, throughput and peak RSS.
 */
export async function benchFanout(options: { subscribers?: number; sendPrefix?: number; rate?: number } = {}): Promise<void> {
  const subscribers = options.subscribers ?? 100_000;
  const prefix = Math.min(options.sendPrefix ?? 20_000, subscribers);
  const rate = options.rate ?? 5;
  const dir = scratchDir("fanout");
  const { db } = await openNodeDatabase(`file:${dir}/herald.db`);
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 25);
  const fake = new FakeResend();
  try {
    const now = new Date().toISOString();
    await db.write((tx) =>
      insertSubscribersBulk(tx, { count: subscribers, idPrefix: "sub", emailPrefix: "user", domain: "example.com", state: "active", componentIds: null, now }),
    );

    const t0 = performance.now();
    await db.write((tx) =>
      createIncident(
        { tx, actor: { id: null, name: "bench", role: "admin" }, now: new Date().toISOString(), hooks: mailHooks },
        { name: "API Gateway Down", severity: "SEV1", body: "We're **investigating** elevated API errors." },
      ),
    );
    const enqueueMs = performance.now() - t0;
    const queued = await outboxCounts(db.client);
    console.log(`fanout: enqueued 1 update to ${queued.pending} active subscribers in ${fmt(enqueueMs)} (one write: update + INSERT … SELECT)`);

    fake.retainBodies = false;
    const requestTimes: number[] = [];
    fake.onRequest = () => requestTimes.push(performance.now());
    await fake.start();
    const sender = new OutboxSender({
      db,
      mailer: new ResendMailer({ apiKey: "re_bench", baseUrl: fake.url, timeoutMs: 10_000 }),
      settings: { pageName: "Bench", pageUrl: "https://status.example.com", timeZone: "Etc/UTC", from: "Bench <status@example.com>", secret: "bench-secret" },
      ratePerSecond: rate,
      log: () => {},
    });
    const t1 = performance.now();
    const loops = startLoops([{ name: "mail", step: () => sender.step() }], () => {});
    while (fake.deliveries.length < prefix) await new Promise((r) => setTimeout(r, 50));
    const sendMs = performance.now() - t1;
    await loops.stop();
    const sent = (await outboxCounts(db.client)).sent;
    const perSecond = (fake.deliveries.length / sendMs) * 1000;
    const bound = rate * 100;
    console.log(
      `fanout: sent ${fake.deliveries.length} messages (a prefix of ${subscribers}; ${sent} marked sent) in ${(sendMs / 1000).toFixed(1)} s ` +
        `at ${rate} req/s: ${perSecond.toFixed(0)} msg/s = ${(perSecond / bound).toFixed(3)} of the ${bound} msg/s bound (includes the initial burst of ${Math.max(1, rate)} requests)`,
    );
    // Steady state: after the bucket's initial burst, requests per second × 100 against the bound.
    const burst = Math.max(1, rate);
    if (requestTimes.length > burst + 1) {
      const steady = ((requestTimes.length - 1 - burst) / ((requestTimes.at(-1)! - requestTimes[burst]!) / 1000)) * 100;
      console.log(`fanout: steady state after the burst: ${steady.toFixed(0)} msg/s = ${(steady / bound).toFixed(3)} of the bound`);
    }
    console.log(`fanout: peak RSS ${(peakRss / 1024 / 1024).toFixed(0)} MiB`);
  } finally {
    clearInterval(sampler);
    await fake.close();
    db.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchFanout();
