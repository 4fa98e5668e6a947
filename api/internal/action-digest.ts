/**
 * The weekly action-item digest (the seed: "track action items … report progress weekly"): at
 * ACTION_DIGEST's slot (domain/action-digest.ts), the team channel gets the open and overdue
 * postmortem action items by owner. Once per week across restarts and processes: the week's key
 * is claimed first (`settings`, first writer wins). A week with nothing open sends nothing, and a
 * page set up after the week's hour waits for the next.
 */
import { enqueueInternalMessage } from "../../db/queries/internal.ts";
import { listActionItems, type TrackedActionItem } from "../../db/queries/postmortems.ts";
import { pageCreatedAt } from "../../db/queries/page.ts";
import { claimSetting, hasSetting } from "../../db/queries/settings.ts";
import { dueDigest, groupByOwner, type DigestSchedule } from "../../domain/action-digest.ts";
import { formatIncidentNumber } from "../../domain/incident-number.ts";
import { dayKey, formatDayShort } from "../../domain/time.ts";
import { escapeSlack, type InternalPage } from "./message.ts";
import type { TeamNoticeDeps } from "./postmortem-reminders.ts";

/** The digest's Slack text (mrkdwn), or null when nothing is open. */
export function actionDigestText(items: readonly TrackedActionItem[], today: string, page: InternalPage): string | null {
  const open = items.filter((i) => !i.done);
  if (open.length === 0) return null;
  const groups = groupByOwner(open, today);
  const overdue = groups.reduce((n, g) => n + g.items.filter((i) => i.overdue).length, 0);
  const lines = [`:clipboard: *Action items this week*: ${open.length} open${overdue > 0 ? `, ${overdue} overdue` : ""}`];
  for (const group of groups) {
    lines.push(`*${escapeSlack(group.owner ?? "No owner")}* (${group.items.length})`);
    for (const item of group.items) {
      const id = `${item.incidentNumber ? formatIncidentNumber(item.incidentNumber) : item.incidentId}.${item.position}`;
      const due = item.dueDate ? ` — ${item.overdue ? `*overdue* since ${formatDayShort(item.dueDate)}` : `due ${formatDayShort(item.dueDate)}`}` : "";
      // Slack's link syntax: the item's id opens its postmortem in the console.
      const link = `<${escapeSlack(`${page.url}/console/postmortems/${encodeURIComponent(item.incidentId)}`)}|${id}>`;
      lines.push(`• ${item.overdue ? ":warning: " : ""}${link} ${escapeSlack(item.description)}${due}`);
    }
  }
  lines.push("Done with one? `herald actions done ID`, or tick it in its postmortem.");
  return lines.join("\n");
}

/** Queues this week's digest when its slot has come; returns the slot's day when it was queued now. */
export async function sendActionDigest(deps: TeamNoticeDeps & { schedule: DigestSchedule | null }): Promise<string | null> {
  if (!deps.channel || !deps.schedule) return null;
  const now = deps.clock.now().toISOString();
  const due = dueDigest(now, deps.page.timeZone, deps.schedule);
  if (!due) return null;
  const key = `action-digest:${due.day}`;
  if (await hasSetting(deps.db.client, key)) return null;
  // A page set up after this week's hour starts with next week's digest.
  const pageSince = await pageCreatedAt(deps.db.client);
  if (pageSince === null || pageSince > due.at) return null;
  const today = dayKey(now, deps.page.timeZone);
  const text = actionDigestText(await listActionItems(deps.db.client, "open", today), today, deps.page);
  const queued = await deps.db.write(async (tx) => {
    if (!(await claimSetting(tx, key, now, now))) return false;
    if (text) await enqueueInternalMessage(tx, { incidentId: null, kind: "reminder", payload: { text }, now });
    return text !== null;
  });
  if (queued) deps.log?.(`action items: the weekly digest was queued`);
  return queued ? due.day : null;
}
