/**
 * Signing in and out of the console. A member asks for a single-use link by address (mailed
 * through the one mail queue) or an admin prints one (`herald console link EMAIL`); opening it
 * shows a button (a GET changes nothing: mail scanners prefetch links); pressing it starts a
 * session. The address form answers the same whether or not the address is a member's, and is
 * limited per client and per address.
 */
import { Hono, type Context } from "hono";
import { clearedSessionCookie, sessionCookie, SIGN_IN_LINK_TTL_MS } from "../../domain/console-session.ts";
import { normalizeEmail } from "../../domain/email.ts";
import { escapeHtml } from "../../templates/markdown.ts";
import { RateLimiter, socketClientIp, type RateLimit } from "../http/rate-limit.ts";
import { mailSignInLink, signIn, signOut } from "../service/members.ts";
import { actorOf, type ConsoleContext } from "./context.ts";
import { para } from "./pages.ts";

/** Sign-in link requests: per client IP, and per address (whoever's it is). */
export const SIGN_IN_LIMITS: { perIp: RateLimit; perAddress: RateLimit } = {
  perIp: { max: 10, windowMs: 10 * 60_000 },
  perAddress: { max: 3, windowMs: 15 * 60_000 },
};

const MINUTES = Math.round(SIGN_IN_LINK_TTL_MS / 60_000);

export function signInPages(ctx: ConsoleContext): Hono {
  const { db, config } = ctx.deps;
  const app = new Hono();
  const secure = config.page.url.startsWith("https://");
  const system = { id: null, name: "console", role: "admin" as const };
  const perIp = new RateLimiter(SIGN_IN_LIMITS.perIp);
  const perAddress = new RateLimiter(SIGN_IN_LIMITS.perAddress);

  const printed = `<p>Or ask an admin to print a link for you:</p><pre><code>herald console link you@example.com</code></pre>`;
  function askPage(c: Context, email: string, error: string | null, status = 200, headers: Record<string, string> = {}): Response {
    const form = ctx.deps.signInMail
      ? `<form method="post" action="/console/sign-in">
${error ? `<p class="err" id="err-email" role="alert"><strong>Error:</strong> ${escapeHtml(error)}</p>` : ""}
<p><label for="email">Your e-mail address</label><input type="email" id="email" name="email" required maxlength="254" autocomplete="email" value="${escapeHtml(email)}"${error ? ` aria-describedby="err-email" aria-invalid="true"` : ""}></p>
<p><button type="submit">Mail me a sign-in link</button></p>
</form>`
      : para("Sign-in links are not mailed here.");
    return ctx.page(
      c,
      "Sign in",
      para(`Sign in with a single-use link: it works once, for ${MINUTES} minutes.`) + form + printed + para("Not a member yet? Ask an admin to add you (herald members add)."),
      { status, headers },
    );
  }

  app.get("/", (c) => askPage(c, "", null));

  app.post("/", async (c) => {
    const refused = ctx.checkForm(c, null, {});
    if (refused) return refused;
    const mail = ctx.deps.signInMail;
    if (!mail) return askPage(c, "", null, 404);
    const raw = (await c.req.parseBody()).email;
    const email = typeof raw === "string" ? raw.trim() : "";
    const address = normalizeEmail(email);
    if (!address) return askPage(c, email, "Enter an e-mail address such as ada@example.com.", 422);
    // Counted before the address is looked up, so the answer (and the limit) is the same for anyone's address.
    const ip = (ctx.deps.clientIp ?? socketClientIp)(c.req.raw, c.env) || "unknown";
    const wait = perIp.hit(ip) || perAddress.hit(address.toLowerCase());
    if (wait > 0) {
      return ctx.page(c, "Too many requests", para(`Too many sign-in links were asked for. Try again in ${Math.ceil(wait / 60)} minute${wait > 60 ? "s" : ""}; a link mailed earlier still works.`), {
        status: 429,
        headers: { "Retry-After": String(wait) },
      });
    }
    const queued = await db.write((tx) => mailSignInLink({ tx, actor: system, now: ctx.now(), hooks: {} }, address, mail.settings.secret));
    if (queued) mail.queued?.();
    return ctx.page(
      c,
      "Check your mail",
      para(`If ${email} belongs to a member of the team, a sign-in link is on its way to it. It works once, for ${MINUTES} minutes.`) +
        para("Nothing after a few minutes? Check the spam folder, or ask an admin to print a link for you.") +
        `<p><a href="/console/sign-in">Back</a></p>`,
    );
  });

  app.get("/:token", (c) => {
    const token = c.req.param("token");
    return ctx.page(
      c,
      "Sign in",
      para(`Sign in to the ${config.page.name} console.`) +
        `<form method="post" action="/console/sign-in/${encodeURIComponent(token)}"><p><button type="submit">Sign in</button></p></form>`,
    );
  });

  app.post("/:token", async (c) => {
    const refused = ctx.checkForm(c, null, {});
    if (refused) return refused;
    const started = await db.write((tx) => signIn({ tx, actor: system, now: ctx.now(), hooks: {} }, c.req.param("token")));
    if (!started) {
      return ctx.page(c, "This link does not work", para(`It was used already, it expired (links work for ${MINUTES} minutes), or it was never valid. Ask for a new one.`) + `<p><a href="/console/sign-in">Get a new link</a></p>`, { status: 400 });
    }
    c.header("Set-Cookie", sessionCookie(started.sessionToken, secure));
    c.header("Cache-Control", "no-store");
    return c.redirect("/console", 303);
  });

  return app;
}

/** POST /console/sign-out: ends the session (CSRF token and Origin checked). */
export function signOutPage(ctx: ConsoleContext): (c: Context) => Promise<Response> {
  const secure = ctx.deps.config.page.url.startsWith("https://");
  return async (c) => {
    const session = await ctx.session(c);
    const refused = ctx.checkForm(c, session, await c.req.parseBody());
    if (refused) return refused;
    if (session) await ctx.deps.db.write((tx) => signOut({ tx, actor: actorOf(session.member), now: ctx.now(), hooks: {} }, session.token));
    return ctx.page(c, "Signed out", para("You are signed out.") + `<p><a href="/console/sign-in">Sign in again</a></p>`, { headers: { "Set-Cookie": clearedSessionCookie(secure) } });
  };
}
