/**
 * An incident's postmortem from the console: the seed's blameless template pre-filled from the
 * incident (timeline, response times, components), its action items, saving a draft, and
 * publishing it — with a mail to subscribers if asked, once per postmortem. The same service
 * functions and rules as the API: a draft that still holds the template's prompts is not published
 * unless the comms lead says so.
 */
import { Hono, type Context } from "hono";
import { checkPublish } from "../../domain/postmortem.ts";
import { formatPosted } from "../../domain/time.ts";
import { getIncident } from "../../db/queries/incidents.ts";
import { getPostmortem } from "../../db/queries/postmortems.ts";
import type { ActionItemRecord } from "../../db/records.ts";
import { escapeHtml } from "../../templates/markdown.ts";
import { checkSchema } from "../http/body.ts";
import { Problem } from "../problem.ts";
import { PostmortemSchema, PublishPostmortemSchema } from "../routes/postmortems.ts";
import { draftPostmortem, publishPostmortem, savePostmortemText } from "../service/postmortems.ts";
import type { ConsoleContext, Session } from "./context.ts";
import { checkbox, errorsOf, formError, hiddenFields, textArea, type Errors, type Form } from "./forms.ts";
import { para } from "./pages.ts";

/** Blank rows offered for new action items below the existing ones. */
const BLANK_ITEMS = 3;

/** The action items of a posted form: rows `item-<n>-…` with a description (empty rows are dropped). */
function itemsOf(form: Form): { description: string; owner: string | null; due_date: string | null; done: boolean }[] {
  const rows = new Set(Object.keys(form).map((k) => /^item-(\d+)-/.exec(k)?.[1]).filter((n): n is string => n !== undefined));
  return [...rows]
    .sort((a, b) => Number(a) - Number(b))
    .map((n) => ({
      description: (form[`item-${n}-description`] ?? "").trim(),
      owner: (form[`item-${n}-owner`] ?? "").trim() || null,
      due_date: (form[`item-${n}-due`] ?? "").trim() || null,
      done: form[`item-${n}-done`] === "on",
    }))
    .filter((item) => item.description !== "");
}

function itemRows(items: readonly ActionItemRecord[], errors: Errors): string {
  const rows = [...items, ...Array.from({ length: BLANK_ITEMS }, () => ({ description: "", owner: null, dueDate: null, done: false }))];
  const field = (n: number, name: string, label: string, value: string, type = "text", cls = "") =>
    `<p${cls ? ` class="${cls}"` : ""}><label for="item-${n}-${name}">${escapeHtml(label)}</label><input type="${type}" id="item-${n}-${name}" name="item-${n}-${name}" value="${escapeHtml(value)}"${type === "text" ? ` maxlength="${name === "description" ? 500 : 255}"` : ""}></p>`;
  const list = rows
    .map(
      (item, n) =>
        `<li>${field(n, "description", `Action item ${n + 1}`, item.description, "text", "what")}${field(n, "owner", "Owner", item.owner ?? "")}${field(n, "due", "Due", item.dueDate ?? "", "date")}<p><input type="checkbox" id="item-${n}-done" name="item-${n}-done" value="on"${item.done ? " checked" : ""}> <label for="item-${n}-done">Done</label></p></li>`,
    )
    .join("");
  const error = errors.action_items ? `<p class="err" role="alert"><strong>Error:</strong> ${escapeHtml(errors.action_items)}</p>` : "";
  return `<fieldset><legend>Action items</legend>${error}<p class="note">Each with an owner and a due date, as the seed's review process asks. Leave an item's words empty to drop it.</p>
<ol class="items">${list}</ol></fieldset>`;
}

export function postmortemPages(ctx: ConsoleContext): Hono {
  const app = new Hono();
  const { db, config } = ctx.deps;
  const tz = config.page.timeZone;
  const requireWriter = ctx.allowed("postmortem:write", "Your role may not write postmortems.");

  async function postmortemPage(c: Context, session: Session, id: string, form: Form | null, errors: Errors, status = 200, notice = ""): Promise<Response> {
    const incident = await getIncident(db.client, id, "incident");
    if (!incident) return ctx.notFound(c, session, "incident");
    const saved = await getPostmortem(db.client, id);
    const values: Form = form ?? { body: saved?.body ?? (await draftPostmortem(db.client, incident, { url: config.page.url, timeZone: tz }, [])) };
    const items: ActionItemRecord[] = form ? itemsOf(form).map((i) => ({ description: i.description, owner: i.owner, dueDate: i.due_date, done: i.done })) : (saved?.actionItems ?? []);
    const publishable = checkPublish("incident", incident.status, incident.drill === true, incident.draft === true);
    const state = saved?.publishedAt
      ? `Published ${escapeHtml(formatPosted(saved.publishedAt, tz))}${saved.notifiedAt ? " and mailed to subscribers" : ""}. Saving changes the published text at once (no new mail).`
      : saved
        ? `A draft, saved ${escapeHtml(formatPosted(saved.updatedAt, tz))} by ${escapeHtml(saved.author)}. Customers do not see it until it is published.`
        : "Not saved yet: below is the seed's template, pre-filled from the incident. Replace every prompt in italics.";
    const publish = !publishable.ok
      ? para(publishable.message)
      : saved
        ? `<h2>Publish</h2>${errors.publish ? `<p class="err" role="alert"><strong>Error:</strong> ${escapeHtml(errors.publish)}</p>` : ""}
<form method="post" action="/console/postmortems/${encodeURIComponent(id)}/publish">${hiddenFields(session)}
${saved.notifiedAt ? para("Subscribers were mailed already; publishing again mails nobody.") : checkbox("notify", "Mail it to subscribers (once)", {}, false)}
${checkbox("force", "Publish even if some of the template's prompts are still in it", {}, false)}
<p><button type="submit">${saved.publishedAt ? "Publish again" : "Publish postmortem"}</button></p></form>`
        : para("Save it first; then it can be published.");
    const body = `<p><a href="/console/incidents/${encodeURIComponent(id)}">${escapeHtml(incident.name)}</a>${saved?.publishedAt ? ` · <a href="/incidents/${encodeURIComponent(id)}">Its public page</a>` : ""}</p>
${notice ? `<p role="status"><strong>${escapeHtml(notice)}</strong></p>` : ""}<p>${state}</p>
${formError(errors)}
<form method="post" action="/console/postmortems/${encodeURIComponent(id)}">${hiddenFields(session, form ?? {})}
${textArea("body", "The postmortem (Markdown)", values, errors, { rows: 24, maxlength: 100000 })}
${itemRows(items, errors)}
<p><button type="submit">${saved?.publishedAt ? "Save (republishes)" : "Save draft"}</button></p>
</form>
${publish}`;
    return ctx.page(c, `Postmortem: ${incident.name}`, body, { status, session });
  }

  app.get("/:id", async (c) => {
    const session = await requireWriter(c);
    if (session instanceof Response) return session;
    const saved = c.req.query("saved") === "1" ? "Saved." : c.req.query("published") === "1" ? "Published." : "";
    return postmortemPage(c, session, c.req.param("id"), null, {}, 200, saved);
  });

  app.post("/:id", async (c) => {
    const posted = await ctx.postedForm(c, requireWriter);
    if (posted instanceof Response) return posted;
    const { session, form } = posted;
    const id = c.req.param("id");
    const checked = checkSchema(PostmortemSchema, { body: form.body ?? "", action_items: itemsOf(form) });
    if (!checked.ok) return postmortemPage(c, session, id, form, errorsOf(checked.errors), 422);
    try {
      await ctx.writeOnce(
        session,
        form.form_id,
        async (w) => ({ status: (await savePostmortemText(w, id, checked.value)).publishedAt ? "published" : "draft" }),
        (r) => (r.status === "published" ? { type: "incident", id } : null),
      );
    } catch (error) {
      if (!(error instanceof Problem)) throw error;
      if (error.status === 404) return ctx.notFound(c, session, "incident");
      return postmortemPage(c, session, id, form, { form: error.detail, ...errorsOf(error.errors ?? []) }, error.status);
    }
    return c.redirect(`/console/postmortems/${encodeURIComponent(id)}?saved=1`, 303);
  });

  app.post("/:id/publish", async (c) => {
    const posted = await ctx.postedForm(c, requireWriter);
    if (posted instanceof Response) return posted;
    const { session, form } = posted;
    const id = c.req.param("id");
    const checked = checkSchema(PublishPostmortemSchema, { notify_subscribers: form.notify === "on", force: form.force === "on" });
    if (!checked.ok) return postmortemPage(c, session, id, null, { publish: checked.errors[0]!.message }, 422);
    try {
      await ctx.writeOnce(session, form.form_id, async (w) => ({ enqueued: (await publishPostmortem(w, id, checked.value, { showOwners: config.page.showOwners })).enqueued }), () => ({ type: "incident", id }));
    } catch (error) {
      if (!(error instanceof Problem)) throw error;
      if (error.status === 404) return ctx.notFound(c, session, "incident");
      return postmortemPage(c, session, id, null, { publish: error.detail }, error.status);
    }
    return c.redirect(`/console/postmortems/${encodeURIComponent(id)}?published=1`, 303);
  });

  return app;
}
