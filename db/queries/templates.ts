import type { Row } from "@libsql/client";
import type { ComponentStatus } from "../../domain/components.ts";
import type { Severity } from "../../domain/severity.ts";
import type { IncidentTemplate } from "../../domain/templates.ts";
import type { Executor } from "../database.ts";
import { bool, str, strOrNull } from "./rows.ts";

const COLUMNS = "slug, name, title, severity, body, components, builtin, created_at, updated_at";

function toTemplate(row: Row): IncidentTemplate {
  return {
    slug: str(row, "slug"),
    name: str(row, "name"),
    title: strOrNull(row, "title"),
    severity: str(row, "severity") as Severity,
    body: str(row, "body"),
    components: JSON.parse(str(row, "components")) as Record<string, ComponentStatus>,
    builtin: bool(row, "builtin"),
    createdAt: str(row, "created_at"),
    updatedAt: str(row, "updated_at"),
  };
}

export async function listTemplates(ex: Executor): Promise<IncidentTemplate[]> {
  const result = await ex.execute(`SELECT ${COLUMNS} FROM incident_templates ORDER BY builtin DESC, name, slug`);
  return result.rows.map(toTemplate);
}

export async function getTemplate(ex: Executor, slug: string): Promise<IncidentTemplate | null> {
  const result = await ex.execute({ sql: `SELECT ${COLUMNS} FROM incident_templates WHERE slug = ?`, args: [slug] });
  return result.rows[0] ? toTemplate(result.rows[0]) : null;
}

/** Inserts a template; false when the slug is taken. */
export async function insertTemplate(ex: Executor, t: IncidentTemplate): Promise<boolean> {
  const result = await ex.execute({
    sql: `INSERT INTO incident_templates (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (slug) DO NOTHING`,
    args: [t.slug, t.name, t.title, t.severity, t.body, JSON.stringify(t.components), t.builtin ? 1 : 0, t.createdAt, t.updatedAt],
  });
  return result.rowsAffected > 0;
}

export async function saveTemplate(ex: Executor, t: IncidentTemplate): Promise<void> {
  await ex.execute({
    sql: "UPDATE incident_templates SET name = ?, title = ?, severity = ?, body = ?, components = ?, updated_at = ? WHERE slug = ?",
    args: [t.name, t.title, t.severity, t.body, JSON.stringify(t.components), t.updatedAt, t.slug],
  });
}

export async function deleteTemplate(ex: Executor, slug: string): Promise<boolean> {
  const result = await ex.execute({ sql: "DELETE FROM incident_templates WHERE slug = ?", args: [slug] });
  return result.rowsAffected > 0;
}
