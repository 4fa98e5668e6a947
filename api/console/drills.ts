/**
 * Drills from the console: a drill starts from the Declare form ("This is a drill"), runs with the
 * usual updates, and ends when it is resolved (here, or with "End the drill"); its report measures
 * the response against the severity's targets from the seed, as `herald drill report` does.
 */
import { Hono, type Context } from "hono";
import { STATUS_LABELS } from "../../domain/lifecycle.ts";
import { measureResponse, type Milestone } from "../../domain/response.ts";
import { formatDuration, formatPosted } from "../../domain/time.ts";
import { getIncident, listIncidents } from "../../db/queries/incidents.ts";
import { escapeHtml } from "../../templates/markdown.ts";
import { responseInputOf } from "../internal/reminders.ts";
import { Problem } from "../problem.ts";
import { postIncidentUpdate } from "../service/incidents.ts";
import type { ConsoleContext } from "./context.ts";
import { hiddenFields, table } from "./forms.ts";
import { para } from "./pages.ts";

export function drillPages(ctx: ConsoleContext): Hono {
  const app = new Hono();
  const { db, config } = ctx.deps;
  const tz = config.page.timeZone;
  const requireWriter = ctx.allowed("incident:write", "Your role may not run drills.");

  app.get("/", async (c) => {
    const session = await requireWriter(c);
    if (session instanceof Response) return session;
    const drills = await listIncidents(db.client, { kind: "incident", drills: "only", limit: 50 });
    const rows = drills.map((d) => [
      `<a href="/console/incidents/${encodeURIComponent(d.id)}">${escapeHtml(d.name)}</a>`,
      escapeHtml(d.severity ?? "-"),
      escapeHtml(STATUS_LABELS[d.status]),
      escapeHtml(formatPosted(d.startedAt, tz)),
      `<a href="/console/drills/${encodeURIComponent(d.id)}">Report<span class="vh"> of ${escapeHtml(d.name)}</span></a>`,
    ]);
    return ctx.page(
      c,
      "Drills",
      para("A drill is a practice incident: it runs like a real one, but nothing of it reaches the status page, its feeds or subscribers. The team channel hears of it, marked as a drill.") +
        `<p><a class="cta" href="/console/incidents/new">Start a drill</a> <span class="note">(tick "This is a drill" on the form)</span></p>` +
        table(["Drill", "Severity", "Status", "Started", "Response report"], rows, "No drills yet."),
      { session },
    );
  });

  async function reportPage(c: Context, id: string, error = ""): Promise<Response> {
    const session = await requireWriter(c);
    if (session instanceof Response) return session;
    const drill = await getIncident(db.client, id, "incident");
    if (!drill || !drill.drill || !drill.severity) return ctx.notFound(c, session, "drill");
    const r = measureResponse(responseInputOf(drill), ctx.now(), tz);
    const when = (m: Milestone | null) => (m ? `${escapeHtml(formatPosted(m.at, tz))} (after ${escapeHtml(formatDuration(m.afterMs))})` : "not yet");
    const first = r.firstUpdate;
    const firstText = first.at
      ? `${escapeHtml(formatPosted(first.at, tz))} (after ${escapeHtml(formatDuration(first.afterMs ?? 0))}): ${first.met ? "<strong>met</strong>" : "<strong>MISSED</strong>"} the target`
      : `none yet; due ${escapeHtml(formatPosted(first.dueAt, tz))}`;
    const promises = r.promises.map((p) => [
      escapeHtml(formatPosted(p.promisedAt, tz)),
      escapeHtml(formatPosted(p.dueAt, tz)),
      p.nextAt ? escapeHtml(formatPosted(p.nextAt, tz)) : "none yet",
      p.kept === null ? "not due yet" : p.kept ? "kept" : `<strong>BROKEN</strong>${p.lateByMs ? ` (late by ${escapeHtml(formatDuration(p.lateByMs))})` : ""}`,
    ]);
    const end =
      drill.status === "resolved"
        ? para("The drill has ended; this report is final.")
        : `${error ? `<p class="err" role="alert"><strong>Error:</strong> ${escapeHtml(error)}</p>` : ""}<form method="post" action="/console/drills/${encodeURIComponent(id)}/end">${hiddenFields(session)}<p><button type="submit">End the drill</button> <span class="note">(resolves it with "Drill ended.")</span></p></form>`;
    const body = `<p class="drill"><strong>DRILL</strong>: practice only.</p>
<p><a href="/console/incidents/${encodeURIComponent(id)}">Its updates</a> · ${escapeHtml(STATUS_LABELS[drill.status])}</p>
<table><tbody>
<tr><th scope="row">Severity and target</th><td>${escapeHtml(r.severity)}: first response ${escapeHtml(r.target)}</td></tr>
<tr><th scope="row">Started</th><td>${escapeHtml(formatPosted(r.startedAt, tz))}</td></tr>
<tr><th scope="row">First update</th><td>${firstText}</td></tr>
<tr><th scope="row">Identified</th><td>${when(r.identified)}</td></tr>
<tr><th scope="row">Monitoring</th><td>${when(r.monitoring)}</td></tr>
<tr><th scope="row">Resolved</th><td>${when(r.resolved)}</td></tr>
</tbody></table>
<h2>Next-update promises</h2>
${table(["Promised", "Due", "Next update", "Outcome"], promises, "No promises were made.")}
${end}`;
    return ctx.page(c, `Drill report: ${drill.name}`, body, { session });
  }

  app.get("/:id", (c) => reportPage(c, c.req.param("id")));

  app.post("/:id/end", async (c) => {
    const posted = await ctx.postedForm(c, requireWriter);
    if (posted instanceof Response) return posted;
    const { session, form } = posted;
    const id = c.req.param("id");
    const drill = await getIncident(db.client, id, "incident");
    if (!drill || !drill.drill) return ctx.notFound(c, session, "drill");
    if (drill.status !== "resolved") {
      try {
        await ctx.writeOnce(session, form.form_id, async (w) => ({ id: (await postIncidentUpdate(w, id, { status: "resolved", body: "Drill ended." })).incident.id }), (r) => ({ type: "incident", id: r.id }));
      } catch (error) {
        if (!(error instanceof Problem)) throw error;
        return reportPage(c, id, error.detail);
      }
    }
    return c.redirect(`/console/drills/${encodeURIComponent(id)}`, 303);
  });

  return app;
}
