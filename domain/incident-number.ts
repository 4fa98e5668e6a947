/**
 * Human incident numbers, as the seed writes them: INC-2026-001 (drills: DRILL-2026-001), a series
 * per year in the page's zone, and the incident channel the seed names after them (#incident-2026-001).
 */
import { wallClock } from "./time.ts";

export type NumberSeries = "INC" | "DRILL";

export interface IncidentNumber {
  series: NumberSeries;
  year: number;
  number: number;
}

/** "INC-2026-001": three digits at least (the 1,000th of a year is INC-2026-1000). */
export function formatIncidentNumber(n: IncidentNumber): string {
  return `${n.series}-${n.year}-${String(n.number).padStart(3, "0")}`;
}

/** An incident number as people type it (any case), or null when `text` is not one. */
export function parseIncidentNumber(text: string): IncidentNumber | null {
  const m = /^(INC|DRILL)-(\d{4})-(\d{1,9})$/i.exec(text.trim());
  if (!m) return null;
  const number = Number(m[3]);
  if (number < 1) return null;
  return { series: m[1]!.toUpperCase() as NumberSeries, year: Number(m[2]), number };
}

/** The series an incident's number is taken from. */
export function seriesOf(incident: { drill?: boolean }): NumberSeries {
  return incident.drill ? "DRILL" : "INC";
}

/** The year an instant falls in, in the page's zone (numbers start again at 001 there on January 1). */
export function numberYear(instant: string, timeZone: string): number {
  return wallClock(instant, timeZone).year;
}

/** The channel the seed names after an incident: #incident-2026-001 (drills: #drill-2026-001). */
export function suggestedChannel(n: IncidentNumber): string {
  return `#${n.series === "DRILL" ? "drill" : "incident"}-${n.year}-${String(n.number).padStart(3, "0")}`;
}
