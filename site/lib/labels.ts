/**
 * Colour tones, icons and the words of every status: the badges all public surfaces share.
 * Colour is never the only signal: every status carries words and a distinct icon.
 */
import type { ComponentStatus } from "../../domain/components.ts";
import type { PageStatus, Indicator } from "../../domain/indicator.ts";
import type { Impact, Severity } from "../../domain/severity.ts";
import type { IncidentRecord } from "../../db/records.ts";
import { componentStatusWord, statusWord, words, type At, type Words } from "../../locales/words.ts";


/** Colour families; CSS maps each to a colour with enough contrast in light and dark schemes. */
export type Tone = "ok" | "minor" | "partial" | "major" | "maint" | "info" | "nodata";

export interface Badge {
  label: string;
  /** A decorative glyph (aria-hidden): distinct per status so colour is never the only cue. */
  icon: string;
  tone: Tone;
}

export const ICONS = {
  ok: "✓",
  minor: "▲",
  partial: "◆",
  major: "✕",
  maint: "◷",
  info: "●",
  nodata: "–",
} as const satisfies Record<Tone, string>;

const COMPONENT_TONES: Readonly<Record<ComponentStatus, Tone>> = {
  operational: "ok",
  degraded_performance: "minor",
  partial_outage: "partial",
  major_outage: "major",
  under_maintenance: "maint",
};

/** "Operational" with ✓ (green), "Degraded Performance" ▲ (yellow), "Partial Outage" ◆ (orange), "Major Outage" ✕ (red), "Under Maintenance" ◷ (blue). */
export function componentBadge(status: ComponentStatus, at: At = "UTC"): Badge {
  const tone = COMPONENT_TONES[status];
  return { label: componentStatusWord(words(at), status), icon: ICONS[tone], tone };
}

const INDICATOR_TONES: Readonly<Record<Indicator, Tone>> = {
  none: "ok",
  minor: "minor",
  major: "partial",
  critical: "major",
  maintenance: "maint",
};

/** The banner: Statuspage's own description ("All Systems Operational"), with a tone and an icon. */
export function indicatorBadge(status: PageStatus, at: At = "UTC"): Badge {
  const tone = INDICATOR_TONES[status.indicator];
  return { label: indicatorWords(words(at), status), icon: ICONS[tone], tone };
}

/** Statuspage's descriptions (domain/indicator.ts, kept in English for the API) in the page's words. */
const INDICATOR_KEYS: Readonly<Record<string, string>> = {
  "All Systems Operational": "indicator.all_operational",
  "Service Under Maintenance": "indicator.maintenance",
  "Partially Degraded Service": "indicator.partially_degraded",
  "Degraded System Service": "indicator.degraded",
  "Minor Service Outage": "indicator.minor_outage",
  "Partial System Outage": "indicator.partial_outage",
  "Major System Outage": "indicator.major_outage",
};

export function indicatorWords(w: Words, status: PageStatus): string {
  const key = INDICATOR_KEYS[status.description];
  return key ? w.t(key) : status.description;
}

const IMPACT_BADGES: Readonly<Record<Impact | "maintenance", Omit<Badge, "label">>> = {
  none: { icon: ICONS.info, tone: "info" },
  minor: { icon: ICONS.minor, tone: "minor" },
  major: { icon: ICONS.partial, tone: "partial" },
  critical: { icon: ICONS.major, tone: "major" },
  maintenance: { icon: ICONS.maint, tone: "maint" },
};

/** The tone of an impact (its badge's colour). */
export function impactTone(impact: Impact | "maintenance"): Tone {
  return IMPACT_BADGES[impact].tone;
}

/** The Statuspage impact in words: "Critical impact", "Major impact", "Minor impact", "No impact", "Maintenance". */
export function impactBadge(impact: Impact | "maintenance", at: At = "UTC"): Badge {
  return { label: words(at).t(`impact.${impact}`), ...IMPACT_BADGES[impact] };
}

/** "SEV2 · High" — the severity as the incident-management guide names it; null without one. */
export function severityText(severity: Severity | null, at: At = "UTC"): string | null {
  return severity ? `${severity} · ${words(at).t(`severity.${severity}`)}` : null;
}

/** The status in words; a maintenance cancelled before it began reads "Cancelled", not "Completed". */
export function statusLabel(status: IncidentRecord["status"], incident?: Pick<IncidentRecord, "cancelledAt">, at: At = "UTC"): string {
  return statusWord(words(at), status, incident);
}

