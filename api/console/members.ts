/**
 * Team members, for admins: who may sign in, and with which role. A comms member gets a 403 here,
 * as an API call with a comms key to an admin route does. Removing a member ends their sessions.
 */
import { Hono, type Context } from "hono";
import { formatPosted } from "../../domain/time.ts";
import { listMembers } from "../../db/queries/members.ts";
import type { MemberRole } from "../../db/records.ts";
import { escapeHtml } from "../../templates/markdown.ts";
import { Problem } from "../problem.ts";
import { LIMITS, singleLine } from "../schemas.ts";
import { addMember, removeMember } from "../service/members.ts";
import type { ConsoleContext, Session } from "./context.ts";
import { actionButton, hiddenFields } from "./forms.ts";
import { para } from "./pages.ts";

const ROLES: readonly MemberRole[] = ["admin", "comms"];

export function memberPages(ctx: ConsoleContext): Hono {
  const app = new Hono();

  const requireAdmin = ctx.allowed("key:manage", "Only admins manage team members.");

  async function membersPage(c: Context, session: Session, form: Record<string, string>, error: string | null, status = 200): Promise<Response> {
    const tz = ctx.deps.config.page.timeZone;
    const rows = (await listMembers(ctx.deps.db.client))
      .map(
        (m) => `<tr><td>${escapeHtml(m.name)}</td><td>${escapeHtml(m.email)}</td><td>${escapeHtml(m.role)}</td><td>${escapeHtml(formatPosted(m.createdAt, tz))}</td>
<td>${actionButton(session, `/console/members/${encodeURIComponent(m.id)}/remove`, "Remove", `Remove ${m.name}`)}</td></tr>`,
      )
      .join("");
    const roleOptions = ROLES.map((r) => `<option value="${r}"${form.role === r ? " selected" : ""}>${r}</option>`).join("");
    const body = `<table><thead><tr><th scope="col">Name</th><th scope="col">Address</th><th scope="col">Role</th><th scope="col">Added</th><th scope="col"><span class="vh">Remove</span></th></tr></thead><tbody>${rows}</tbody></table>
<h2>Add a member</h2>
${error ? `<p class="err" role="alert" id="err-member"><strong>Error:</strong> ${escapeHtml(error)}</p>` : ""}
<form method="post" action="/console/members">${hiddenFields(session, form)}
<p><label for="m-name">Name</label><input type="text" id="m-name" name="name" required maxlength="255" value="${escapeHtml(form.name ?? "")}"></p>
<p><label for="m-email">Address</label><input type="text" id="m-email" name="email" required maxlength="254" autocomplete="off" value="${escapeHtml(form.email ?? "")}"></p>
<p><label for="m-role">Role</label> <select id="m-role" name="role">${roleOptions}</select></p>
<p><button type="submit">Add member</button></p>
</form>
${para("A new member signs in with a link: herald console link ADDRESS.")}`;
    return ctx.page(c, "Team members", body, { status, session });
  }

  app.get("/", ctx.view(requireAdmin, (c, session) => membersPage(c, session, {}, null)));

  app.post("/", async (c) => {
    const posted = await ctx.postedForm(c, requireAdmin);
    if (posted instanceof Response) return posted;
    const { session, form } = posted;
    const name = singleLine("name", LIMITS.name).safeParse(form.name ?? "");
    const role = ROLES.find((r) => r === form.role);
    if (!name.success || !role) return membersPage(c, session, form, name.success ? "Choose a role." : name.error.issues[0]!.message, 422);
    try {
      await ctx.writeOnce(session, form.form_id, async (w) => ({ id: (await addMember(w, { name: name.data, email: form.email ?? "", role })).id }), () => null);
    } catch (error) {
      if (!(error instanceof Problem)) throw error;
      return membersPage(c, session, form, error.detail, error.status);
    }
    return c.redirect("/console/members", 303);
  });

  app.post("/:id/remove", async (c) => {
    const posted = await ctx.postedForm(c, requireAdmin);
    if (posted instanceof Response) return posted;
    const { session } = posted;
    try {
      await ctx.writeOnce(session, null, async (w) => ({ id: (await removeMember(w, c.req.param("id"))).id }), () => null);
    } catch (error) {
      if (!(error instanceof Problem) || error.status !== 404) throw error;
    }
    return c.redirect("/console/members", 303);
  });

  return app;
}
