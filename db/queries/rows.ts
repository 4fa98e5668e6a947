import type { IncidentNumber, NumberSeries } from "../../domain/incident-number.ts";
import type { Row } from "@libsql/client";

/** Narrow helpers for reading libSQL rows without sprinkling casts around. */
export function str(row: Row, column: string): string {
  const value = row[column];
  if (typeof value !== "string") throw new Error(`column ${column} is not text`);
  return value;
}

export function strOrNull(row: Row, column: string): string | null {
  const value = row[column];
  return value === null || value === undefined ? null : String(value);
}

export function num(row: Row, column: string): number {
  return Number(row[column]);
}

export function bool(row: Row, column: string): boolean {
  return Number(row[column]) === 1;
}

/**
 * A subscriber's or subscription's choice of components, as its `component_ids` column keeps it:
 * a JSON array, or NULL for "every component" (never an empty array).
 */
export function componentChoiceOf(row: Row): string[] | null {
  const json = strOrNull(row, "component_ids");
  return json === null ? null : (JSON.parse(json) as string[]);
}

/** The column value of a choice of components (null: every component). */
export function componentChoiceValue(componentIds: readonly string[] | null): string | null {
  return componentIds === null ? null : JSON.stringify(componentIds);
}

/**
 * A query selecting one column of ids, with its arguments, to be inlined as `IN (…)`: reads that
 * need a set of ids can then be issued together with the read that finds them (one round trip to
 * Turso, not two).
 */
export interface IdSelector {
  sql: string;
  args: (string | number)[];
}

/** The selector of a known list of ids. */
export function idsIn(ids: readonly string[]): IdSelector {
  return { sql: "SELECT value FROM json_each(?)", args: [JSON.stringify(ids)] };
}

/** An incident's number from its `number_series`, `number_year` and `number` columns (null: not numbered). */
export function incidentNumberOf(row: Row): IncidentNumber | null {
  return row.number === null || row.number === undefined
    ? null
    : { series: str(row, "number_series") as NumberSeries, year: num(row, "number_year"), number: num(row, "number") };
}
