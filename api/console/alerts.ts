/**
 * Alerts in the console: what the monitoring systems report now, and the rules that map alerts to
 * components (admins add and delete them; everyone may read). The same schema and service as
 * `POST /api/v1/alerts/rules`.
 */
import { Hono, type Context } from "hono";
import { ALERT_STATUSES, formatMatcher, parseMatcher, type Matcher } from "../../domain/alerts.ts";
import { COMPONENT_STATUS_LABELS } from "../../domain/components.ts";
import { formatPosted } from "../../domain/time.ts";
import { listAlertRules, listAlerts } from "../../db/queries/alerts.ts";
import { listComponents } from "../../db/queries/components.ts";
import { listTemplates } from "../../db/queries/templates.ts";
import { escapeHtml } from "../../templates/markdown.ts";
import { checkSchema } from "../http/body.ts";
import { Problem } from "../problem.ts";
import { NewAlertRuleSchema } from "../routes/alerts.ts";
import { createAlertRule, removeAlertRule } from "../service/alert-rules.ts";
import type { ConsoleContext, Session } from "./context.ts";
import { actionButton, errorsOf, formError, hiddenFields, selectField, table, textArea, textField, type Errors, type Form } from "./forms.ts";

/** Matchers one per line (domain/alerts.ts parseMatcher), or why a line is not one. */
export function parseMatchers(text: string): Matcher[] | string {
  const matchers: Matcher[] = [];
  for (const line of text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean)) {
    const matcher = parseMatcher(line);
    if (!matcher) return `"${line}" is not a matcher: write label=value, label!=value, label=~regex or label!~regex.`;
    matchers.push(matcher);
  }
  return matchers;
}

export function alertPages(ctx: ConsoleContext): Hono {
  const app = new Hono();
  const { db } = ctx.deps;
  const requireReader = ctx.allowed("api:read", "Your role may not read alerts.");
  const requireAdmin = ctx.allowed("alert:rules", "Only an admin may change alert rules.");

  async function listPage(c: Context, session: Session, form: Form, errors: Errors, status = 200): Promise<Response> {
    const tz = ctx.deps.config.page.timeZone;
    const [rules, alerts, components, templates] = await Promise.all([listAlertRules(db.client), listAlerts(db.client, 100), listComponents(db.client), listTemplates(db.client)]);
    const nameOf = new Map(components.map((c) => [c.id, c.name]));
    const isAdmin = session.member.role === "admin";
    const alertRows = alerts.map((a) => [
      `<strong>${a.status === "firing" ? "Firing" : "Resolved"}</strong> ${escapeHtml(a.name)} <span class="note">(${escapeHtml(a.source)}, ${escapeHtml(formatPosted(a.updatedAt, tz))})</span>`,
      escapeHtml(a.componentIds.length ? `${a.componentIds.map((id) => nameOf.get(id) ?? id).join(", ")}: ${a.targetStatus ? COMPONENT_STATUS_LABELS[a.targetStatus] : "no change"}` : "No component"),
      `${escapeHtml(a.ruleName ?? (a.componentIds.length ? "component label" : "-"))}${a.draftIncidentId ? ` · <a href="/console/incidents/${encodeURIComponent(a.draftIncidentId)}">its incident</a>` : ""}`,
    ]);
    const ruleRows = rules.map((r) => [
      `${r.position}. <strong>${escapeHtml(r.name)}</strong> <span class="note">${escapeHtml(r.matchers.map(formatMatcher).join(", ") || "every alert")}</span>`,
      escapeHtml(`${r.componentIds.map((id) => nameOf.get(id) ?? id).join(", ")}: ${r.status ? COMPONENT_STATUS_LABELS[r.status] : "from the severity label"}`),
      escapeHtml(`${r.template ? `draft from ${r.template}; ` : ""}hold-down ${r.holdDownSeconds} s`),
      isAdmin ? actionButton(session, `/console/alerts/rules/${encodeURIComponent(r.id)}/remove`, "Delete", `Delete the rule ${r.name}`) : "",
    ]);
    const leaves = components.filter((c) => !c.isGroup);
    const componentChoices = leaves
      .map((c) => `<li><input type="checkbox" id="rc-${escapeHtml(c.id)}" name="component:${escapeHtml(c.id)}" value="on"${form[`component:${c.id}`] === "on" ? " checked" : ""}> <label for="rc-${escapeHtml(c.id)}">${escapeHtml(c.name)}</label></li>`)
      .join("");
    const addForm = isAdmin
      ? `<h2>Add a rule</h2>${formError(errors)}<form method="post" action="/console/alerts/rules">${hiddenFields(session, form)}
${textField("name", "Name (lowercase words joined by dashes)", form, errors, { maxlength: 64, required: true, placeholder: "api-errors" })}
${textArea("matchers", "Matchers, one per line (label=value, label!=value, label=~regex, label!~regex); none: every alert", form, errors, { rows: 3 })}
<fieldset class="choose"><legend>Components it sets</legend>${errors.components ? `<p class="error">${escapeHtml(errors.components)}</p>` : ""}<ul>${componentChoices}</ul></fieldset>
${selectField("status", "Status while firing", [{ value: "", label: "From the alert's severity label" }, ...ALERT_STATUSES.map((s) => ({ value: s, label: COMPONENT_STATUS_LABELS[s] }))], form, errors)}
${selectField("template", "Open a draft incident from", [{ value: "", label: "No draft incident" }, ...templates.map((t) => ({ value: t.slug, label: t.name }))], form, errors)}
${textField("hold_down_seconds", "Hold-down in seconds (no automated move of a component again within it)", { hold_down_seconds: "120", ...form }, errors, { maxlength: 5 })}
<p><button type="submit">Add rule</button></p></form>`
      : "";
    const body = `<p>Alerts from Alertmanager, Grafana and PagerDuty set component statuses; a person's word wins, and a draft incident waits for a comms lead to publish it.</p>
<h2>Alerts</h2>${table(["Alert", "Sets", "By"], alertRows, "No alert has been reported yet.")}
<h2>Rules</h2><p class="note">Tried in order; the first whose matchers all hold decides. An alert no rule matches may name its component with a <code>component</code> label.</p>
${table(["Rule", "Sets", "Then", ""], ruleRows, "No rules: alerts name their component with a component label.")}
${addForm}`;
    return ctx.page(c, "Alerts", body, { status, session });
  }

  app.get("/", ctx.view(requireReader, (c, session) => listPage(c, session, {}, {})));

  app.post("/rules", async (c) => {
    const posted = await ctx.postedForm(c, requireAdmin);
    if (posted instanceof Response) return posted;
    const { session, form } = posted;
    const matchers = parseMatchers(form.matchers ?? "");
    if (typeof matchers === "string") return listPage(c, session, form, { matchers }, 422);
    const components = Object.keys(form).filter((k) => k.startsWith("component:") && form[k] === "on").map((k) => k.slice("component:".length));
    const hold = (form.hold_down_seconds ?? "").trim();
    const input = {
      name: form.name,
      matchers,
      components,
      ...(form.status ? { status: form.status } : {}),
      ...(form.template ? { template: form.template } : {}),
      ...(hold ? { hold_down_seconds: /^\d+$/.test(hold) ? Number(hold) : hold } : {}),
    };
    const checked = checkSchema(NewAlertRuleSchema, input);
    if (!checked.ok) return listPage(c, session, form, errorsOf(checked.errors), 422);
    try {
      await ctx.writeOnce(session, form.form_id, (w) => createAlertRule(w, checked.value), () => null);
      return c.redirect("/console/alerts", 303);
    } catch (error) {
      if (!(error instanceof Problem)) throw error;
      return listPage(c, session, form, { form: error.detail, ...errorsOf(error.errors ?? []) }, error.status);
    }
  });

  app.post("/rules/:id/remove", async (c) => {
    const posted = await ctx.postedForm(c, requireAdmin);
    if (posted instanceof Response) return posted;
    const rules = await listAlertRules(db.client);
    const id = c.req.param("id");
    // Already gone (a second click): nothing to do.
    if (rules.some((r) => r.id === id)) await ctx.writeOnce(posted.session, null, (w) => removeAlertRule(w, id), () => null);
    return c.redirect("/console/alerts", 303);
  });

  return app;
}
