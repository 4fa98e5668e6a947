/**
 * The console's home, "Now": what customers see at this moment (banner, open incidents and
 * maintenances, component states), each open incident's response clock, and how its latest
 * update went out (mail, webhooks, team channel) — so the comms lead can trust the words left.
 */
import { COMPONENT_STATUS_LABELS } from "../../domain/components.ts";
import { pageStatus } from "../../domain/indicator.ts";
import { STATUS_LABELS } from "../../domain/lifecycle.ts";
import { firstUpdateDueAt, responseLapses } from "../../domain/response.ts";
import { formatPosted, formatTime } from "../../domain/time.ts";
import { latestTeamMessage, mailCountsForUpdate, webhookCountsForUpdate } from "../../db/queries/deliveries.ts";
import { listIncidents } from "../../db/queries/incidents.ts";
import { pageStatusInput } from "../../db/queries/page.ts";
import type { IncidentRecord } from "../../db/records.ts";
import { escapeHtml } from "../../templates/markdown.ts";
import { currentPromise } from "../internal/message.ts";
import { responseInputOf } from "../internal/reminders.ts";
import { listComponentViews } from "../service/components.ts";
import type { ConsoleDeps } from "./context.ts";
import { para } from "./pages.ts";

/** "in 12 min" / "14 min ago". */
function relative(at: string, now: string): string {
  const minutes = Math.round((Date.parse(at) - Date.parse(now)) / 60_000);
  return minutes >= 0 ? `in ${minutes} min` : `${-minutes} min ago`;
}

/**
 * An open incident's response clock, in words (never by colour alone): when the next update is
 * due — the promised time, or the severity's first-update target — and LATE once it has passed.
 */
function responseClock(incident: IncidentRecord, now: string, tz: string): string {
  const promised = currentPromise(incident);
  // What customers have been told (a draft: nothing yet), as the response-time rules read it.
  const input = responseInputOf(incident);
  const due = promised ?? (input.updates.length === 0 && incident.severity ? firstUpdateDueAt(incident.severity, incident.startedAt, tz) : null);
  const lapses = incident.severity ? responseLapses(input, now, tz).filter((l) => l.resolvedAt === null) : [];
  if (!due) return lapses.length ? "<strong>LATE</strong>" : "No promise";
  const late = Date.parse(due) < Date.parse(now);
  return `${late ? "<strong>LATE:</strong> was due" : "Due"} ${escapeHtml(formatTime(due, tz))} (${escapeHtml(relative(due, now))})`;
}

/** How the latest update went out: its mails and webhooks by state, and the team message. */
async function deliveryText(db: ConsoleDeps["db"], incident: IncidentRecord): Promise<string> {
  const latest = [...incident.updates].sort((a, b) => b.seq - a.seq)[0];
  if (!latest) return "-";
  const team = await latestTeamMessage(db.client, incident.id);
  const teamText = team ? `Team channel: ${team === "pending" ? "queued" : team}` : null;
  if (!latest.deliverNotifications) return escapeHtml(["Subscribers: not told (notify off)", teamText].filter(Boolean).join(" · "));
  const [mail, hooks] = await Promise.all([mailCountsForUpdate(db.client, latest.id), webhookCountsForUpdate(db.client, latest.id)]);
  const counts = (c: { sent: number; pending: number; failed: number }) => `${c.sent} sent, ${c.pending} queued, ${c.failed} failed`;
  const lines = [`Mail: ${counts(mail)}`, `Webhooks: ${counts(hooks)}`, teamText].filter((l): l is string => l !== null);
  // One line each, and "failed" in words: status never by colour alone.
  return lines.map((l) => escapeHtml(l)).join("<br>");
}

/** What customers see at this moment: the banner, open incidents and maintenances, each component's status. */
export async function nowBody({ db, config, clock }: ConsoleDeps): Promise<string> {
  const tz = config.page.timeZone;
  const now = clock.now().toISOString();
  const status = pageStatus(await pageStatusInput(db.client));
  const open = await listIncidents(db.client, { kind: "incident", state: "open", limit: 100 });
  const maintenances = await listIncidents(db.client, { kind: "maintenance", state: "open", limit: 100 });
  const drafts = await listIncidents(db.client, { kind: "incident", state: "open", limit: 100, drills: "drafts" });
  const components = (await listComponentViews(db.client)).filter((c) => !c.isGroup);
  const row = (cells: string[]) => `<tr>${cells.map((cell) => `<td>${cell}</td>`).join("")}</tr>`;
  const incidents = open.length
    ? `<table><thead><tr><th scope="col">Incident</th><th scope="col">Severity</th><th scope="col">Status</th><th scope="col">Last update</th><th scope="col">Next update</th><th scope="col">Delivery of the last update</th></tr></thead><tbody>${(
        await Promise.all(
          open.map(async (i) =>
            row([
              `<a href="/console/incidents/${encodeURIComponent(i.id)}">${escapeHtml(i.name)}</a>`,
              escapeHtml(i.severity ?? "-"),
              escapeHtml(STATUS_LABELS[i.status]),
              escapeHtml(formatPosted(i.updatedAt, tz)),
              responseClock(i, now, tz),
              await deliveryText(db, i),
            ]),
          ),
        )
      ).join("")}</tbody></table>`
    : para("No open incidents.");
  const windows = maintenances.length
    ? `<ul>${maintenances.map((m) => `<li>${escapeHtml(m.name)} — ${escapeHtml(STATUS_LABELS[m.status])}</li>`).join("")}</ul>`
    : para("No maintenance scheduled or under way.");
  const statuses = components.length
    ? `<table><thead><tr><th scope="col">Component</th><th scope="col">Status</th></tr></thead><tbody>${components
        .map((c) => row([escapeHtml(c.name), escapeHtml(COMPONENT_STATUS_LABELS[c.status])]))
        .join("")}</tbody></table>`
    : para("No components yet.");
  // Drafts come first: an alert has fired and customers have not been told.
  const waiting = drafts.length
    ? `<section aria-labelledby="drafts"><h2 id="drafts">Drafts waiting to be published</h2><ul>${drafts
        .map((d) => `<li><a href="/console/incidents/${encodeURIComponent(d.id)}">${escapeHtml(d.name)}</a> — opened by an alert ${escapeHtml(formatPosted(d.createdAt, tz))}; first public update: ${responseClock(d, now, tz)}</li>`)
        .join("")}</ul></section>`
    : "";
  return `<p><a class="cta" href="/console/incidents/new">Declare an incident</a></p>
${waiting}<section aria-labelledby="banner"><h2 id="banner">What customers see</h2><p><strong>${escapeHtml(status.description)}</strong></p></section>
<section aria-labelledby="open"><h2 id="open">Open incidents</h2>${incidents}</section>
<section aria-labelledby="maint"><h2 id="maint">Maintenance</h2>${windows}</section>
<section aria-labelledby="cmp"><h2 id="cmp">Components</h2>${statuses}</section>`;
}
