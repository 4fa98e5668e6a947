/**
 * API keys, for admins (key:manage): list (never their tokens), create — the token is shown once,
 * on the page that answers the form, and never stored — and revoke.
 */
import { Hono, type Context } from "hono";
import { ROLES } from "../../domain/roles.ts";
import { formatPosted } from "../../domain/time.ts";
import { listKeys } from "../../db/queries/keys.ts";
import { escapeHtml } from "../../templates/markdown.ts";
import { checkSchema } from "../http/body.ts";
import { Problem } from "../problem.ts";
import { NewKeySchema } from "../schemas.ts";
import { createKey, revokeKey } from "../service/keys.ts";
import type { ConsoleContext, Session } from "./context.ts";
import { actionButton, errorsOf, formError, hiddenFields, selectField, table, textField, type Errors, type Form } from "./forms.ts";
import { para } from "./pages.ts";

export function keyPages(ctx: ConsoleContext): Hono {
  const app = new Hono();
  const { db, config } = ctx.deps;
  const tz = config.page.timeZone;
  const requireAdmin = ctx.allowed("key:manage", "Only admins manage API keys.");

  async function keysPage(c: Context, session: Session, form: Form, errors: Errors, status = 200, created = ""): Promise<Response> {
    const rows = (await listKeys(db.client)).map((k) => [
      escapeHtml(k.name),
      escapeHtml(k.role),
      escapeHtml(formatPosted(k.createdAt, tz)),
      k.lastUsedAt ? escapeHtml(formatPosted(k.lastUsedAt, tz)) : "never",
      k.revokedAt ? `Revoked ${escapeHtml(formatPosted(k.revokedAt, tz))}` : actionButton(session, `/console/keys/${encodeURIComponent(k.id)}/revoke`, "Revoke", `Revoke the key ${k.name}`),
    ]);
    const body = `${created}${table(["Name", "Role", "Created", "Last used", ""], rows, "No API keys yet.")}
<h2>Create a key</h2>
${para("For the CLI on another machine, a monitoring system or a script. A comms key may post incident and maintenance updates; an admin key may do everything.")}
${formError(errors)}
<form method="post" action="/console/keys">${hiddenFields(session, form)}
${textField("name", "What it is for", form, errors, { maxlength: 255, required: true, placeholder: "Alertmanager" })}
${selectField("role", "Role", ROLES.map((r) => ({ value: r, label: r })), { role: "comms", ...form }, errors)}
<p><button type="submit">Create key</button></p>
</form>`;
    return ctx.page(c, "API keys", body, { status, session });
  }

  app.get("/", ctx.view(requireAdmin, (c, session) => keysPage(c, session, {}, {})));

  app.post("/", async (c) => {
    const posted = await ctx.postedForm(c, requireAdmin);
    if (posted instanceof Response) return posted;
    const { session, form } = posted;
    const checked = checkSchema(NewKeySchema, { name: form.name ?? "", role: form.role });
    if (!checked.ok) return keysPage(c, session, form, errorsOf(checked.errors), 422);
    // The token lives only in this answer: the stored replay of the form holds the key's id alone.
    let token: string | null = null;
    try {
      await ctx.writeOnce(session, form.form_id, async (w) => {
        const made = await createKey(w, checked.value.name, checked.value.role);
        token = made.token;
        return { id: made.key.id };
      }, () => null);
    } catch (error) {
      if (!(error instanceof Problem)) throw error;
      return keysPage(c, session, form, { form: error.detail, ...errorsOf(error.errors ?? []) }, error.status);
    }
    const shown = token
      ? `<section class="preview" aria-labelledby="new-key"><h2 id="new-key">The new key's token</h2><p>Copy it now: it is shown this once and Herald keeps only its hash.</p><p class="token">${escapeHtml(token)}</p><pre><code>export HERALD_URL=${escapeHtml(config.page.url)}\nexport HERALD_TOKEN=${escapeHtml(token)}</code></pre></section>`
      : `<p role="status"><strong>This form was sent already: the key exists, and its token was shown on that first answer only.</strong> Revoke it and create another if it was not copied.</p>`;
    return keysPage(c, session, {}, {}, 200, shown);
  });

  app.post("/:id/revoke", async (c) => {
    const posted = await ctx.postedForm(c, requireAdmin);
    if (posted instanceof Response) return posted;
    try {
      await ctx.writeOnce(posted.session, null, async (w) => ({ id: (await revokeKey(w, c.req.param("id"))).id }), () => null);
    } catch (error) {
      if (!(error instanceof Problem) || error.status !== 404) throw error;
    }
    return c.redirect("/console/keys", 303);
  });

  return app;
}
