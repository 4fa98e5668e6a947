/**
 * Scheduled maintenance from the console: schedule a window (times in the page's zone), then move
 * it along (in progress, verifying, completed) with the same service functions and lifecycle rule
 * as the API, previews included. Herald moves a window on time by itself unless told not to.
 */
import { Hono, type Context } from "hono";
import { inPageOrder } from "../../domain/component-order.ts";
import { maintenanceTargets, STATUS_LABELS, statusLabelOf, type MaintenanceStatus } from "../../domain/lifecycle.ts";
import { formatPosted, formatRange, instantOfWallClock, timeZoneLabel, wallClockInput } from "../../domain/time.ts";
import { getIncident, listIncidents } from "../../db/queries/incidents.ts";
import { escapeHtml, renderMarkdown } from "../../templates/markdown.ts";
import { checkSchema } from "../http/body.ts";
import { Problem } from "../problem.ts";
import { MaintenanceCancelSchema, MaintenanceChangeSchema, NewMaintenanceSchema, NewMaintenanceUpdateSchema } from "../routes/maintenances.ts";
import { CANCELLED_BODY, cancelMaintenance, changeMaintenance } from "../service/maintenances.ts";
import { listComponentViews } from "../service/components.ts";
import { createMaintenance, postMaintenanceUpdate } from "../service/incidents.ts";
import type { ConsoleContext, Session } from "./context.ts";
import { checkbox, describedBy, errorsOf, fieldError, formError, hiddenFields, selectField, table, textArea, textField, type Errors, type Form } from "./forms.ts";
import { componentFields, componentsOf } from "./incidents.ts";
import { para } from "./pages.ts";
import { buttons, previewSection } from "./preview.ts";
import type { IncidentPreview } from "./preview-types.ts";

const DEFAULT_BODY = "We will be performing scheduled maintenance. Services may be briefly unavailable during the window.";

export function maintenancePages(ctx: ConsoleContext): Hono {
  const app = new Hono();
  const { db, config } = ctx.deps;
  const tz = config.page.timeZone;
  const requireWriter = ctx.allowed("maintenance:write", "Your role may not change maintenance.");

  async function listPage(c: Context, session: Session, form: Form, errors: Errors, status = 200, preview?: IncidentPreview): Promise<Response> {
    const open = await listIncidents(db.client, { kind: "maintenance", state: "open", limit: 100, order: "soonest" });
    const done = await listIncidents(db.client, { kind: "maintenance", state: "closed", limit: 10 });
    const row = (m: (typeof open)[number]) => [
      `<a href="/console/maintenances/${encodeURIComponent(m.id)}">${escapeHtml(m.name)}</a>`,
      escapeHtml(STATUS_LABELS[m.status]),
      escapeHtml(m.scheduledFor && m.scheduledUntil ? formatRange(m.scheduledFor, m.scheduledUntil, tz) : "-"),
    ];
    const leaves = inPageOrder(await listComponentViews(db.client)).flatMap((r) => (r.item.isGroup ? r.children : [r.item]));
    const picks = leaves
      .map((cmp) => `<li><input type="checkbox" id="mc-${escapeHtml(cmp.id)}" name="component:${escapeHtml(cmp.id)}" value="on"${form[`component:${cmp.id}`] === "on" ? " checked" : ""}> <label for="mc-${escapeHtml(cmp.id)}">${escapeHtml(cmp.name)}</label></li>`)
      .join("");
    const zone = timeZoneLabel(ctx.now(), tz);
    // A first look offers the next whole hour, for two hours.
    const hour = Math.ceil(Date.parse(ctx.now()) / 3_600_000) * 3_600_000;
    const values: Form = { body: DEFAULT_BODY, starts: wallClockInput(hour, tz), ends: wallClockInput(hour + 2 * 3_600_000, tz), ...form };
    const body = `${preview ? previewSection(preview) : ""}<h2>Scheduled and under way</h2>
${table(["Maintenance", "Status", "Window"], open.map(row), "Nothing scheduled.")}
<h2>Schedule a maintenance</h2>
${formError(errors)}
<form method="post" action="/console/maintenances">${hiddenFields(session, form)}
${textField("name", "Title customers will read", values, errors, { maxlength: 255, required: true })}
${textField("starts", `Starts (${zone})`, values, errors, { type: "datetime-local", required: true })}
${textField("ends", `Ends (${zone})`, values, errors, { type: "datetime-local", required: true })}
${leaves.length ? `<fieldset class="choose"${describedBy(errors, "components")}><legend>Components under maintenance</legend>${fieldError(errors, "components")}<ul>${picks}</ul></fieldset>` : ""}
${textArea("body", "What customers will read (Markdown)", values, errors, { maxlength: 20000 })}
${checkbox("notify", "Notify subscribers (mail, webhooks)", form, true)}
${checkbox("auto_start", "Put it in progress when the window opens", form, true)}
${checkbox("auto_complete", "Complete it when the window closes", form, true)}
${buttons(ctx, "Schedule maintenance")}
</form>
<h2>Recently completed</h2>
${table(["Maintenance", "Status", "Window"], done.map(row), "None yet.")}`;
    return ctx.page(c, "Maintenance", body, { status, session });
  }

  app.get("/", ctx.view(requireWriter, (c, session) => listPage(c, session, {}, {})));

  app.post("/", async (c) => {
    const posted = await ctx.postedForm(c, requireWriter);
    if (posted instanceof Response) return posted;
    const { session, form } = posted;
    const errors: Errors = {};
    const starts = instantOfWallClock(form.starts ?? "", tz);
    const ends = instantOfWallClock(form.ends ?? "", tz);
    if (!starts) errors.starts = "Give the day and time the window opens.";
    if (!ends) errors.ends = "Give the day and time the window closes.";
    const input = {
      name: form.name ?? "",
      body: form.body ?? "",
      scheduled_for: starts ?? "",
      scheduled_until: ends ?? "",
      component_ids: Object.keys(form).filter((k) => k.startsWith("component:") && form[k] === "on").map((k) => k.slice("component:".length)),
      deliver_notifications: form.notify === "on",
      scheduled_auto_in_progress: form.auto_start === "on",
      scheduled_auto_completed: form.auto_complete === "on",
    };
    const checked = checkSchema(NewMaintenanceSchema, input);
    const rename = { scheduled_for: "starts", scheduled_until: "ends", component_ids: "components" };
    if (!checked.ok || Object.keys(errors).length > 0) return listPage(c, session, form, { ...(checked.ok ? {} : errorsOf(checked.errors, rename)), ...errors }, 422);
    try {
      if (form.action === "preview" && ctx.deps.preview) {
        const preview = await ctx.previewOf(session, (w) => createMaintenance(w, checked.value));
        return listPage(c, session, form, {}, 200, preview);
      }
      const created = await ctx.writeOnce(session, form.form_id, async (w) => ({ id: (await createMaintenance(w, checked.value)).id }), (r) => ({ type: "maintenance", id: r.id }));
      return c.redirect(`/console/maintenances/${encodeURIComponent(created.id)}`, 303);
    } catch (error) {
      if (!(error instanceof Problem)) throw error;
      return listPage(c, session, form, { form: error.detail, ...errorsOf(error.errors ?? [], rename) }, error.status);
    }
  });

  async function maintenancePage(c: Context, session: Session, id: string, form: Form, errors: Errors, status = 200, preview?: IncidentPreview): Promise<Response> {
    const m = await getIncident(db.client, id, "maintenance");
    if (!m) return ctx.notFound(c, session, "maintenance");
    const current = m.status as MaintenanceStatus;
    const completed = current === "completed";
    const label = statusLabelOf(current, m);
    const next = maintenanceTargets(current);
    const values: Form = { status: next.find((s) => s !== current) ?? current, ...(form.which ? {} : form) };
    const updates = [...m.updates]
      .sort((a, b) => Date.parse(b.displayAt) - Date.parse(a.displayAt) || b.seq - a.seq)
      .map((u) => `<li><p><strong>${escapeHtml(STATUS_LABELS[u.status])}</strong> · ${escapeHtml(formatPosted(u.displayAt, tz))} · ${escapeHtml(u.author)}</p><div class="md">${renderMarkdown(u.body)}</div></li>`)
      .join("");
    const window = m.scheduledFor && m.scheduledUntil ? formatRange(m.scheduledFor, m.scheduledUntil, tz) : "";
    const which = form.which;
    const zone = timeZoneLabel(ctx.now(), tz);
    const windowValues: Form = which === "window" ? form : { starts: wallClockInput(m.scheduledFor!, tz), ends: wallClockInput(m.scheduledUntil!, tz) };
    const windowErrors = which === "window" ? errors : {};
    // Move the window (its start only before it begins) or call it off: the calendar (/maintenances.ics) follows.
    const planning = completed
      ? ""
      : `<h2>Move the window</h2>${which === "window" ? formError(errors) : ""}
<form method="post" action="/console/maintenances/${encodeURIComponent(m.id)}/window">${hiddenFields(session, which === "window" ? form : {})}
${current === "scheduled" ? textField("starts", `Starts (${zone})`, windowValues, windowErrors, { type: "datetime-local", required: true }) : ""}
${textField("ends", `Ends (${zone})`, windowValues, windowErrors, { type: "datetime-local", required: true })}
${textArea("change_body", "What customers will read about the change (Markdown, optional)", which === "window" ? form : {}, windowErrors, { rows: 3, maxlength: 20000 })}
${checkbox("change_notify", "Notify subscribers (mail, webhooks) when you write something", which === "window" ? form : {}, true)}
<p><button type="submit">Move the window</button></p>
</form>${current === "scheduled" ? `
<h2>Cancel it</h2>${which === "cancel" ? formError(errors) : ""}
<form method="post" action="/console/maintenances/${encodeURIComponent(m.id)}/cancel">${hiddenFields(session, which === "cancel" ? form : {})}
${textArea("cancel_body", "What customers will read (Markdown)", which === "cancel" ? form : { cancel_body: CANCELLED_BODY }, which === "cancel" ? errors : {}, { rows: 3, maxlength: 20000 })}
${checkbox("cancel_notify", "Notify subscribers (mail, webhooks)", which === "cancel" ? form : {}, true)}
<p><button type="submit">Cancel this maintenance</button></p>
</form>` : ""}`;
    // The update form shows its own posted values and errors only (the window and cancel forms keep theirs).
    const updateForm = which ? {} : form;
    const updateErrors = which ? {} : errors;
    const form_ = completed
      ? para(m.cancelledAt ? "It was cancelled before it began." : "It is completed; a completed maintenance is final. Schedule a new one if more work is needed.")
      : `<h2>Post an update</h2>${formError(updateErrors)}
<form method="post" action="/console/maintenances/${encodeURIComponent(m.id)}">${hiddenFields(session, updateForm)}
${selectField("status", "Status", next.map((s) => ({ value: s, label: STATUS_LABELS[s] })), values, updateErrors)}
<p class="note">In progress puts its components under maintenance; completed gives them back. Change them below only to say otherwise.</p>
${await componentFields(ctx, updateForm, updateErrors)}
${textArea("body", "What customers will read (Markdown)", values, updateErrors, { maxlength: 20000 })}
${checkbox("notify", "Notify subscribers (mail, webhooks)", updateForm, true)}
${buttons(ctx, "Post update")}
</form>`;
    const body = `${preview ? previewSection(preview) : ""}<p><strong>${escapeHtml(label)}</strong> · ${escapeHtml(window)} · <a href="/incidents/${encodeURIComponent(m.id)}">Its public page</a></p>
${form_}
${planning}
<h2>Updates</h2><ol class="updates">${updates}</ol>`;
    return ctx.page(c, m.name, body, { status, session });
  }

  app.get("/:id", ctx.view(requireWriter, (c, session) => maintenancePage(c, session, c.req.param("id") ?? "", {}, {})));

  app.post("/:id", async (c) => {
    const posted = await ctx.postedForm(c, requireWriter);
    if (posted instanceof Response) return posted;
    const { session, form } = posted;
    const id = c.req.param("id");
    const components = componentsOf(form);
    const checked = checkSchema(NewMaintenanceUpdateSchema, { status: form.status, body: form.body ?? "", ...(components ? { components } : {}), deliver_notifications: form.notify === "on" });
    if (!checked.ok) return maintenancePage(c, session, id, form, errorsOf(checked.errors), 422);
    try {
      if (form.action === "preview" && ctx.deps.preview) {
        const preview = await ctx.previewOf(session, async (w) => (await postMaintenanceUpdate(w, id, checked.value)).incident);
        return maintenancePage(c, session, id, form, {}, 200, preview);
      }
      await ctx.writeOnce(session, form.form_id, async (w) => ({ id: (await postMaintenanceUpdate(w, id, checked.value)).incident.id }), (r) => ({ type: "maintenance", id: r.id }));
      return c.redirect(`/console/maintenances/${encodeURIComponent(id)}`, 303);
    } catch (error) {
      if (!(error instanceof Problem)) throw error;
      if (error.status === 404) return ctx.notFound(c, session, "maintenance");
      return maintenancePage(c, session, id, form, { form: error.detail, ...errorsOf(error.errors ?? []) }, error.status);
    }
  });

  app.post("/:id/window", async (c) => {
    const posted = await ctx.postedForm(c, requireWriter);
    if (posted instanceof Response) return posted;
    const { session, form } = posted;
    const id = c.req.param("id");
    const again = (errors: Errors, status: number) => maintenancePage(c, session, id, { ...form, which: "window" }, errors, status);
    const errors: Errors = {};
    const starts = form.starts === undefined ? undefined : instantOfWallClock(form.starts, tz);
    const ends = instantOfWallClock(form.ends ?? "", tz);
    if (starts === null) errors.starts = "Give the day and time the window opens.";
    if (!ends) errors.ends = "Give the day and time the window closes.";
    if (Object.keys(errors).length > 0) return again(errors, 422);
    const rename = { scheduled_for: "starts", scheduled_until: "ends" };
    const checked = checkSchema(MaintenanceChangeSchema, {
      ...(starts ? { scheduled_for: starts } : {}),
      scheduled_until: ends!,
      ...(form.change_body?.trim() ? { body: form.change_body } : {}),
      deliver_notifications: form.change_notify === "on",
    });
    if (!checked.ok) return again(errorsOf(checked.errors, { ...rename, body: "change_body" }), 422);
    try {
      await ctx.writeOnce(session, form.form_id, async (w) => ({ id: (await changeMaintenance(w, id, checked.value)).id }), (r) => ({ type: "maintenance", id: r.id }));
      return c.redirect(`/console/maintenances/${encodeURIComponent(id)}`, 303);
    } catch (error) {
      if (!(error instanceof Problem)) throw error;
      if (error.status === 404) return ctx.notFound(c, session, "maintenance");
      return again({ form: error.detail, ...errorsOf(error.errors ?? [], rename) }, error.status);
    }
  });

  app.post("/:id/cancel", async (c) => {
    const posted = await ctx.postedForm(c, requireWriter);
    if (posted instanceof Response) return posted;
    const { session, form } = posted;
    const id = c.req.param("id");
    const checked = checkSchema(MaintenanceCancelSchema, { ...(form.cancel_body?.trim() ? { body: form.cancel_body } : {}), deliver_notifications: form.cancel_notify === "on" });
    if (!checked.ok) return maintenancePage(c, session, id, { ...form, which: "cancel" }, errorsOf(checked.errors, { body: "cancel_body" }), 422);
    try {
      await ctx.writeOnce(session, form.form_id, async (w) => ({ id: (await cancelMaintenance(w, id, checked.value)).id }), (r) => ({ type: "maintenance", id: r.id }));
      return c.redirect(`/console/maintenances/${encodeURIComponent(id)}`, 303);
    } catch (error) {
      if (!(error instanceof Problem)) throw error;
      if (error.status === 404) return ctx.notFound(c, session, "maintenance");
      return maintenancePage(c, session, id, { ...form, which: "cancel" }, { form: error.detail, ...errorsOf(error.errors ?? []) }, error.status);
    }
  });

  return app;
}
