import type { ComponentStatus } from "../../domain/components.ts";
import type { IndicatorInput } from "../../domain/indicator.ts";
import type { Impact } from "../../domain/severity.ts";
import type { Executor } from "../database.ts";

/** The page's id (Statuspage `page.id`) is made once, by whichever process starts first. */
export async function ensurePage(ex: Executor, id: string, at: string): Promise<string> {
  await ex.execute({
    sql: "INSERT INTO page (id, created_at) SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM page)",
    args: [id, at],
  });
  const result = await ex.execute("SELECT id FROM page LIMIT 1");
  return String(result.rows[0]!.id);
}

/**
 * What the page indicator is computed from (domain/indicator.ts), read with three small
 * queries instead of a whole snapshot: inside a write, e.g. for a webhook's `page` object.
 */
export async function pageStatusInput(ex: Executor): Promise<IndicatorInput> {
  // Only what customers see: a drill or a draft never moves the page's indicator.
  const impacts = await ex.execute("SELECT impact FROM incidents WHERE kind = 'incident' AND status <> 'resolved' AND drill = 0 AND draft = 0");
  const maintenances = await ex.execute("SELECT COUNT(*) AS n FROM incidents i WHERE kind = 'maintenance' AND status IN ('in_progress', 'verifying') AND EXISTS (SELECT 1 FROM incident_components ic WHERE ic.incident_id = i.id)");
  const components = await ex.execute("SELECT status FROM components WHERE is_group = 0");
  return {
    openIncidentImpacts: impacts.rows.map((row) => String(row.impact) as Impact),
    activeMaintenances: Number(maintenances.rows[0]!.n),
    componentStatuses: components.rows.map((row) => String(row.status) as ComponentStatus),
  };
}

/** When the page was first started (its first `ensurePage`). */
export async function pageCreatedAt(ex: Executor): Promise<string | null> {
  const result = await ex.execute("SELECT created_at FROM page LIMIT 1");
  return result.rows[0] ? String(result.rows[0].created_at) : null;
}
