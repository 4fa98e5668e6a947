import { mkdtempSync, rmSync } from "node:fs";
import { readMailDir } from "./mime.ts";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createMailDelivery } from "../api/mail/index.ts";
import { EmlMailer } from "../api/mail/eml.ts";

const localMailer = (dir: string) => new EmlMailer(dir);
import { OutboxSender } from "../api/mail/sender.ts";
import { outboxCounts } from "../db/queries/outbox.ts";
import { startLoops } from "../api/runtime/tasks.ts";
import { FakeResend } from "./fake-resend.ts";
import { startTestHerald, type TestHerald } from "./harness.ts";
import { addSubscriber, settings } from "./mail-helpers.ts";
import { insertConfirmation } from "../db/queries/subscribers.ts";

let h: TestHerald;
let mailDir: string;

beforeAll(async () => {
  h = await startTestHerald();
  mailDir = mkdtempSync(join(tmpdir(), "herald-mail-"));
  await addSubscriber(h.db, "ada@example.com");
});
afterAll(async () => {
  await h.close();
  rmSync(mailDir, { recursive: true, force: true });
});
beforeEach(async () => {
  await h.db.client.execute("DELETE FROM outbox");
});

async function declareViaApi(name: string): Promise<void> {
  const res = await h.call("POST", "/api/v1/incidents", { token: h.tokens.comms, body: { name, severity: "SEV2", body: "Looking into it." } });
  expect(res.status).toBe(201);
}

describe("createMailDelivery", () => {
  it("without RESEND_API_KEY writes .eml files under MAIL_DIR for updates posted through the API", async () => {
    const logs: string[] = [];
    const mail = createMailDelivery({ db: h.db, config: h.config, env: { MAIL_DIR: mailDir, HERALD_SECRET: "s3cret" }, log: (l) => logs.push(l), localMailer });
    expect(mail.mailer.name).toBe("eml");
    h.deps.hooks = mail.hooks;
    await declareViaApi("Queue backlog");
    expect((await outboxCounts(h.db.client)).pending).toBe(1);
    const loops = startLoops([{ name: "mail", step: () => mail.sender.step() }], () => {});
    const deadline = Date.now() + 10_000;
    while ((await outboxCounts(h.db.client)).pending > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await loops.stop();
    const mails = await readMailDir(mailDir);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.to).toEqual(["ada@example.com"]);
    expect(mails[0]!.subject).toMatch(/^\[INVESTIGATING\] Queue backlog - \w{3} \d{1,2}, \d{4}$/);
    expect(mails[0]!.from).toBe("Example <status@status.example.com>");
    expect(logs.some((l) => l.includes("accepted, sent=1"))).toBe(true);
  });

  it("with RESEND_API_KEY sends through the SDK to RESEND_BASE_URL", async () => {
    const fake = new FakeResend();
    await fake.start();
    try {
      const mail = createMailDelivery({
        db: h.db, config: h.config, log: () => {},
        env: { RESEND_API_KEY: "re_wiring", RESEND_BASE_URL: fake.url, HERALD_SECRET: "s3cret", EMAIL_FROM: "Status <status@example.com>" },
      });
      expect(mail.mailer.name).toBe("resend");
      h.deps.hooks = mail.hooks;
      await declareViaApi("Slow dashboard");
      expect(await mail.sender.drainAll(10_000)).toEqual({ pending: 0, sent: 1, failed: 0 });
      expect(fake.deliveredTo("ada@example.com")).toBe(1);
      expect(fake.deliveries[0]!.email.from).toBe("Status <status@example.com>");
    } finally {
      await fake.close();
    }
  });

  it("one sender with one MAIL_RATE_LIMIT budget sends confirmations and notices alike", async () => {
    const mail = createMailDelivery({ db: h.db, config: h.config, env: { MAIL_DIR: mailDir, HERALD_SECRET: "s3cret", MAIL_RATE_LIMIT: "50" }, log: () => {}, localMailer });
    expect(mail.sender.ratePerSecond).toBe(50);
    // A confirmation is a row of the same outbox, sent by that sender in the same batches as a notice.
    h.deps.hooks = mail.hooks;
    const pendingId = await addSubscriber(h.db, "grace@example.com", "pending");
    await h.db.write((tx) =>
      insertConfirmation(tx, { subscriberId: pendingId, nonce: "wiring-nonce", tokenHash: "wiring-hash", expiresAt: new Date(Date.now() + 3_600_000).toISOString(), now: new Date().toISOString() }),
    );
    await declareViaApi("Budget check");
    expect(await mail.sender.drainOnce()).toMatchObject({ kind: "batch", outcome: "accepted", sent: 2 });
    const subjects = (await readMailDir(mailDir)).map((m) => m.subject);
    expect(subjects.some((s) => s.startsWith("Confirm your subscription"))).toBe(true);
    expect(subjects.some((s) => s.includes("Budget check"))).toBe(true);
    await h.db.client.execute("DELETE FROM outbox");
    await h.db.client.execute("DELETE FROM subscription_confirmations");
  });

  it("refuses to send through Resend without HERALD_SECRET, and rejects a bad rate", () => {
    expect(() => createMailDelivery({ db: h.db, config: h.config, env: { RESEND_API_KEY: "re_x" } })).toThrow(/HERALD_SECRET/);
    // A runtime without a disk (the Worker) passes no local mailer: Resend is then required.
    expect(() => createMailDelivery({ db: h.db, config: h.config, env: { HERALD_SECRET: "s" } })).toThrow(/RESEND_API_KEY must be set/);
    expect(() => createMailDelivery({ db: h.db, config: h.config, env: { HERALD_SECRET: "s", MAIL_RATE_LIMIT: "0" }, localMailer })).toThrow(/MAIL_RATE_LIMIT/);
  });

  it("marks every row of a batch the provider refuses as a whole as failed, without retrying", async () => {
    h.deps.hooks = createMailDelivery({ db: h.db, config: h.config, env: { HERALD_SECRET: "s" }, log: () => {}, localMailer }).hooks;
    await declareViaApi("Refused");
    let calls = 0;
    const sender = new OutboxSender({
      db: h.db, settings, log: () => {},
      mailer: { name: "stub", sendBatch: async () => (calls++, { kind: "rejected", error: "422 validation_error: bad from" }) },
    });
    expect(await sender.drainAll(5_000)).toEqual({ pending: 0, sent: 0, failed: 1 });
    expect(calls).toBe(1);
    const row = await h.db.client.execute("SELECT last_error FROM outbox");
    expect(row.rows[0]!.last_error).toBe("422 validation_error: bad from");
  });
});
