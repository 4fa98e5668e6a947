/** Alert rules: what the team configures (which alerts set which components, and drafts from which template). */
import { DEFAULT_HOLD_DOWN_SECONDS, matcherProblem, type AlertStatus, type Matcher } from "../../domain/alerts.ts";
import { newId } from "../../domain/ids.ts";
import { insertAudit } from "../../db/queries/audit.ts";
import { deleteAlertRule, getAlertRule, nextAlertRulePosition, saveAlertRule, type AlertRecord, type AlertRuleRecord } from "../../db/queries/alerts.ts";
import { getTemplate } from "../../db/queries/templates.ts";
import { isUniqueViolation } from "../../db/database.ts";
import { notFound, unprocessable, type FieldError } from "../problem.ts";
import { requireLeafComponents } from "./components.ts";
import type { WriteContext } from "./context.ts";

export interface NewAlertRule {
  name: string;
  matchers: Matcher[];
  components: string[];
  status?: AlertStatus | null | undefined;
  template?: string | null | undefined;
  hold_down_seconds?: number | undefined;
  position?: number | undefined;
}

export type AlertRulePatch = Partial<NewAlertRule>;

export function alertRuleJson(r: AlertRuleRecord): Record<string, unknown> {
  return {
    id: r.id,
    name: r.name,
    position: r.position,
    matchers: r.matchers,
    components: r.componentIds,
    status: r.status,
    template: r.template,
    hold_down_seconds: r.holdDownSeconds,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
  };
}

export function alertJson(a: AlertRecord): Record<string, unknown> {
  return {
    source: a.source,
    fingerprint: a.fingerprint,
    name: a.name,
    status: a.status,
    labels: a.labels,
    starts_at: a.startsAt,
    ends_at: a.endsAt,
    rule: a.ruleName,
    components: a.componentIds,
    component_status: a.targetStatus,
    draft_incident_id: a.draftIncidentId,
    updated_at: a.updatedAt,
  };
}

/** The rule's references must exist and its regexes compile: 422s naming each field. */
async function checkRule(ctx: WriteContext, rule: AlertRuleRecord): Promise<void> {
  const errors: FieldError[] = [];
  rule.matchers.forEach((m, i) => {
    const problem = matcherProblem(m);
    if (problem) errors.push({ field: `matchers.${i}.value`, message: problem });
  });
  if (rule.template && !(await getTemplate(ctx.tx, rule.template))) errors.push({ field: "template", message: `No incident template "${rule.template}".` });
  if (errors.length > 0) throw unprocessable("The alert rule cannot be saved.", errors);
  await requireLeafComponents(ctx.tx, rule.componentIds, "Some components cannot be set by this rule.");
}

async function save(ctx: WriteContext, rule: AlertRuleRecord): Promise<void> {
  try {
    await saveAlertRule(ctx.tx, rule);
  } catch (error) {
    if (isUniqueViolation(error)) throw unprocessable("An alert rule with this name exists.", [{ field: "name", message: `"${rule.name}" is taken.` }]);
    throw error;
  }
}

export async function createAlertRule(ctx: WriteContext, input: NewAlertRule): Promise<AlertRuleRecord> {
  const rule: AlertRuleRecord = {
    id: newId(),
    name: input.name,
    position: input.position ?? (await nextAlertRulePosition(ctx.tx)),
    matchers: input.matchers,
    componentIds: [...new Set(input.components)],
    status: input.status ?? null,
    template: input.template ?? null,
    holdDownSeconds: input.hold_down_seconds ?? DEFAULT_HOLD_DOWN_SECONDS,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  await checkRule(ctx, rule);
  await save(ctx, rule);
  await insertAudit(ctx.tx, { at: ctx.now, actor: ctx.actor, action: "alert_rule.create", entityType: "alert_rule", entityId: rule.id, details: input });
  return rule;
}

export async function updateAlertRule(ctx: WriteContext, id: string, patch: AlertRulePatch): Promise<AlertRuleRecord> {
  const current = await getAlertRule(ctx.tx, id);
  if (!current) throw notFound("alert rule", id);
  const rule: AlertRuleRecord = {
    ...current,
    name: patch.name ?? current.name,
    position: patch.position ?? current.position,
    matchers: patch.matchers ?? current.matchers,
    componentIds: patch.components ? [...new Set(patch.components)] : current.componentIds,
    status: patch.status === undefined ? current.status : patch.status,
    template: patch.template === undefined ? current.template : patch.template,
    holdDownSeconds: patch.hold_down_seconds ?? current.holdDownSeconds,
    updatedAt: ctx.now,
  };
  await checkRule(ctx, rule);
  await save(ctx, rule);
  await insertAudit(ctx.tx, { at: ctx.now, actor: ctx.actor, action: "alert_rule.update", entityType: "alert_rule", entityId: id, details: patch });
  return rule;
}

/** Deletes a rule; alerts it mapped keep what they were mapped to until they fire again. */
export async function removeAlertRule(ctx: WriteContext, id: string): Promise<AlertRuleRecord> {
  const current = await getAlertRule(ctx.tx, id);
  if (!current) throw notFound("alert rule", id);
  await deleteAlertRule(ctx.tx, id);
  await insertAudit(ctx.tx, { at: ctx.now, actor: ctx.actor, action: "alert_rule.delete", entityType: "alert_rule", entityId: id, details: alertRuleJson(current) });
  return current;
}
