/**
 * The comms console at /console: server-rendered forms (no script needed) that speak through the
 * same service functions and rules as the API, under the signed-in member's name.
 *
 *   GET       /console                  Now (signed in), else a 303 to /console/sign-in
 *   GET/POST  /console/sign-in          ask for a sign-in link by mail (api/console/sign-in.ts)
 *   GET/POST  /console/sign-in/:token   a page with a "Sign in" button; the POST starts a session
 *   POST      /console/sign-out         ends the session (CSRF token and Origin checked)
 *   …/incidents, /members and the rest: one module per resource, mounted below.
 *
 * Every answer: no-store, noindex, its own CSP (no script at all), never published.
 */
import { Hono } from "hono";
import { consoleContext, type ConsoleDeps } from "./context.ts";
import { alertPages } from "./alerts.ts";
import { componentPages } from "./components.ts";
import { drillPages } from "./drills.ts";
import { followThroughPages } from "./follow-through.ts";
import { incidentPages } from "./incidents.ts";
import { keyPages } from "./keys.ts";
import { maintenancePages } from "./maintenances.ts";
import { memberPages } from "./members.ts";
import { postmortemPages } from "./postmortems.ts";
import { templatePages } from "./templates.ts";
import { webhookPages } from "./webhooks.ts";
import { nowBody } from "./now.ts";
import { signInPages, signOutPage } from "./sign-in.ts";

export type { ConsoleDeps } from "./context.ts";

export function consoleRoutes(deps: ConsoleDeps): Hono {
  const ctx = consoleContext(deps);
  const app = new Hono();

  app.route("/sign-in", signInPages(ctx));
  app.post("/sign-out", signOutPage(ctx));
  app.get("/", async (c) => {
    const session = await ctx.session(c);
    if (!session) return c.redirect("/console/sign-in", 303);
    return ctx.page(c, "Now", await nowBody(deps), { session });
  });
  app.route("/incidents", incidentPages(ctx));
  app.route("/maintenances", maintenancePages(ctx));
  app.route("/postmortems", postmortemPages(ctx));
  app.route("/drills", drillPages(ctx));
  app.route("/follow-through", followThroughPages(ctx));
  app.route("/templates", templatePages(ctx));
  app.route("/alerts", alertPages(ctx));
  app.route("/components", componentPages(ctx));
  app.route("/members", memberPages(ctx));
  app.route("/keys", keyPages(ctx));
  app.route("/webhooks", webhookPages(ctx));
  return app;
}
