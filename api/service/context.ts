import type { Transaction } from "@libsql/client";
import type { Actor, IncidentRecord, PostmortemRecord, UpdateRecord } from "../../db/records.ts";

/** What every write needs: the open transaction, who is writing, and when (one clock reading per write). */
export interface WriteContext {
  tx: Transaction;
  actor: Actor;
  now: string;
  hooks: WriteHooks;
}

/**
 * Work that must commit in the same transaction as an update (the mail outbox, webhooks),
 * so that an accepted update and the deliveries it implies are stored together or not at all.
 */
export interface WriteHooks {
  updatePosted?(ctx: WriteContext, incident: IncidentRecord, update: UpdateRecord): Promise<void>;
  /**
   * A postmortem was published with `notify_subscribers` (at most once per postmortem); `markdown`
   * is its text as published, action items included. Returns how many deliveries were enqueued.
   */
  postmortemNotice?(ctx: WriteContext, incident: IncidentRecord, postmortem: PostmortemRecord, markdown: string): Promise<number>;
}
