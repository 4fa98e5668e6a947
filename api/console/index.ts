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
 *
 * Every answer: no-store, noindex, its own CSP (no script at all, yet), never published.
 */
import { Hono, type Context } from "hono";
import { getCookie } from "hono/cookie";
import { COMPONENT_STATUS_LABELS } from "../../domain/components.ts";
import { clearedSessionCookie, fromOwnOrigin, sessionCookie, sessionCookieName } from "../../domain/console-session.ts";
import { pageStatus } from "../../domain/indicator.ts";
import { STATUS_LABELS } from "../../domain/lifecycle.ts";
import { formatPosted } from "../../domain/time.ts";
import type { Database } from "../../db/database.ts";
import { listIncidents } from "../../db/queries/incidents.ts";
import { touchSession } from "../../db/queries/members.ts";
import { pageStatusInput } from "../../db/queries/page.ts";
import type { MemberRecord } from "../../db/records.ts";
import { escapeHtml } from "../../templates/markdown.ts";
import type { Clock } from "../clock.ts";
import type { HeraldConfig } from "../config.ts";
import { listComponentViews } from "../service/components.ts";
import type { WriteContext } from "../service/context.ts";
import { sessionMember, signIn, signOut } from "../service/members.ts";
import { csrfToken, csrfValid } from "./csrf.ts";
import { CONSOLE_HEADERS, consolePage, para, type ConsoleLayout } from "./pages.ts";

export interface ConsoleDeps {
  db: Database;
  clock: Clock;
  config: HeraldConfig;
  /** The published stylesheet's path, for the same design as the page. */
  stylesheet?: () => string | null | undefined;
}

interface Session {
  member: MemberRecord;
  token: string;
}

export function consoleRoutes(deps: ConsoleDeps): Hono {
  const { db, clock, config } = deps;
  const app = new Hono();
  const secure = config.page.url.startsWith("https://");
  const now = () => clock.now().toISOString();
  const layout = (session?: Session): ConsoleLayout => ({
    pageName: config.page.name,
    stylesheet: deps.stylesheet?.() ?? null,
    ...(session ? { member: { name: session.member.name, role: session.member.role, csrf: csrfToken(session.token) } } : {}),
  });
  const page = (c: Context, title: string, body: string, status = 200, session?: Session, extra: Record<string, string> = {}) =>
    c.body(consolePage(layout(session), title, body), status as 200, { ...CONSOLE_HEADERS, ...extra });
  const writeAs = <T>(actor: WriteContext["actor"], work: (ctx: WriteContext) => Promise<T>) =>
    db.write((tx) => work({ tx, actor, now: now(), hooks: {} }));
  const system = { id: null, name: "console", role: "admin" as const };

  /** The signed-in member, or null; a live session's last use is written at most once a minute. */
  async function currentSession(c: Context): Promise<Session | null> {
    const token = getCookie(c, sessionCookieName(secure));
    if (!token) return null;
    const found = await sessionMember(db.client, token, now());
    if (!found) return null;
    if (found.touch) await db.write((tx) => touchSession(tx, found.tokenHash, now()));
    return { member: found.member, token };
  }

  /** A state-changing request must come from the console's own pages. */
  function ownOrigin(c: Context): boolean {
    return fromOwnOrigin({ origin: c.req.header("Origin") ?? null, referer: c.req.header("Referer") ?? null }, config.page.url);
  }

  const refused = (c: Context) =>
    page(c, "Request refused", para("This request did not come from the console's own pages, so nothing was changed.") + `<p><a href="/console">Back to the console</a></p>`, 403);

  app.get("/sign-in", (c) =>
    page(
      c,
      "Sign in",
      para("Sign in with a single-use link. An admin can print one for you with:") +
        `<pre><code>herald console link you@example.com</code></pre>` +
        para("The link works once, for 15 minutes. Ask an admin to add you first if you are not a member (herald members add)."),
    ),
  );

  app.get("/sign-in/:token", (c) => {
    const token = c.req.param("token");
    return page(
      c,
      "Sign in",
      para(`Sign in to the ${config.page.name} console.`) +
        `<form method="post" action="/console/sign-in/${encodeURIComponent(token)}"><p><button type="submit">Sign in</button></p></form>`,
    );
  });

  app.post("/sign-in/:token", async (c) => {
    if (!ownOrigin(c)) return refused(c);
    const started = await writeAs(system, (ctx) => signIn(ctx, c.req.param("token")));
    if (!started) {
      return page(c, "This link does not work", para("It was used already, it expired (links work for 15 minutes), or it was never valid. Ask for a new one.") + `<p><a href="/console/sign-in">How to sign in</a></p>`, 400);
    }
    c.header("Set-Cookie", sessionCookie(started.sessionToken, secure));
    c.header("Cache-Control", "no-store");
    return c.redirect("/console", 303);
  });

  app.post("/sign-out", async (c) => {
    const session = await currentSession(c);
    const form = await c.req.parseBody();
    if (!ownOrigin(c) || (session && !csrfValid(session.token, form.csrf))) return refused(c);
    if (session) await writeAs({ id: session.member.id, name: session.member.name, role: session.member.role }, (ctx) => signOut(ctx, session.token));
    return page(c, "Signed out", para("You are signed out.") + `<p><a href="/console/sign-in">Sign in again</a></p>`, 200, undefined, {
      "Set-Cookie": clearedSessionCookie(secure),
    });
  });

  app.get("/", async (c) => {
    const session = await currentSession(c);
    if (!session) return c.redirect("/console/sign-in", 303);
    return page(c, "Now", await nowBody(deps), 200, session);
  });

  return app;
}

/** What customers see at this moment: the banner, open incidents and maintenances, each component's status. */
async function nowBody({ db, config }: ConsoleDeps): Promise<string> {
  const tz = config.page.timeZone;
  const status = pageStatus(await pageStatusInput(db.client));
  const open = await listIncidents(db.client, { kind: "incident", state: "open", limit: 100 });
  const maintenances = await listIncidents(db.client, { kind: "maintenance", state: "open", limit: 100 });
  const components = (await listComponentViews(db.client)).filter((c) => !c.isGroup);
  const row = (cells: string[]) => `<tr>${cells.map((cell) => `<td>${cell}</td>`).join("")}</tr>`;
  const incidents = open.length
    ? `<table><thead><tr><th scope="col">Incident</th><th scope="col">Severity</th><th scope="col">Status</th><th scope="col">Last update</th></tr></thead><tbody>${open
        .map((i) =>
          row([
            `<a href="/incidents/${encodeURIComponent(i.id)}">${escapeHtml(i.name)}</a>`,
            escapeHtml(i.severity ?? "-"),
            escapeHtml(STATUS_LABELS[i.status]),
            escapeHtml(formatPosted(i.updatedAt, tz)),
          ]),
        )
        .join("")}</tbody></table>`
    : para("No open incidents.");
  const windows = maintenances.length
    ? `<ul>${maintenances.map((m) => `<li>${escapeHtml(m.name)} — ${escapeHtml(STATUS_LABELS[m.status])}</li>`).join("")}</ul>`
    : para("No maintenance scheduled or under way.");
  const statuses = components.length
    ? `<table><thead><tr><th scope="col">Component</th><th scope="col">Status</th></tr></thead><tbody>${components
        .map((c) => row([escapeHtml(c.name), escapeHtml(COMPONENT_STATUS_LABELS[c.status])]))
        .join("")}</tbody></table>`
    : para("No components yet.");
  return `<section aria-labelledby="banner"><h2 id="banner">What customers see</h2><p><strong>${escapeHtml(status.description)}</strong></p></section>
<section aria-labelledby="open"><h2 id="open">Open incidents</h2>${incidents}</section>
<section aria-labelledby="maint"><h2 id="maint">Maintenance</h2>${windows}</section>
<section aria-labelledby="cmp"><h2 id="cmp">Components</h2>${statuses}</section>`;
}
