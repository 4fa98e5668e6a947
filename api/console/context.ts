/**
 * What every console route is built with: the deps, the signed-in member, page rendering with the
 * console's headers, the form checks (Origin and CSRF token), and writes under the member's name
 * that go through the same hooks (mail, webhooks, team channel) and publisher as API writes.
 */
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import { fromOwnOrigin, sessionCookieName } from "../../domain/console-session.ts";
import { can, type Action } from "../../domain/roles.ts";
import { dryRun, type Database } from "../../db/database.ts";
import { getStoredResponse, storeResponse } from "../../db/queries/idempotency.ts";
import { touchSession } from "../../db/queries/members.ts";
import type { Actor, IncidentRecord, MemberRecord } from "../../db/records.ts";
import type { IncidentPreview, IncidentPreviewer } from "./preview-types.ts";
import type { MailSettings } from "../mail/settings.ts";
import type { ChangeEvent } from "../app-deps.ts";
import type { Clock } from "../clock.ts";
import type { HeraldConfig } from "../config.ts";
import type { WriteContext, WriteHooks } from "../service/context.ts";
import { sessionMember } from "../service/members.ts";
import { randomBase64url } from "../encoding.ts";
import { csrfToken, csrfValid } from "./csrf.ts";
import { CONSOLE_HEADERS, consolePage, para, type ConsoleLayout } from "./pages.ts";

export interface ConsoleDeps {
  db: Database;
  clock: Clock;
  config: HeraldConfig;
  /** The published stylesheet's path, for the same design as the page. */
  stylesheet?: () => string | null | undefined;
  /** The same write hooks as the API's: mail, webhooks and the team channel hear of console writes too. */
  hooks?: WriteHooks;
  /** Tells the publisher what changed. */
  onChange?: (event: ChangeEvent) => void;
  log?: (line: string) => void;
  /** Renders previews (absent: the forms offer no preview). */
  preview?: IncidentPreviewer;
  /** Sign-in links by mail (the mail settings: page URL and HERALD_SECRET; `queued` wakes the sender). Absent: links are printed only. */
  signInMail?: { settings: MailSettings; queued?: () => void };
  /** Who is asking, for the sign-in form's per-IP limit (default: the socket's peer, Node's). */
  clientIp?: (request: Request, env: unknown) => string | null | undefined;
}

export interface Session {
  member: MemberRecord;
  token: string;
}

export interface ConsoleContext {
  deps: ConsoleDeps;
  now(): string;
  page(c: Context, title: string, body: string, options?: { status?: number; session?: Session; headers?: Record<string, string> }): Response;
  /** The signed-in member, or null. */
  session(c: Context): Promise<Session | null>;
  /** A form post from the console's own pages by this session (Origin and CSRF token), else the 403 page. */
  checkForm(c: Context, session: Session | null, form: Record<string, unknown>): Response | null;
  /**
   * Runs a form's write once: a form carries a random `form_id`, and a second submission of the
   * same form (a double click, a retried POST) gets the first result instead of writing again.
   */
  writeOnce<T>(session: Session, formId: unknown, work: (ctx: WriteContext) => Promise<T>, change: (result: T) => ChangeEvent | null): Promise<T>;
  refused(c: Context): Response;
  /**
   * What the page, mail, feeds and team channel would say after `write`, made by running it under
   * the member's name in a transaction that is rolled back (no hooks run: nothing is sent). Call
   * only when `deps.preview` is set.
   */
  previewOf(session: Session, write: (ctx: WriteContext) => Promise<IncidentRecord>): Promise<IncidentPreview>;
  /** The signed-in member when their role may do `action`; else a 303 to sign-in, or a 403 page saying `refusal`. */
  allowed(action: Action, refusal: string): (c: Context) => Promise<Session | Response>;
  /** A GET handler: the page `render` makes for a member `allowed` lets in (else the redirect or 403 it gives). */
  view(allowed: (c: Context) => Promise<Session | Response>, render: (c: Context, session: Session) => Promise<Response>): (c: Context) => Promise<Response>;
  /** The 404 page. */
  notFound(c: Context, session: Session, what: string): Response;
  /**
   * A form post by a member `allowed` lets in, from the console's own pages (Origin and CSRF
   * token): its session and its fields as strings, or the answer to give instead.
   */
  postedForm(c: Context, allowed: (c: Context) => Promise<Session | Response>): Promise<{ session: Session; form: Record<string, string> } | Response>;
}

export const actorOf = (member: MemberRecord): Actor => ({ id: member.id, name: member.name, role: member.role });

export function consoleContext(deps: ConsoleDeps): ConsoleContext {
  const { db, clock, config } = deps;
  const secure = config.page.url.startsWith("https://");
  const now = () => clock.now().toISOString();
  const layout = (session?: Session): ConsoleLayout => ({
    pageName: config.page.name,
    stylesheet: deps.stylesheet?.() ?? null,
    ...(session ? { member: { name: session.member.name, role: session.member.role, csrf: csrfToken(session.token) } } : {}),
  });
  const page: ConsoleContext["page"] = (c, title, body, options = {}) =>
    c.body(consolePage(layout(options.session), title, body), (options.status ?? 200) as 200, { ...CONSOLE_HEADERS, ...options.headers });
  function checkForm(c: Context, session: Session | null, form: Record<string, unknown>): Response | null {
    const own = fromOwnOrigin({ origin: c.req.header("Origin") ?? null, referer: c.req.header("Referer") ?? null }, config.page.url);
    if (!own || (session && !csrfValid(session.token, form.csrf))) return refused(c);
    return null;
  }
  async function currentSession(c: Context): Promise<Session | null> {
    const token = getCookie(c, sessionCookieName(secure));
    if (!token) return null;
    const found = await sessionMember(db.client, token, now());
    if (!found) return null;
    if (found.touch) await db.write((tx) => touchSession(tx, found.tokenHash, now()));
    return { member: found.member, token };
  }
  const refused = (c: Context) =>
    page(c, "Request refused", para("This request did not come from the console's own pages, so nothing was changed.") + `<p><a href="/console">Back to the console</a></p>`, { status: 403 });

  return {
    deps,
    now,
    page,
    refused,
    allowed: (action, refusal) => async (c) => {
      const session = await currentSession(c);
      if (!session) return c.redirect("/console/sign-in", 303);
      if (!can(session.member.role, action)) return page(c, "Not allowed", para(refusal) + `<p><a href="/console">Back to Now</a></p>`, { status: 403, session });
      return session;
    },
    previewOf: (session, write) =>
      dryRun(db, async (tx) => deps.preview!(tx, await write({ tx, actor: actorOf(session.member), now: now(), hooks: {}, timeZone: deps.config.page.timeZone }), session.member.name)),
    view: (allowed, render) => async (c) => {
      const session = await allowed(c);
      return session instanceof Response ? session : render(c, session);
    },
    notFound: (c, session, what) => page(c, "Not found", para(`There is no such ${what}.`) + `<p><a href="/console">Back to Now</a></p>`, { status: 404, session }),
    session: currentSession,
    checkForm,
    async postedForm(c, allowed) {
      const session = await allowed(c);
      if (session instanceof Response) return session;
      const raw = await c.req.parseBody();
      const refusal = checkForm(c, session, raw);
      if (refusal) return refusal;
      return { session, form: Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, typeof v === "string" ? v : ""])) };
    },
    async writeOnce<T>(session: Session, formId: unknown, work: (ctx: WriteContext) => Promise<T>, change: (result: T) => ChangeEvent | null): Promise<T> {
      const key = typeof formId === "string" && /^[A-Za-z0-9_-]{16,64}$/.test(formId) ? `console:${formId}` : null;
      const outcome = await db.write(async (tx) => {
        if (key) {
          const stored = await getStoredResponse(tx, session.member.id, key);
          if (stored) return { replayed: true, result: JSON.parse(stored.body) as T };
        }
        const at = now();
        const result = await work({ tx, actor: actorOf(session.member), now: at, hooks: deps.hooks ?? {}, timeZone: deps.config.page.timeZone });
        if (key) await storeResponse(tx, { apiKeyId: session.member.id, key, requestHash: key, statusCode: 200, body: JSON.stringify(result), at });
        return { replayed: false, result };
      });
      if (!outcome.replayed) {
        // The write has committed: a failing listener must not turn it into an error page.
        try {
          const event = change(outcome.result);
          if (event) deps.onChange?.(event);
        } catch (error) {
          deps.log?.(`change listener failed after a console write: ${(error as Error)?.stack ?? String(error)}`);
        }
      }
      return outcome.result;
    },
  };
}

/** A fresh id for a form, so its submission is written once. */
export function newFormId(): string {
  return randomBase64url(16);
}
