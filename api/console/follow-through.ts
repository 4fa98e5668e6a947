/**
 * The seed's Learn, for the people who do it: postmortems still owed (due two business days after
 * a SEV1/SEV2 is resolved), every open action item with a Done button (overdue first), and the
 * response over the last 90 days against the seed's targets — what `herald actions` and
 * `herald report` show, without a terminal.
 */
import { Hono } from "hono";
import { listActionItems } from "../../db/queries/postmortems.ts";
import { postmortemsNotPublished } from "../../db/queries/internal.ts";
import { reportIncidents } from "../../db/queries/report.ts";
import { formatIncidentNumber } from "../../domain/incident-number.ts";
import { reportBounds, responseReport } from "../../domain/report.ts";
import { postmortemDueAt } from "../../domain/response.ts";
import { SEVERITIES } from "../../domain/severity.ts";
import { addDays, dayKey, formatDayShort, formatDuration, formatPosted } from "../../domain/time.ts";
import { escapeHtml } from "../../templates/markdown.ts";
import { Problem } from "../problem.ts";
import { markActionItem } from "../service/postmortems.ts";
import type { ConsoleContext } from "./context.ts";
import { actionButton, table } from "./forms.ts";
import { para } from "./pages.ts";

const REPORT_DAYS = 90;

export function followThroughPages(ctx: ConsoleContext): Hono {
  const app = new Hono();
  const { db, config } = ctx.deps;
  const tz = config.page.timeZone;
  const requireWriter = ctx.allowed("postmortem:write", "Your role may not change postmortems.");

  app.get("/", async (c) => {
    const session = await requireWriter(c);
    if (session instanceof Response) return session;
    const now = ctx.now();
    const today = dayKey(now, tz);
    const postmortemPath = (id: string) => `/console/postmortems/${encodeURIComponent(id)}`;

    const owed = (await postmortemsNotPublished(db.client, null)).map((p) => {
      const due = postmortemDueAt(p.resolvedAt, tz);
      const late = now >= due;
      return [
        `<a href="${postmortemPath(p.incidentId)}">${escapeHtml(p.name)}</a><br><span class="note">${escapeHtml([p.severity, p.number ? formatIncidentNumber(p.number) : null, `resolved ${formatPosted(p.resolvedAt, tz)}`].filter(Boolean).join(" · "))}</span>`,
        `${late ? "<strong>Overdue</strong> since " : ""}${escapeHtml(formatPosted(due, tz))}`,
        p.hasDraft ? "Draft saved" : "Not started",
      ];
    });

    const items = await listActionItems(db.client, "open", today);
    items.sort((a, b) => Number(b.dueDate !== null && b.dueDate < today) - Number(a.dueDate !== null && a.dueDate < today));
    const itemRows = items.map((item) => {
      const id = `${item.incidentNumber ? formatIncidentNumber(item.incidentNumber) : item.incidentId}.${item.position}`;
      const overdue = item.dueDate !== null && item.dueDate < today;
      return [
        `${escapeHtml(item.description)}<br><span class="note"><a href="${postmortemPath(item.incidentId)}">${escapeHtml(id)}</a>${item.owner ? ` · ${escapeHtml(item.owner)}` : ""}</span>`,
        item.dueDate ? `${overdue ? "<strong>Overdue</strong> · " : ""}${escapeHtml(formatDayShort(item.dueDate))}` : "-",
        actionButton(session, `/console/follow-through/items/${encodeURIComponent(item.incidentId)}/${item.position}/done`, "Done", `Mark ${id} done`),
      ];
    });

    const from = addDays(today, -(REPORT_DAYS - 1));
    const { start, end } = reportBounds(from, today, tz);
    const rows = await reportIncidents(db.client, start, end, today);
    const report = responseReport(rows, { from, to: today, now, timeZone: tz });
    const seconds = (s: number | null) => (s === null ? "-" : escapeHtml(formatDuration(s * 1000)));
    const reportRows = SEVERITIES.map((sev) => {
      const g = report.by_severity[sev];
      return [
        `${escapeHtml(sev)}<br><span class="note">${g.incidents} incident${g.incidents === 1 ? "" : "s"}</span>`,
        `${seconds(g.first_update.median_seconds)}<br><span class="note">target ${escapeHtml(g.first_update.target)}; ${g.first_update.met} met, ${g.first_update.missed} missed; ${g.lapses} lapse${g.lapses === 1 ? "" : "s"}</span>`,
        seconds(g.resolved.median_seconds),
        g.postmortems.required === 0 ? "-" : `${g.postmortems.on_time} on time, ${g.postmortems.late} late, ${g.postmortems.missing} missing`,
      ];
    });

    const body = `${para("The practice ends with Learn: a postmortem within two business days of a SEV1 or SEV2, action items done, and the response measured.")}
<h2>Postmortems owed</h2>
${table(["Incident", "Due", "State"], owed, "None: every SEV1 and SEV2 has its postmortem.")}
<h2>Open action items</h2>
${table(["Item", "Due", ""], itemRows, "No open action items.")}
<h2>Response, last ${REPORT_DAYS} days</h2>
${table(["Severity", "First update (median)", "Resolved (median)", "Postmortems"], reportRows, "No incidents.")}
<p class="note">Drills: ${report.drills.count}, counted apart. The whole report by month: <code>herald report</code> or GET /api/v1/reports/response.</p>`;
    return ctx.page(c, "Follow-through", body, { session });
  });

  app.post("/items/:incident/:position/done", async (c) => {
    const posted = await ctx.postedForm(c, requireWriter);
    if (posted instanceof Response) return posted;
    const position = Number(c.req.param("position"));
    try {
      await ctx.writeOnce(posted.session, null, (w) => markActionItem(w, c.req.param("incident"), position, true), (r) => ({ type: "incident", id: r.incidentId }));
    } catch (error) {
      if (!(error instanceof Problem) || error.status !== 404) throw error;
    }
    return c.redirect("/console/follow-through", 303);
  });

  return app;
}
