import type { Transaction } from "@libsql/client";
import type { StatusSource } from "../../domain/alerts.ts";
import type { ComponentStatus } from "../../domain/components.ts";
import type { Actor, ComponentRecord, IncidentRecord, PostmortemRecord, UpdateRecord } from "../../db/records.ts";

/** What every write needs: the open transaction, who is writing, and when (one clock reading per write). */
export interface WriteContext {
  tx: Transaction;
  actor: Actor;
  now: string;
  hooks: WriteHooks;
  /** The page's zone: incident numbers start again on January 1 there. Absent: UTC. */
  timeZone?: string;
  /** Who a component status change in this write is recorded as (the schedule's moves); absent: a person, or a maintenance's update. */
  statusSource?: StatusSource;
}

/** What happened to an incident in one write (for the internal channel). */
export type IncidentChange =
  | { kind: "created"; update: UpdateRecord }
  | { kind: "updated" | "resolved" | "reopened"; update: UpdateRecord }
  /** A draft (opened by an alert) was published: customers now see it, from `update`. */
  | { kind: "published"; update: UpdateRecord }
  /** PATCH: the fields it changed (name, severity, roles, bridge_url, channel). */
  | { kind: "patched"; fields: string[] };
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
  /**
   * A postmortem was published with `notify_subscribers` (at most once per postmortem); `markdown`
   * is its text as published, action items included. Returns how many deliveries were enqueued.
   */
  postmortemNotice?(ctx: WriteContext, incident: IncidentRecord, postmortem: PostmortemRecord, markdown: string): Promise<number>;
  /** After any change to an incident (not a maintenance), with the incident as committed. */
  incidentChanged?(ctx: WriteContext, incident: IncidentRecord, change: IncidentChange): Promise<void>;
  /** A component's status changed (webhooks tell their subscribers). */
  componentStatusChanged?(ctx: WriteContext, change: ComponentStatusChange): Promise<void>;
  /** Automation changed something (alerts): a short note for the team channel, with the drafts it opened. */
  automationNote?(ctx: WriteContext, note: AutomationNote): Promise<void>;
}

export interface AutomationNote {
  lines: string[];
  draftIncidentIds: string[];
}

/** Several sets of hooks as one: each hook runs in the order given, inside the same transaction. */
export function combineHooks(...all: readonly WriteHooks[]): WriteHooks {
  return {
    async updatePosted(ctx, incident, update) {
      for (const hooks of all) await hooks.updatePosted?.(ctx, incident, update);
    },
    async incidentChanged(ctx, incident, change) {
      for (const hooks of all) await hooks.incidentChanged?.(ctx, incident, change);
    },
    async componentStatusChanged(ctx, change) {
      for (const hooks of all) await hooks.componentStatusChanged?.(ctx, change);
    },
    async automationNote(ctx, note) {
      for (const hooks of all) await hooks.automationNote?.(ctx, note);
    },
    async postmortemNotice(ctx, incident, postmortem, markdown) {
      let enqueued = 0;
      for (const hooks of all) enqueued += (await hooks.postmortemNotice?.(ctx, incident, postmortem, markdown)) ?? 0;
      return enqueued;
    },
  };
}

