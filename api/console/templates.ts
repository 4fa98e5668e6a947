/**
 * Incident templates from the console: the words a comms lead starts from under pressure (title,
 * severity, first update, components). Comms members keep them, as with the API's template:write.
 */
import { Hono, type Context } from "hono";
import { SEVERITIES, SEVERITY_LEVELS } from "../../domain/severity.ts";
import { isSlug } from "../../domain/templates.ts";
import { getTemplate, listTemplates } from "../../db/queries/templates.ts";
import { escapeHtml } from "../../templates/markdown.ts";
import { checkSchema } from "../http/body.ts";
import { Problem } from "../problem.ts";
import { NewTemplateSchema, TemplatePatchSchema } from "../routes/templates.ts";
import { createTemplate, removeTemplate, updateTemplate } from "../service/templates.ts";
import type { ConsoleContext, Session } from "./context.ts";
import { actionButton, errorsOf, formError, hiddenFields, selectField, table, textArea, textField, type Errors, type Form } from "./forms.ts";
import { componentFields, componentsOf } from "./incidents.ts";

const severityOptions = SEVERITIES.map((s) => ({ value: s, label: `${s} · ${SEVERITY_LEVELS[s].name}` }));

export function templatePages(ctx: ConsoleContext): Hono {
  const app = new Hono();
  const { db } = ctx.deps;
  const requireWriter = ctx.allowed("template:write", "Your role may not change templates.");

  async function fields(session: Session, action: string, form: Form, errors: Errors, isNew: boolean, submit: string): Promise<string> {
    return `${formError(errors)}<form method="post" action="${escapeHtml(action)}">${hiddenFields(session, form)}
${isNew ? textField("slug", "Short name (letters, digits and dashes; used by herald incident declare --template)", form, errors, { maxlength: 64, required: true, placeholder: "database-outage" }) : ""}
${textField("name", "What it is for", form, errors, { maxlength: 255, required: true, placeholder: "Database outage" })}
${textField("title", "Title customers will read (empty: the name above)", form, errors, { maxlength: 255 })}
${selectField("severity", "Severity", severityOptions, { severity: "SEV2", ...form }, errors)}
${await componentFields(ctx, form, errors, "Not affected")}
${textArea("body", "First update (Markdown)", form, errors, { maxlength: 20000 })}
<p><button type="submit">${escapeHtml(submit)}</button></p></form>`;
  }

  async function listPage(c: Context, session: Session, form: Form, errors: Errors, status = 200): Promise<Response> {
    const rows = (await listTemplates(db.client)).map((t) => [
      `<a href="/console/templates/${encodeURIComponent(t.slug)}">${escapeHtml(t.name)}</a>`,
      escapeHtml(t.slug),
      escapeHtml(t.severity),
      actionButton(session, `/console/templates/${encodeURIComponent(t.slug)}/remove`, "Delete", `Delete the template ${t.name}`),
    ]);
    const body = `${table(["Template", "Short name", "Severity", ""], rows, "No templates yet.")}
<h2>Add a template</h2>
${await fields(session, "/console/templates", form, errors, true, "Add template")}`;
    return ctx.page(c, "Templates", body, { status, session });
  }

  async function editPage(c: Context, session: Session, slug: string, form: Form | null, errors: Errors, status = 200): Promise<Response> {
    const t = isSlug(slug) ? await getTemplate(db.client, slug) : null;
    if (!t) return ctx.notFound(c, session, "template");
    const values: Form = form ?? {
      name: t.name,
      title: t.title ?? "",
      severity: t.severity,
      body: t.body,
      ...Object.fromEntries(Object.entries(t.components).map(([id, s]) => [`component:${id}`, s])),
    };
    return ctx.page(c, `Template: ${t.name}`, `<p><a href="/console/templates">All templates</a></p>${await fields(session, `/console/templates/${encodeURIComponent(slug)}`, values, errors, false, "Save template")}`, { status, session });
  }

  const input = (form: Form) => ({
    name: form.name ?? "",
    title: form.title?.trim() ? form.title : null,
    severity: form.severity,
    body: form.body ?? "",
    components: componentsOf(form) ?? {},
  });

  app.get("/", ctx.view(requireWriter, (c, session) => listPage(c, session, {}, {})));

  app.post("/", async (c) => {
    const posted = await ctx.postedForm(c, requireWriter);
    if (posted instanceof Response) return posted;
    const { session, form } = posted;
    const checked = checkSchema(NewTemplateSchema, { slug: (form.slug ?? "").trim(), ...input(form) });
    if (!checked.ok) return listPage(c, session, form, errorsOf(checked.errors), 422);
    try {
      await ctx.writeOnce(session, form.form_id, async (w) => ({ slug: (await createTemplate(w, checked.value)).slug }), () => null);
    } catch (error) {
      if (!(error instanceof Problem)) throw error;
      return listPage(c, session, form, { form: error.detail, ...errorsOf(error.errors ?? []) }, error.status);
    }
    return c.redirect("/console/templates", 303);
  });

  app.get("/:slug", ctx.view(requireWriter, (c, session) => editPage(c, session, c.req.param("slug") ?? "", null, {})));

  app.post("/:slug", async (c) => {
    const posted = await ctx.postedForm(c, requireWriter);
    if (posted instanceof Response) return posted;
    const { session, form } = posted;
    const slug = c.req.param("slug");
    const checked = checkSchema(TemplatePatchSchema, input(form));
    if (!checked.ok) return editPage(c, session, slug, form, errorsOf(checked.errors), 422);
    try {
      await ctx.writeOnce(session, form.form_id, async (w) => ({ slug: (await updateTemplate(w, slug, checked.value)).slug }), () => null);
    } catch (error) {
      if (!(error instanceof Problem)) throw error;
      if (error.status === 404) return ctx.notFound(c, session, "template");
      return editPage(c, session, slug, form, { form: error.detail, ...errorsOf(error.errors ?? []) }, error.status);
    }
    return c.redirect("/console/templates", 303);
  });

  app.post("/:slug/remove", async (c) => {
    const posted = await ctx.postedForm(c, requireWriter);
    if (posted instanceof Response) return posted;
    const slug = c.req.param("slug");
    try {
      if (isSlug(slug)) await ctx.writeOnce(posted.session, null, async (w) => ({ slug: (await removeTemplate(w, slug)).slug }), () => null);
    } catch (error) {
      // Deleted already (a second click): the list shows it gone either way.
      if (!(error instanceof Problem) || error.status !== 404) throw error;
    }
    return c.redirect("/console/templates", 303);
  });

  return app;
}
