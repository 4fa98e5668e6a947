import type { ComponentStatus } from "../../domain/components.ts";
import type { Severity } from "../../domain/severity.ts";
import { fillFromTemplate, missingComponents, type IncidentTemplate } from "../../domain/templates.ts";
import { notFound, Problem, unprocessable } from "../problem.ts";
import { insertAudit } from "../../db/queries/audit.ts";
import { getComponentsByIds } from "../../db/queries/components.ts";
import { deleteTemplate, getTemplate, insertTemplate, saveTemplate } from "../../db/queries/templates.ts";
import type { Executor } from "../../db/database.ts";
import { requireLeafComponents } from "./components.ts";
import type { WriteContext } from "./context.ts";
import type { NewIncident } from "./incidents.ts";

export interface NewTemplate {
  slug: string;
  name: string;
  title?: string | null | undefined;
  severity: Severity;
  body: string;
  components?: Record<string, ComponentStatus> | undefined;
}

export type TemplatePatch = Partial<Omit<NewTemplate, "slug">>;

export function templateJson(t: IncidentTemplate): Record<string, unknown> {
  return {
    slug: t.slug,
    name: t.name,
    title: t.title,
    severity: t.severity,
    body: t.body,
    components: t.components,
    builtin: t.builtin,
    created_at: t.createdAt,
    updated_at: t.updatedAt,
  };
}

const checkComponents = (ex: Executor, components: Record<string, ComponentStatus>) =>
  requireLeafComponents(ex, Object.keys(components), "A template can only name existing components (not groups).");

export async function createTemplate(ctx: WriteContext, input: NewTemplate): Promise<IncidentTemplate> {
  const components = input.components ?? {};
  await checkComponents(ctx.tx, components);
  const template: IncidentTemplate = {
    slug: input.slug,
    name: input.name,
    title: input.title ?? null,
    severity: input.severity,
    body: input.body,
    components,
    builtin: false,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  if (!(await insertTemplate(ctx.tx, template))) {
    throw new Problem(409, "Conflict", `A template with slug "${input.slug}" exists already; change it with PATCH /api/v1/templates/${input.slug}.`, {
      errors: [{ field: "slug", message: "Already taken." }],
    });
  }
  await insertAudit(ctx.tx, { at: ctx.now, actor: ctx.actor, action: "template.create", entityType: "template", entityId: input.slug, details: input });
  return template;
}

export async function updateTemplate(ctx: WriteContext, slug: string, patch: TemplatePatch): Promise<IncidentTemplate> {
  const current = await getTemplate(ctx.tx, slug);
  if (!current) throw notFound("template", slug);
  if (patch.components) await checkComponents(ctx.tx, patch.components);
  const next: IncidentTemplate = {
    ...current,
    name: patch.name ?? current.name,
    title: patch.title === undefined ? current.title : patch.title,
    severity: patch.severity ?? current.severity,
    body: patch.body ?? current.body,
    components: patch.components ?? current.components,
    updatedAt: ctx.now,
  };
  await saveTemplate(ctx.tx, next);
  await insertAudit(ctx.tx, { at: ctx.now, actor: ctx.actor, action: "template.update", entityType: "template", entityId: slug, details: patch });
  return next;
}

export async function removeTemplate(ctx: WriteContext, slug: string): Promise<IncidentTemplate> {
  const current = await getTemplate(ctx.tx, slug);
  if (!current || !(await deleteTemplate(ctx.tx, slug))) throw notFound("template", slug);
  await insertAudit(ctx.tx, { at: ctx.now, actor: ctx.actor, action: "template.delete", entityType: "template", entityId: slug, details: templateJson(current) });
  return current;
}

/** POST /incidents: with a template, name, severity and body may be left out. */
export type IncidentRequest = Omit<NewIncident, "name" | "severity" | "body"> & Partial<Pick<NewIncident, "name" | "severity" | "body">>;

/**
 * A request to declare an incident, with its template (if it names one) filled in: explicit
 * fields win. Refused with a 422 when the template is unknown or names components that are gone.
 */
export async function incidentFromRequest(ex: Executor, request: IncidentRequest): Promise<NewIncident> {
  const { template: slug, ...explicit } = request;
  if (slug === undefined) {
    // The schema requires name, severity and body when no template is given.
    return explicit as NewIncident;
  }
  const template = await getTemplate(ex, slug);
  if (!template) {
    const detail = `No incident template "${slug}".`;
    throw unprocessable(detail, [{ field: "template", message: detail }]);
  }
  const filled = fillFromTemplate(template, explicit);
  const present = (await getComponentsByIds(ex, filled.fromTemplate)).filter((c) => !c.isGroup).map((c) => c.id);
  const gone = missingComponents(filled.fromTemplate, new Set(present));
  if (gone.length > 0) {
    throw unprocessable(
      `Template "${slug}" names components that no longer exist (${gone.join(", ")}); update the template or give "components" explicitly.`,
      gone.map((id) => ({ field: "template", message: `Component "${id}" no longer exists.` })),
    );
  }
  const { fromTemplate: _used, ...fields } = filled;
  return { ...explicit, ...fields, template: slug };
}
