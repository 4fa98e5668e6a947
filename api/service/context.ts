import type { Transaction } from "@libsql/client";
import type { ComponentStatus } from "../domain/components.ts";
import type { Actor, ComponentRecord, IncidentRecord, UpdateRecord } from "../../db/records.ts";

/** What every write needs: the open transaction, who is writing, and when (one clock reading per write). */
export interface WriteContext {
  tx: Transaction;
  actor: Actor;
  now: string;
  hooks: WriteHooks;
}

/** A component's status changed (not its first status at creation): by an admin, or by an incident or maintenance update. */
export interface ComponentStatusChange {
  /** The component as it is after the change. */
  component: ComponentRecord;
  oldStatus: ComponentStatus;
  /** The incident or maintenance whose update made the change, if any. */
  incidentId: string | null;
  updateId: string | null;
}

/**
 * Work that must commit in the same transaction as an update (the mail outbox, webhooks),
 * so that an accepted update and the deliveries it implies are stored together or not at all.
 */
export interface WriteHooks {
  updatePosted?(ctx: WriteContext, incident: IncidentRecord, update: UpdateRecord): Promise<void>;
  componentStatusChanged?(ctx: WriteContext, change: ComponentStatusChange): Promise<void>;
}

/** Several hook sets as one, each called in the order given. */
export function combineHooks(...sets: readonly WriteHooks[]): WriteHooks {
  return {
    async updatePosted(ctx, incident, update) {
      for (const hooks of sets) await hooks.updatePosted?.(ctx, incident, update);
    },
    async componentStatusChanged(ctx, change) {
      for (const hooks of sets) await hooks.componentStatusChanged?.(ctx, change);
    },
  };
}
