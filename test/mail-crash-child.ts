/**
 * Run by test/mail-crash.test.ts as a separate process (it gets SIGKILLed mid-way):
 *   node test/mail-crash-child.ts <DATABASE_URL> <fake Resend base URL>
 * Opens the same database file and drains the outbox into the fake Resend through the real SDK.
 */
import { ResendMailer } from "../api/mail/mailer.ts";
import { OutboxSender } from "../api/mail/sender.ts";
import { openNodeDatabase } from "../db/open-node.ts";
import { settings } from "./mail-helpers.ts";

const [databaseUrl, baseUrl] = process.argv.slice(2);
if (!databaseUrl || !baseUrl) {
  console.error("usage: mail-crash-child.ts DATABASE_URL RESEND_BASE_URL");
  process.exit(2);
}
const { db } = await openNodeDatabase(databaseUrl);
const sender = new OutboxSender({
  db,
  mailer: new ResendMailer({ apiKey: "re_crash_test", baseUrl, timeoutMs: 2000 }),
  settings,
  ratePerSecond: 1000,
  baseBackoffMs: 50,
  pollMs: 20,
  log: () => {},
});
const counts = await sender.drainAll(120_000);
console.log(JSON.stringify(counts));
db.close();
