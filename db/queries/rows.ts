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
