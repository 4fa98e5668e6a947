/**
 * The comms console at /console — so far: signing in with a single-use link (`herald console
 * link EMAIL`), the session, signing out, and "Now": what customers see at this moment. The forms
 * to declare, update and resolve come next (issue 13); the session, CSRF and Origin rules here are
 * the ones they will use.
 *
 *   GET  /console                    Now (signed in), else a 303 to /console/sign-in
 *   GET  /console/sign-in            how to get a sign-in link
 *   GET  /console/sign-in/:token     a page with a "Sign in" button (a GET changes nothing: mail scanners prefetch links)
 *   POST /console/sign-in/:token     uses the link once, starts a session (cookie), 303 to /console
 *   POST /console/sign-out           ends the session (CSRF token and Origin checked)
 *   GET/POST /console/incidents/new  declare an incident (api/console/incidents.ts)
 *   GET/POST /console/incidents/:id  its updates, and the form to update or resolve it
 *   GET/POST /console/members        team members, for admins (api/console/members.ts)
 *
 * Every answer: no-store, noindex, its own CSP (no script at all, yet), never published.
 */
import { Hono } from "hono";
import { COMPONENT_STATUS_LABELS } from "../../domain/components.ts";
import { clearedSessionCookie, sessionCookie } from "../../domain/console-session.ts";
import { pageStatus } from "../../domain/indicator.ts";
import { STATUS_LABELS } from "../../domain/lifecycle.ts";
import { firstUpdateDueAt, responseLapses } from "../../domain/response.ts";
import { formatPosted, formatTime } from "../../domain/time.ts";
import { latestTeamMessage, mailCountsForUpdate } from "../../db/queries/deliveries.ts";
import type { IncidentRecord } from "../../db/records.ts";
import { currentPromise } from "../internal/message.ts";
import { responseInputOf } from "../internal/reminders.ts";
import { listIncidents } from "../../db/queries/incidents.ts";
import { pageStatusInput } from "../../db/queries/page.ts";
import { escapeHtml } from "../../templates/markdown.ts";
import { listComponentViews } from "../service/components.ts";
import { signIn, signOut } from "../service/members.ts";
import { actorOf, consoleContext, type ConsoleDeps } from "./context.ts";
import { incidentPages } from "./incidents.ts";
import { memberPages } from "./members.ts";
import { para } from "./pages.ts";

export type { ConsoleDeps } from "./context.ts";

export function consoleRoutes(deps: ConsoleDeps): Hono {
  const ctx = consoleContext(deps);
  const { db, config } = deps;
  const app = new Hono();
  const secure = config.page.url.startsWith("https://");
  const system = { id: null, name: "console", role: "admin" as const };

  app.get("/sign-in", (c) =>
    ctx.page(
      c,
      "Sign in",
      para("Sign in with a single-use link. An admin can print one for you with:") +
        `<pre><code>herald console link you@example.com</code></pre>` +
        para("The link works once, for 15 minutes. Ask an admin to add you first if you are not a member (herald members add)."),
    ),
  );

  app.get("/sign-in/:token", (c) => {
    const token = c.req.param("token");
    return ctx.page(
      c,
      "Sign in",
      para(`Sign in to the ${config.page.name} console.`) +
        `<form method="post" action="/console/sign-in/${encodeURIComponent(token)}"><p><button type="submit">Sign in</button></p></form>`,
    );
  });

  app.post("/sign-in/:token", async (c) => {
    const refused = ctx.checkForm(c, null, {});
    if (refused) return refused;
    const started = await db.write((tx) => signIn({ tx, actor: system, now: ctx.now(), hooks: {} }, c.req.param("token")));
    if (!started) {
      return ctx.page(c, "This link does not work", para("It was used already, it expired (links work for 15 minutes), or it was never valid. Ask for a new one.") + `<p><a href="/console/sign-in">How to sign in</a></p>`, { status: 400 });
    }
    c.header("Set-Cookie", sessionCookie(started.sessionToken, secure));
    c.header("Cache-Control", "no-store");
    return c.redirect("/console", 303);
  });

  app.post("/sign-out", async (c) => {
    const session = await ctx.session(c);
    const refused = ctx.checkForm(c, session, await c.req.parseBody());
    if (refused) return refused;
    if (session) await db.write((tx) => signOut({ tx, actor: actorOf(session.member), now: ctx.now(), hooks: {} }, session.token));
    return ctx.page(c, "Signed out", para("You are signed out.") + `<p><a href="/console/sign-in">Sign in again</a></p>`, { headers: { "Set-Cookie": clearedSessionCookie(secure) } });
  });

  app.get("/", async (c) => {
    const session = await ctx.session(c);
    if (!session) return c.redirect("/console/sign-in", 303);
    return ctx.page(c, "Now", await nowBody(deps), { session });
  });

  app.route("/incidents", incidentPages(ctx));
  app.route("/members", memberPages(ctx));
  return app;
}

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
  const due = promised ?? (incident.updates.length === 0 && incident.severity ? firstUpdateDueAt(incident.severity, incident.startedAt, tz) : null);
  const lapses = incident.severity ? responseLapses(responseInputOf(incident), now, tz).filter((l) => l.resolvedAt === null) : [];
  if (!due) return lapses.length ? "<strong>LATE</strong>" : "No promise";
  const late = Date.parse(due) < Date.parse(now);
  return `${late ? "<strong>LATE:</strong> was due" : "Due"} ${escapeHtml(formatTime(due, tz))} (${escapeHtml(relative(due, now))})`;
}

/** How the latest update went out: its mails by state, and the team message. */
async function deliveryText(db: ConsoleDeps["db"], incident: IncidentRecord): Promise<string> {
  const latest = [...incident.updates].sort((a, b) => b.seq - a.seq)[0];
  if (!latest) return "-";
  const mail = latest.deliverNotifications ? await mailCountsForUpdate(db.client, latest.id) : null;
  const team = await latestTeamMessage(db.client, incident.id);
  const mailText = mail ? `Mail: ${mail.sent} sent, ${mail.pending} queued, ${mail.failed} failed` : "Mail: not sent (notify off)";
  return escapeHtml(`${mailText}${team ? ` · Team channel: ${team === "pending" ? "queued" : team}` : ""}`);
}

/** What customers see at this moment: the banner, open incidents and maintenances, each component's status. */
async function nowBody({ db, config, clock }: ConsoleDeps): Promise<string> {
  const tz = config.page.timeZone;
  const now = clock.now().toISOString();
  const status = pageStatus(await pageStatusInput(db.client));
  const open = await listIncidents(db.client, { kind: "incident", state: "open", limit: 100 });
  const maintenances = await listIncidents(db.client, { kind: "maintenance", state: "open", limit: 100 });
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
  return `<p><a class="cta" href="/console/incidents/new">Declare an incident</a></p>
<section aria-labelledby="banner"><h2 id="banner">What customers see</h2><p><strong>${escapeHtml(status.description)}</strong></p></section>
<section aria-labelledby="open"><h2 id="open">Open incidents</h2>${incidents}</section>
<section aria-labelledby="maint"><h2 id="maint">Maintenance</h2>${windows}</section>
<section aria-labelledby="cmp"><h2 id="cmp">Components</h2>${statuses}</section>`;
}
