/**
 * Declaring, updating and resolving incidents from the console: server-rendered forms (no script
 * needed) validated by the same schemas as the API and written by the same service functions,
 * under the member's name, once per form (`form_id`), with each error next to its field.
 */
import { Hono, type Context } from "hono";
import { COMPONENT_STATUSES, COMPONENT_STATUS_LABELS, type ComponentStatus } from "../../domain/components.ts";
import { inPageOrder } from "../../domain/component-order.ts";
import { INCIDENT_STATUSES, STATUS_LABELS, incidentTargets, type IncidentStatus } from "../../domain/lifecycle.ts";
import { can } from "../../domain/roles.ts";
import { SEVERITIES, SEVERITY_LEVELS } from "../../domain/severity.ts";
import { formatPosted } from "../../domain/time.ts";
import { getIncident, listIncidents } from "../../db/queries/incidents.ts";
import { listTemplates } from "../../db/queries/templates.ts";
import type { IncidentRecord, UpdateRecord } from "../../db/records.ts";
import { NOTICE_FIELDS, NOTICE_HEADINGS, type NoticeField } from "../../domain/notice.ts";
import { noticeBlocks } from "../../templates/notice.ts";
import { escapeHtml, renderMarkdown } from "../../templates/markdown.ts";
import { checkSchema } from "../http/body.ts";
import { Problem, type FieldError } from "../problem.ts";
import { NewIncidentSchema, NewIncidentUpdateSchema, PublishDraftSchema } from "../routes/incidents.ts";
import { listComponentViews } from "../service/components.ts";
import { createIncident, postIncidentUpdate, publishIncident } from "../service/incidents.ts";
import { incidentFromRequest } from "../service/templates.ts";
import type { ConsoleContext, Session } from "./context.ts";
import { describedBy, errorsOf, fieldError, formError, hiddenFields, table, textArea, type Errors, type Form } from "./forms.ts";
import type { IncidentPreview } from "./preview-types.ts";
import { buttons, previewSection } from "./preview.ts";
import { para } from "./pages.ts";

/** Promises a comms lead picks from, in minutes (the API takes any time up to 7 days). */
const NEXT_UPDATE_CHOICES = [15, 30, 60, 120];

/** Component changes from `component:<id>` selects ("" = no change). */
export function componentsOf(form: Form): Record<string, string> | undefined {
  const changes = Object.fromEntries(Object.entries(form).filter(([k, v]) => k.startsWith("component:") && v !== "").map(([k, v]) => [k.slice("component:".length), v]));
  return Object.keys(changes).length > 0 ? changes : undefined;
}

function nextUpdateOf(form: Form, now: string): string | undefined {
  const minutes = Number(form.next_update);
  return NEXT_UPDATE_CHOICES.includes(minutes) ? new Date(Date.parse(now) + minutes * 60_000).toISOString() : undefined;
}

/** A status choice per component (`component:<id>`); the empty choice says "no change" unless `none` names it otherwise. */
export async function componentFields(ctx: ConsoleContext, form: Form, errors: Errors, none?: string): Promise<string> {
  const rows = inPageOrder(await listComponentViews(ctx.deps.db.client));
  const leaves = rows.flatMap((r) => (r.item.isGroup ? r.children : [r.item]));
  if (leaves.length === 0) return "";
  const select = (c: { id: string; name: string; status: ComponentStatus }) => {
    const name = `component:${c.id}`;
    const options = [`<option value="">${escapeHtml(none ?? `No change (${COMPONENT_STATUS_LABELS[c.status]})`)}</option>`, ...COMPONENT_STATUSES.map((s) => `<option value="${s}"${form[name] === s ? " selected" : ""}>${escapeHtml(COMPONENT_STATUS_LABELS[s])}</option>`)];
    return `<li><label for="c-${escapeHtml(c.id)}">${escapeHtml(c.name)}</label> <select id="c-${escapeHtml(c.id)}" name="${escapeHtml(name)}">${options.join("")}</select></li>`;
  };
  return `<fieldset class="choose"${describedBy(errors, "components")}><legend>Affected components</legend>${fieldError(errors, "components")}<ul>${leaves.map(select).join("")}</ul></fieldset>`;
}

function commonFields(form: Form, errors: Errors, bodyLabel: string): string {
  const next = [`<option value="">No promise</option>`, ...NEXT_UPDATE_CHOICES.map((m) => `<option value="${m}"${form.next_update === String(m) ? " selected" : ""}>In ${m < 60 ? `${m} minutes` : `${m / 60} hour${m > 60 ? "s" : ""}`}</option>`)];
  const notify = form.form_id && !form.notify ? "" : " checked";
  return `<p><label for="body">${escapeHtml(bodyLabel)}</label>${fieldError(errors, "body")}
<textarea id="body" name="body" rows="6" maxlength="20000"${describedBy(errors, "body")}>${escapeHtml(form.body ?? "")}</textarea></p>
<p><label for="next_update">Next update promised</label>${fieldError(errors, "next_update_at")}
<select id="next_update" name="next_update">${next.join("")}</select></p>
<p><input type="checkbox" id="notify" name="notify" value="on"${notify}> <label for="notify">Notify subscribers (mail, webhooks)</label></p>`;
}



/**
 * The seed's customer notice for the resolution: four optional Markdown sections, folded away until
 * wanted (an update that is not a resolution is refused if it carries them, with the reason shown).
 */
function noticeFields(form: Form, errors: Errors): string {
  const open = NOTICE_FIELDS.some((f) => form[f]?.trim() || errors[f]) ? " open" : "";
  const hints: Record<NoticeField, string> = {
    impact: "Who and what was affected, e.g. \"- API errors for 10% of requests\"",
    root_cause: "Why it happened, in words customers understand",
    resolution: "What was done to fix it",
    prevention: "What will keep it from happening again",
  };
  const area = (f: NoticeField) => textArea(f, NOTICE_HEADINGS[f], form, errors, { rows: 3, maxlength: 20_000, hint: hints[f] });
  return `<details class="notice-fields"${open}><summary>Customer notice for the resolution (optional)</summary>
<p>With status <strong>Resolved</strong>, these sections follow a summary Herald writes (when it happened, what was affected) under the resolution on the page, in the feeds and in the [RESOLVED] mail. Empty ones are left out.</p>
${NOTICE_FIELDS.map(area).join("\n")}
</details>`;
}

/** The notice's non-blank sections from a posted form. */
function noticeOf(form: Form): Record<string, string> {
  return Object.fromEntries(NOTICE_FIELDS.filter((f) => form[f]?.trim()).map((f) => [f, form[f]!]));
}

/** An update's notice sections as the page shows them (templates/notice.ts), for the console's history. */
function noticeList(incident: IncidentRecord, update: UpdateRecord, timeZone: string): string {
  const blocks = noticeBlocks(incident, update, timeZone);
  if (blocks.length === 0) return "";
  return `<dl class="notice">${blocks.map((b) => `<dt>${escapeHtml(b.heading)}</dt><dd class="md">${renderMarkdown(b.markdown)}</dd>`).join("")}</dl>`;
}

export function incidentPages(ctx: ConsoleContext): Hono {
  const app = new Hono();

  const requireWriter = ctx.allowed("incident:write", "Your role may not change incidents.");

  async function declarePage(c: Context, session: Session, form: Form, errors: Errors, status = 200, preview?: IncidentPreview): Promise<Response> {
    const severities = SEVERITIES.map((sev) => {
      const level = SEVERITY_LEVELS[sev];
      return `<li><input type="radio" id="sev-${sev}" name="severity" value="${sev}"${form.severity === sev ? " checked" : ""}> <label for="sev-${sev}"><strong>${sev} · ${escapeHtml(level.name)}</strong> — ${escapeHtml(level.impact)}. First response: ${escapeHtml(level.responseTime)}</label></li>`;
    });
    const templates = await listTemplates(ctx.deps.db.client);
    const templateOptions = [`<option value="">None: write it below</option>`, ...templates.map((t) => `<option value="${escapeHtml(t.slug)}"${form.template === t.slug ? " selected" : ""}>${escapeHtml(t.name)} (${t.severity})</option>`)];
    const roleField = (name: string, label: string, hint = "") =>
      `<p><label for="${name}">${escapeHtml(label)}</label>${fieldError(errors, name)}<input type="text" id="${name}" name="${name}" maxlength="${name === "bridge_url" ? 2000 : 255}" value="${escapeHtml(form[name] ?? "")}"${hint ? ` placeholder="${escapeHtml(hint)}"` : ""}${describedBy(errors, name)}></p>`;
    const body = `${formError(errors)}
<form method="post" action="/console/incidents/new">${hiddenFields(session, form)}
${templates.length ? `<p><label for="template">Start from a template</label>${fieldError(errors, "template")} <select id="template" name="template"${describedBy(errors, "template")}>${templateOptions.join("")}</select></p>
<p class="note">A template fills in the title, severity, first words and components; anything you write below wins.</p>` : ""}
<p><label for="name">Title customers will read</label>${fieldError(errors, "name")}
<input type="text" id="name" name="name" maxlength="255" value="${escapeHtml(form.name ?? "")}"${describedBy(errors, "name")}></p>
<fieldset${describedBy(errors, "severity")}><legend>Severity</legend>${fieldError(errors, "severity")}<ul>${severities.join("")}</ul></fieldset>
${await componentFields(ctx, form, errors)}
${commonFields(form, errors, "First update (Markdown)")}
<fieldset><legend>The team (never shown to customers)</legend>
${roleField("incident_commander", "Incident commander", "@alice")}${roleField("communications_lead", "Communications lead", "@you")}${roleField("bridge_url", "Video bridge", "https://…")}${roleField("channel", "Channel", "#incident-…")}
</fieldset>
<p><input type="checkbox" id="drill" name="drill" value="on"${form.drill === "on" ? " checked" : ""}> <label for="drill">This is a drill: practice only, never on the page or sent to subscribers (the team channel still hears of it)</label></p>
${buttons(ctx, "Declare incident")}
</form>`;
    return ctx.page(c, "Declare an incident", (preview ? previewSection(preview) : "") + body, { status, session });
  }

  app.get("/", async (c) => {
    const session = await requireWriter(c);
    if (session instanceof Response) return session;
    const tz = ctx.deps.config.page.timeZone;
    const [recent, drafts] = await Promise.all([
      listIncidents(ctx.deps.db.client, { kind: "incident", limit: 50 }),
      listIncidents(ctx.deps.db.client, { kind: "incident", limit: 50, state: "open", drills: "drafts" }),
    ]);
    const rows = [...drafts, ...recent].map((i) => {
      const link = `/console/incidents/${encodeURIComponent(i.id)}`;
      const postmortem = i.status !== "resolved" ? "-" : `<a href="/console/postmortems/${encodeURIComponent(i.id)}">${i.postmortem?.publishedAt ? "Published" : "Write or edit"}<span class="vh"> the postmortem of ${escapeHtml(i.name)}</span></a>`;
      return [`${i.draft ? "<strong>DRAFT</strong> " : ""}<a href="${link}">${escapeHtml(i.name)}</a>`, escapeHtml(i.severity ?? "-"), escapeHtml(STATUS_LABELS[i.status]), escapeHtml(formatPosted(i.startedAt, tz)), postmortem];
    });
    return ctx.page(
      c,
      "Incidents",
      `<p><a class="cta" href="/console/incidents/new">Declare an incident</a></p>` +
        table(["Incident", "Severity", "Status", "Started", "Postmortem"], rows, "No incidents yet.") +
        para("The 50 most recent; drills are under Drills, maintenance under Maintenance."),
      { session },
    );
  });

  app.get("/new", ctx.view(requireWriter, (c, session) => declarePage(c, session, {}, {})));

  app.post("/new", async (c) => {
    const posted = await ctx.postedForm(c, requireWriter);
    if (posted instanceof Response) return posted;
    const { session, form } = posted;
    // Empty fields are "not given" (a template may fill them), never an empty value.
    const given = (name: string) => (form[name]?.trim() ? { [name]: form[name] } : {});
    const input = {
      ...given("template"),
      ...given("name"),
      ...given("severity"),
      ...given("body"),
      ...given("incident_commander"),
      ...given("communications_lead"),
      ...given("bridge_url"),
      ...given("channel"),
      ...(componentsOf(form) ? { components: componentsOf(form) } : {}),
      deliver_notifications: form.notify === "on",
      ...(form.drill === "on" ? { drill: true } : {}),
      ...(nextUpdateOf(form, ctx.now()) ? { next_update_at: nextUpdateOf(form, ctx.now()) } : {}),
    };
    const checked = checkSchema(NewIncidentSchema, input);
    if (!checked.ok) {
      return declarePage(c, session, form, errorsOf(checked.errors), 422);
    }
    try {
      if (form.action === "preview" && ctx.deps.preview) {
        const preview = await ctx.previewOf(session, async (w) => createIncident(w, await incidentFromRequest(w.tx, checked.value)));
        return declarePage(c, session, form, {}, 200, preview);
      }
      const created = await ctx.writeOnce(
        session,
        form.form_id,
        async (w) => ({ id: (await createIncident(w, await incidentFromRequest(w.tx, checked.value))).id }),
        (r) => ({ type: "incident", id: r.id }),
      );
      return c.redirect(`/console/incidents/${encodeURIComponent(created.id)}`, 303);
    } catch (error) {
      if (!(error instanceof Problem)) throw error;
      return declarePage(c, session, form, { form: error.detail, ...errorsOf(error.errors ?? []) }, error.status);
    }
  });

  async function incidentPage(c: Context, session: Session, id: string, form: Form, errors: Errors, status = 200, preview?: IncidentPreview): Promise<Response> {
    const incident = await getIncident(ctx.deps.db.client, id, "incident");
    if (!incident) return ctx.notFound(c, session, "incident");
    const tz = ctx.deps.config.page.timeZone;
    const current = incident.status as IncidentStatus;
    const resolved = current === "resolved";
    const targets = resolved ? INCIDENT_STATUSES.filter((s) => s !== "resolved") : incidentTargets(current);
    const chosen = form.status ?? (resolved ? "investigating" : current);
    const statusOptions = targets.map((s) => `<option value="${s}"${chosen === s ? " selected" : ""}>${escapeHtml(STATUS_LABELS[s])}</option>`).join("");
    const updates = [...incident.updates]
      .sort((a, b) => Date.parse(b.displayAt) - Date.parse(a.displayAt) || b.seq - a.seq)
      .map((u) => `<li><p><strong>${escapeHtml(STATUS_LABELS[u.status])}</strong> · ${escapeHtml(formatPosted(u.displayAt, tz))}</p><div class="md">${renderMarkdown(u.body)}</div>${noticeList(incident, u, tz)}</li>`)
      .join("");
    const links = incident.draft
      ? "Not public yet"
      : incident.drill
      ? `<a href="/console/drills/${encodeURIComponent(incident.id)}">Its response report</a>`
      : `<a href="/incidents/${encodeURIComponent(incident.id)}">Its public page</a>${resolved ? ` · <a href="/console/postmortems/${encodeURIComponent(incident.id)}">Its postmortem</a>` : ""}`;
    const body = `${incident.drill ? `<p class="drill"><strong>DRILL</strong>: practice only. Nothing of it reaches the page or subscribers; resolving it ends the drill.</p>` : ""}
${incident.draft ? draftSection(session, incident, form, errors) : ""}
<p><strong>${escapeHtml(STATUS_LABELS[current])}</strong>${incident.severity ? ` · ${escapeHtml(incident.severity)} · ${escapeHtml(SEVERITY_LEVELS[incident.severity].name)}` : ""} · ${links}</p>
${formError(errors)}
<h2>${resolved ? "Reopen it" : incident.draft ? "Post an update (it stays a draft)" : "Post an update"}</h2>
<form method="post" action="/console/incidents/${encodeURIComponent(incident.id)}">${hiddenFields(session, form)}
<p><label for="status">Status</label>${fieldError(errors, "status")}
<select id="status" name="status"${describedBy(errors, "status")}>${statusOptions}</select></p>
${resolved ? `<p><input type="checkbox" id="reopen" name="reopen" value="on" required> <label for="reopen">Yes, reopen this resolved incident</label></p>` : ""}
${await componentFields(ctx, form, errors)}
${commonFields(form, errors, "What customers will read (Markdown)")}
${resolved || incident.drill ? "" : noticeFields(form, errors)}
${buttons(ctx, resolved ? "Reopen" : "Post update")}
</form>
<h2>Updates</h2>
<ol class="updates">${updates}</ol>`;
    return ctx.page(c, incident.name, (preview ? previewSection(preview) : "") + body, { status, session });
  }

  /** A draft (opened by an alert): what it says, and the one button that makes it public. */
  function draftSection(session: Session, incident: IncidentRecord, form: Form, errors: Errors): string {
    const newest = incident.updates[0];
    const publishing = form.action === "publish";
    const name = publishing ? (form.name ?? "") : incident.name;
    const words = publishing ? (form.body ?? "") : (newest?.body ?? "");
    const notify = publishing && !form.notify ? "" : " checked";
    return `<section class="draft" aria-labelledby="draft"><h2 id="draft">A draft: customers see nothing yet</h2>
<p>An alert opened this incident from a template. Read it, change what is not right, and publish it: the page, feeds and JSON show it at once, and subscribers are told.</p>
<form method="post" action="/console/incidents/${encodeURIComponent(incident.id)}/publish">${hiddenFields(session, publishing ? form : {})}
<p><label for="draft-name">Title customers will read</label>${publishing ? fieldError(errors, "name") : ""}
<input type="text" id="draft-name" name="name" maxlength="255" value="${escapeHtml(name)}"></p>
<p><label for="draft-body">What customers will read first (Markdown)</label>${publishing ? fieldError(errors, "body") : ""}
<textarea id="draft-body" name="body" rows="6" maxlength="20000">${escapeHtml(words)}</textarea></p>
<p><input type="checkbox" id="draft-notify" name="notify" value="on"${notify}> <label for="draft-notify">Notify subscribers (mail, webhooks)</label></p>
<p><button type="submit" name="action" value="publish">Publish this incident</button></p>
</form></section>`;
  }

  app.post("/:id/publish", async (c) => {
    const posted = await ctx.postedForm(c, requireWriter);
    if (posted instanceof Response) return posted;
    const { session, form } = posted;
    const id = c.req.param("id");
    const checked = checkSchema(PublishDraftSchema, { name: form.name, body: form.body, deliver_notifications: form.notify === "on" });
    if (!checked.ok) return incidentPage(c, session, id, { ...form, action: "publish" }, errorsOf(checked.errors), 422);
    try {
      await ctx.writeOnce(session, form.form_id, async (w) => ({ id: (await publishIncident(w, id, checked.value)).id }), (r) => ({ type: "incident", id: r.id }));
      return c.redirect(`/console/incidents/${encodeURIComponent(id)}`, 303);
    } catch (error) {
      if (!(error instanceof Problem)) throw error;
      return incidentPage(c, session, id, { ...form, action: "publish" }, { form: error.detail, ...errorsOf(error.errors ?? []) }, error.status);
    }
  });

  app.get("/:id", ctx.view(requireWriter, (c, session) => incidentPage(c, session, c.req.param("id") ?? "", {}, {})));

  app.post("/:id", async (c) => {
    const posted = await ctx.postedForm(c, requireWriter);
    if (posted instanceof Response) return posted;
    const { session, form } = posted;
    const id = c.req.param("id");
    const input = {
      status: form.status,
      body: form.body,
      ...(componentsOf(form) ? { components: componentsOf(form) } : {}),
      deliver_notifications: form.notify === "on",
      ...(form.reopen === "on" ? { reopen: true } : {}),
      ...(nextUpdateOf(form, ctx.now()) ? { next_update_at: nextUpdateOf(form, ctx.now()) } : {}),
      ...noticeOf(form),
    };
    const checked = checkSchema(NewIncidentUpdateSchema, input);
    if (!checked.ok) {
      return incidentPage(c, session, id, form, errorsOf(checked.errors), 422);
    }
    try {
      if (form.action === "preview" && ctx.deps.preview) {
        const preview = await ctx.previewOf(session, async (w) => (await postIncidentUpdate(w, id, checked.value)).incident);
        return incidentPage(c, session, id, form, {}, 200, preview);
      }
      await ctx.writeOnce(session, form.form_id, async (w) => ({ id: (await postIncidentUpdate(w, id, checked.value)).incident.id }), (r) => ({ type: "incident", id: r.id }));
      return c.redirect(`/console/incidents/${encodeURIComponent(id)}`, 303);
    } catch (error) {
      if (!(error instanceof Problem)) throw error;
      return incidentPage(c, session, id, form, { form: error.detail, ...errorsOf(error.errors ?? []) }, error.status);
    }
  });

  return app;
}
