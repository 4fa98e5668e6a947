/**
 * Incident templates: the rules for slugs and for declaring an incident from a template.
 * Pure: the service (api/service/templates.ts) loads templates and components.
 */
import type { ComponentStatus } from "./components.ts";
import type { Severity } from "./severity.ts";

/** `database-outage`: lowercase letters and digits in words joined by single hyphens, at most 64 characters. */
export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const SLUG_MAX = 64;

export function isSlug(value: unknown): value is string {
  return typeof value === "string" && value.length <= SLUG_MAX && SLUG_PATTERN.test(value);
}

export interface IncidentTemplate {
  slug: string;
  name: string;
  /** The incident's title; null means the template's name. */
  title: string | null;
  severity: Severity;
  /** The first update's words (Markdown). */
  body: string;
  /** Component id → the status the incident sets it to. */
  components: Record<string, ComponentStatus>;
  builtin: boolean;
  createdAt: string;
  updatedAt: string;
}

/** What a request to declare an incident may say; with a template, every field is optional. */
export interface IncidentFields {
  name?: string | undefined;
  severity?: Severity | undefined;
  body?: string | undefined;
  components?: Record<string, ComponentStatus> | undefined;
}

export interface FilledIncident {
  name: string;
  severity: Severity;
  body: string;
  components: Record<string, ComponentStatus>;
  /** The component ids that came from the template (to check that they still exist). */
  fromTemplate: string[];
}

/**
 * Fills a request from a template. Every field the request gives wins over the template's, whole:
 * explicit `components` replace the template's map rather than merging with it, so a comms lead
 * can always say exactly which components an incident touches.
 */
export function fillFromTemplate(template: IncidentTemplate, explicit: IncidentFields): FilledIncident {
  const components = explicit.components ?? template.components;
  return {
    name: explicit.name ?? template.title ?? template.name,
    severity: explicit.severity ?? template.severity,
    body: explicit.body ?? template.body,
    components: { ...components },
    fromTemplate: explicit.components ? [] : Object.keys(template.components),
  };
}

/** The template's component ids that are not (leaf) components any more, in the template's order. */
export function missingComponents(ids: readonly string[], leafComponentIds: ReadonlySet<string>): string[] {
  return ids.filter((id) => !leafComponentIds.has(id));
}
