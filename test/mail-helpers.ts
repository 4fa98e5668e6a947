/** Shared by the mail suites (not a test file itself). */
import { newId } from "../domain/ids.ts";
import { createIncident, type NewIncident } from "../api/service/incidents.ts";
import type { WriteHooks } from "../api/service/context.ts";
import type { MailSettings } from "../api/mail/message.ts";
import type { Database } from "../db/database.ts";
import type { IncidentRecord } from "../db/records.ts";
import { insertSubscriber, insertSubscribersBulk, type SubscriberState } from "../db/queries/subscribers.ts";

export const SECRET = "test-secret-0123456789abcdefghijklmnop";

export const settings: MailSettings = {
  pageName: "Example",
  pageUrl: "https://status.example.com",
  timeZone: "Etc/UTC",
  from: "Example Status <status@example.com>",
  secret: SECRET,
};

export const actor = { id: null, name: "test", role: "admin" as const };

export async function addSubscriber(db: Database, email: string, state: SubscriberState = "active", componentIds: string[] | null = null): Promise<string> {
  const id = newId();
  const now = new Date().toISOString();
  await db.write((tx) =>
    insertSubscriber(tx, { id, email, state, componentIds, createdAt: now, confirmedAt: state === "active" ? now : null, unsubscribedAt: null }),
  );
  return id;
}

export async function addSubscribers(db: Database, count: number, prefix = "user", state: SubscriberState = "active"): Promise<void> {
  await db.write((tx) =>
    insertSubscribersBulk(tx, { count, idPrefix: prefix.slice(0, 4).padEnd(4, "x"), emailPrefix: prefix, domain: "example.com", state, componentIds: null, now: new Date().toISOString() }),
  );
}

export async function declare(db: Database, hooks: WriteHooks, input: Partial<NewIncident> = {}): Promise<IncidentRecord> {
  return db.write((tx) =>
    createIncident({ tx, actor, now: new Date().toISOString(), hooks }, { name: "API Gateway Down", severity: "SEV1", body: "We're investigating.", ...input }),
  );
}
