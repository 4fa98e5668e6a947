/** Incident templates, addressed by slug: list, read, create, change, delete. */
import type { Context } from "hono";
import { z } from "zod";
import { getTemplate, listTemplates } from "../../db/queries/templates.ts";
import { isSlug } from "../../domain/templates.ts";
import { notFound } from "../problem.ts";
import { LIMITS, RULES, componentStatuses, multiLine, severity, singleLine, templateSlug } from "../schemas.ts";
import { createTemplate, removeTemplate, templateJson, updateTemplate } from "../service/templates.ts";
import { ResourceRoutes, type RouteContext } from "./kit.ts";

export const NewTemplateSchema = z.strictObject({
  slug: templateSlug,
  name: singleLine("name", LIMITS.name).describe("What the template is for, e.g. Database outage."),
  title: singleLine("title", LIMITS.name).nullable().optional().describe("The incident's title; defaults to the name."),
  severity,
  body: multiLine("body", LIMITS.body).describe("The first update's words (Markdown)."),
  components: componentStatuses.optional(),
});

export const TemplatePatchSchema = z
  .strictObject({
    name: singleLine("name", LIMITS.name).optional(),
    title: singleLine("title", LIMITS.name).nullable().optional(),
    severity: severity.optional(),
    body: multiLine("body", LIMITS.body).optional(),
    components: componentStatuses.optional(),
  })
  .refine((v) => Object.keys(v).length > 0, "Give at least one field to change.")
  .meta({ minProperties: 1 });

/** The `:slug` path parameter; anything that cannot be a slug is the same 404 as an unknown one. */
function slugParam(c: Context): string {
  const slug = c.req.param("slug") ?? "";
  if (!isSlug(slug)) throw notFound("template", slug);
  return slug;
}

export function templateRoutes({ db, write }: RouteContext): ResourceRoutes {
  const routes = new ResourceRoutes();

  routes.add({ method: "get", path: "/templates", summary: "List incident templates", success: 200, returns: "array" }, async (c) =>
    c.json((await listTemplates(db.client)).map(templateJson)),
  );

  routes.add({ method: "get", path: "/templates/:slug", summary: "One incident template", success: 200 }, async (c) => {
    const slug = slugParam(c);
    const template = await getTemplate(db.client, slug);
    if (!template) throw notFound("template", slug);
    return c.json(templateJson(template));
  });

  routes.add(
    { method: "post", path: "/templates", summary: "Create an incident template", action: "template:write", body: NewTemplateSchema, success: 201, rules: [RULES.components] },
    async (c, body, raw) => write(c, raw, 201, () => null, async (ctx) => templateJson(await createTemplate(ctx, body))),
  );

  routes.add(
    { method: "patch", path: "/templates/:slug", summary: "Change an incident template", action: "template:write", body: TemplatePatchSchema, success: 200, rules: [RULES.components] },
    async (c, body, raw) => {
      const slug = slugParam(c);
      return write(c, raw, 200, () => null, async (ctx) => templateJson(await updateTemplate(ctx, slug, body)));
    },
  );

  routes.add({ method: "delete", path: "/templates/:slug", summary: "Delete an incident template", action: "template:write", success: 200 }, async (c) => {
    const slug = slugParam(c);
    return write(c, "", 200, () => null, async (ctx) => templateJson(await removeTemplate(ctx, slug)));
  });

  return routes;
}
