/**
 * Internal updates: every change of an incident becomes a message for the comms team's channel
 * (SLACK_WEBHOOK_URL), queued in the change's own transaction and sent in the background; the
 * response-time checker queues its reminders the same way. Nothing here imports node:*, so the
 * Workers entry can use it as is: the hooks in createApp, `checkResponseTimes` and the sender's
 * step from whichever scheduler the runtime runs (api/runtime/tasks.ts).
 */
import { templateText } from "../../templates/source.ts";
import type { WriteHooks } from "../service/context.ts";
import type { Database } from "../../db/database.ts";
import { enqueueInternalMessage, getIncidentRoles } from "../../db/queries/internal.ts";
import { automationMessage, internalUpdate, lapseReminder, parseInternalTemplate, type InternalPage, type InternalTemplate } from "./message.ts";
import type { LapseNotifier } from "./reminders.ts";
import { drainInternalOutbox, type InternalSenderDeps } from "./sender.ts";

export { checkResponseTimes, type LapseNotifier, type ResponseCheckDeps } from "./reminders.ts";
export { drainInternalOutbox, type DrainReport, type InternalSenderDeps } from "./sender.ts";
export { parseInternalTemplate, type InternalTemplate } from "./message.ts";

let internalTemplate: InternalTemplate | null = null;

/** templates/internal-update.md, read and checked once; call at start so a bad template stops Herald. */
export function loadInternalTemplate(): InternalTemplate {
  internalTemplate ??= parseInternalTemplate(templateText("internal-update.md"));
  return internalTemplate;
}

/** `WriteHooks.incidentChanged`: renders the internal update and queues it with the change. */
export function internalUpdateHooks(options: { page: InternalPage; template: InternalTemplate }): WriteHooks {
  return {
    async incidentChanged(ctx, incident, change) {
      // A draft's opening is told by the alert's own note (automationNote), with its link.
      if (incident.draft && change.kind === "created") return;
      const roles = await getIncidentRoles(ctx.tx, incident.id);
      const payload = internalUpdate(options.template, options.page, incident, roles, change, ctx.actor.name);
      await enqueueInternalMessage(ctx.tx, { incidentId: incident.id, kind: "update", payload, now: ctx.now });
    },
    async automationNote(ctx, note) {
      await enqueueInternalMessage(ctx.tx, { incidentId: null, kind: "alert", payload: automationMessage(options.page, note), now: ctx.now });
    },
  };
}

/** Reminds through the internal outbox, in the transaction that records the lapse. */
export function internalLapseNotifier(page: InternalPage): LapseNotifier {
  return {
    async remind(ex, incident, lapse, now) {
      const payload = lapseReminder(page, incident, await getIncidentRoles(ex, incident.id), lapse);
      await enqueueInternalMessage(ex, { incidentId: incident.id, kind: "reminder", payload, now });
    },
  };
}

/** The internal channel as configured; null without SLACK_WEBHOOK_URL (then nothing is queued). */
export interface InternalChannel {
  hooks: WriteHooks;
  notifier: LapseNotifier;
  /** One step of the sender: the milliseconds until it is worth stepping again (0: more is due now). */
  step(): Promise<number>;
}

export function createInternalChannel(options: {
  db: Database;
  page: InternalPage;
  template: InternalTemplate;
  env: Readonly<Record<string, string | undefined>>;
  log?: (line: string) => void;
}): InternalChannel | null {
  const webhookUrl = options.env.SLACK_WEBHOOK_URL?.trim();
  if (!webhookUrl) return null;
  let parsed: URL;
  try {
    parsed = new URL(webhookUrl);
  } catch {
    throw new Error("SLACK_WEBHOOK_URL must be an http(s) URL.");
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") throw new Error("SLACK_WEBHOOK_URL must be an http(s) URL.");
  return {
    hooks: internalUpdateHooks(options),
    notifier: internalLapseNotifier(options.page),
    step: internalSenderStep({ db: options.db, webhookUrl, log: options.log }),
  };
}

/** drainInternalOutbox as a scheduler step (see InternalChannel.step). */
export function internalSenderStep(deps: InternalSenderDeps & { pollMs?: number }): () => Promise<number> {
  const pollMs = deps.pollMs ?? 1000;
  return async () => {
    const report = await drainInternalOutbox(deps);
    if (report.sent + report.failed + report.deferred > 0 && report.nextDueAt && Date.parse(report.nextDueAt) <= Date.now()) return 0;
    if (!report.nextDueAt) return pollMs * 5;
    return Math.max(10, Math.min(pollMs * 5, Date.parse(report.nextDueAt) - Date.now()));
  };
}
