/**
 * Components and groups, for admins (component:write): add one (into a group, new or existing),
 * rename it, describe it, move it, set its status outside an incident, and choose how the page
 * shows it. A group's status is always its most degraded child's.
 */
import { Hono, type Context } from "hono";
import { inPageOrder } from "../../domain/component-order.ts";
import { COMPONENT_STATUSES, COMPONENT_STATUS_LABELS } from "../../domain/components.ts";
import { escapeHtml } from "../../templates/markdown.ts";
import { checkSchema } from "../http/body.ts";
import { Problem } from "../problem.ts";
import { ComponentPatchSchema, NewComponentSchema } from "../routes/components.ts";
import { createComponent, listComponentViews, updateComponent, type ComponentView } from "../service/components.ts";
import type { ConsoleContext, Session } from "./context.ts";
import { checkbox, errorsOf, formError, hiddenFields, selectField, table, textArea, textField, type Errors, type Form } from "./forms.ts";

const statusOptions = COMPONENT_STATUSES.map((s) => ({ value: s, label: COMPONENT_STATUS_LABELS[s] }));

export function componentPages(ctx: ConsoleContext): Hono {
  const app = new Hono();
  const { db } = ctx.deps;
  const requireAdmin = ctx.allowed("component:write", "Only admins change components.");
  const groupOptions = (views: readonly ComponentView[]) => [{ value: "", label: "No group" }, ...views.filter((v) => v.isGroup).map((g) => ({ value: g.id, label: g.name }))];

  async function listPage(c: Context, session: Session, form: Form, errors: Errors, status = 200): Promise<Response> {
    const views = await listComponentViews(db.client);
    const rows = inPageOrder(views).flatMap((r) => [r.item, ...r.children]).map((v) => [
      `${v.groupId ? "↳ " : ""}<a href="/console/components/${encodeURIComponent(v.id)}">${escapeHtml(v.name)}</a>${v.isGroup ? " (group)" : ""}`,
      escapeHtml(COMPONENT_STATUS_LABELS[v.status]),
      v.showcase ? "Yes" : "No",
      String(v.position),
    ]);
    const values: Form = { status: "operational", ...form };
    const body = `${table(["Component", "Status", "Uptime bar", "Position"], rows, "No components yet: add the first one below.")}
<h2>Add a component</h2>
${formError(errors)}
<form method="post" action="/console/components">${hiddenFields(session, form)}
${textField("name", "Name", values, errors, { maxlength: 255, required: true, placeholder: "API" })}
${textArea("description", "Description (optional, shown on the page)", values, errors, { rows: 2, maxlength: 1000 })}
${selectField("group_id", "Group", groupOptions(views), values, errors)}
${textField("group", "Or a new group (its name)", values, errors, { maxlength: 255 })}
${selectField("status", "Status", statusOptions, values, errors)}
${checkbox("showcase", "Show its uptime bar on the page", form, true)}
<p><button type="submit">Add component</button></p>
</form>`;
    return ctx.page(c, "Components", body, { status, session });
  }

  async function editPage(c: Context, session: Session, id: string, form: Form | null, errors: Errors, status = 200): Promise<Response> {
    const views = await listComponentViews(db.client);
    const v = views.find((x) => x.id === id);
    if (!v) return ctx.notFound(c, session, "component");
    const values: Form = form ?? {
      form_id: "",
      name: v.name,
      description: v.description ?? "",
      group_id: v.groupId ?? "",
      status: v.status,
      position: String(v.position),
      ...(v.showcase ? { showcase: "on" } : {}),
      ...(v.onlyShowIfDegraded ? { only_show_if_degraded: "on" } : {}),
    };
    const body = `<p><a href="/console/components">All components</a></p>
${formError(errors)}
<form method="post" action="/console/components/${encodeURIComponent(id)}">${hiddenFields(session, form ?? {})}
${textField("name", "Name", values, errors, { maxlength: 255, required: true })}
${textArea("description", "Description (optional, shown on the page)", values, errors, { rows: 2, maxlength: 1000 })}
${v.isGroup ? `<p class="note">A group's status is its most degraded component's.</p>` : `${selectField("group_id", "Group", groupOptions(views), values, errors)}
${selectField("status", "Status", statusOptions, values, errors)}
<p class="note">Set a status here only outside an incident; during one, change it with the incident's update so customers read why.</p>`}
${textField("position", "Position (1 is first)", values, errors, { maxlength: 7 })}
${checkbox("showcase", "Show its uptime bar on the page", values, false)}
${checkbox("only_show_if_degraded", "Show it only while it is not operational", values, false)}
<p><button type="submit">Save</button></p>
</form>`;
    return ctx.page(c, v.name, body, { status, session });
  }

  app.get("/", ctx.view(requireAdmin, (c, session) => listPage(c, session, {}, {})));

  app.post("/", async (c) => {
    const posted = await ctx.postedForm(c, requireAdmin);
    if (posted instanceof Response) return posted;
    const { session, form } = posted;
    const input = {
      name: form.name ?? "",
      description: form.description?.trim() ? form.description : null,
      ...(form.group?.trim() ? { group: form.group.trim() } : form.group_id ? { group_id: form.group_id } : {}),
      status: form.status,
      showcase: form.showcase === "on",
    };
    const checked = checkSchema(NewComponentSchema, input);
    if (!checked.ok) return listPage(c, session, form, errorsOf(checked.errors), 422);
    try {
      await ctx.writeOnce(session, form.form_id, async (w) => ({ id: (await createComponent(w, checked.value)).id }), (r) => ({ type: "component", id: r.id }));
    } catch (error) {
      if (!(error instanceof Problem)) throw error;
      return listPage(c, session, form, { form: error.detail, ...errorsOf(error.errors ?? []) }, error.status);
    }
    return c.redirect("/console/components", 303);
  });

  app.get("/:id", ctx.view(requireAdmin, (c, session) => editPage(c, session, c.req.param("id") ?? "", null, {})));

  app.post("/:id", async (c) => {
    const posted = await ctx.postedForm(c, requireAdmin);
    if (posted instanceof Response) return posted;
    const { session, form } = posted;
    const id = c.req.param("id");
    const current = (await listComponentViews(db.client)).find((x) => x.id === id);
    if (!current) return ctx.notFound(c, session, "component");
    const position = Number(form.position);
    const patch = {
      name: form.name ?? "",
      description: form.description?.trim() ? form.description : null,
      ...(form.position?.trim() ? { position: Number.isInteger(position) ? position : form.position } : {}),
      showcase: form.showcase === "on",
      only_show_if_degraded: form.only_show_if_degraded === "on",
      // A group has neither a group nor a status of its own.
      ...(current.isGroup ? {} : { group_id: form.group_id || null, ...(form.status !== current.status ? { status: form.status } : {}) }),
    };
    const checked = checkSchema(ComponentPatchSchema, patch);
    if (!checked.ok) return editPage(c, session, id, form, errorsOf(checked.errors), 422);
    try {
      await ctx.writeOnce(session, form.form_id, async (w) => ({ id: (await updateComponent(w, id, checked.value)).id }), (r) => ({ type: "component", id: r.id }));
    } catch (error) {
      if (!(error instanceof Problem)) throw error;
      return editPage(c, session, id, form, { form: error.detail, ...errorsOf(error.errors ?? []) }, error.status);
    }
    return c.redirect("/console/components", 303);
  });

  return app;
}
