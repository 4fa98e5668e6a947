/**
 * Alerts → component status: which rule an alert falls under, the status it asks for, what a
 * component should show while alerts fire, and whether automation may change it now (a person's
 * word wins; no flapping). Plain rules: the receivers (api/routes/alerts.ts) and the service
 * (api/service/alerts.ts) decide nothing themselves.
 */
import { statusRank, worstStatus, type ComponentStatus } from "./components.ts";

export type AlertLabels = Readonly<Record<string, string>>;

/** The statuses an alert may set while it fires (operational is what resolving gives back). */
export const ALERT_STATUSES = ["degraded_performance", "partial_outage", "major_outage"] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** Alertmanager's four matcher operators; regexes are anchored at both ends, as Alertmanager does. */
export const MATCHER_OPS = ["=", "!=", "=~", "!~"] as const;
export type MatcherOp = (typeof MATCHER_OPS)[number];

export interface Matcher {
  label: string;
  op: MatcherOp;
  value: string;
}

export interface AlertRuleSpec {
  id: string;
  name: string;
  matchers: readonly Matcher[];
  componentIds: readonly string[];
  /** null: from the alert's labels (`statusFromLabels`). */
  status: AlertStatus | null;
  /** A draft incident is opened from this template; null: none. */
  template: string | null;
  holdDownSeconds: number;
}

/** Default hold-down: a component's status is not moved again by automation within 2 minutes. */
export const DEFAULT_HOLD_DOWN_SECONDS = 120;

/**
 * A matcher as people write it, in Alertmanager's syntax: `label=value`, `label!=value`,
 * `label=~regex`, `label!~regex`, spaces around the operator and double quotes around the value
 * allowed (`alertname = "HighErrorRate"`). null when `text` is not one.
 */
export function parseMatcher(text: string): Matcher | null {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"?(.*?)"?$/.exec(text.trim());
  return m ? { label: m[1]!, op: m[2] as MatcherOp, value: m[3]! } : null;
}

/** A matcher written back as `label=~value`. */
export function formatMatcher(m: Matcher): string {
  return `${m.label}${m.op}${m.value}`;
}

/** Why a matcher cannot be used (an invalid regex), or null. */
export function matcherProblem(m: Matcher): string | null {
  if (m.op !== "=~" && m.op !== "!~") return null;
  try {
    new RegExp(`^(?:${m.value})$`, "u");
    return null;
  } catch (error) {
    return `Not a valid regular expression: ${(error as Error).message}`;
  }
}

/** Whether one matcher holds; a missing label reads as the empty string (Alertmanager's rule). */
export function matcherHolds(m: Matcher, labels: AlertLabels): boolean {
  const value = Object.hasOwn(labels, m.label) ? labels[m.label]! : "";
  switch (m.op) {
    case "=":
      return value === m.value;
    case "!=":
      return value !== m.value;
    case "=~":
    case "!~": {
      let matches: boolean;
      try {
        matches = new RegExp(`^(?:${m.value})$`, "u").test(value);
      } catch {
        matches = false; // refused when the rule is saved; never a 500 here
      }
      return m.op === "=~" ? matches : !matches;
    }
  }
}

/** The first rule (in the order given) whose matchers all hold; a rule with no matchers matches everything. */
export function matchRule<R extends Pick<AlertRuleSpec, "matchers">>(rules: readonly R[], labels: AlertLabels): R | null {
  return rules.find((rule) => rule.matchers.every((m) => matcherHolds(m, labels))) ?? null;
}

/**
 * The status an alert's labels ask for: an explicit `component_status`, else its `severity`
 * (critical → major outage; major or error → partial outage; warning → degraded performance);
 * anything else asks for no change.
 */
export function statusFromLabels(labels: AlertLabels): AlertStatus | null {
  const explicit = labels.component_status?.trim().toLowerCase();
  if (explicit && (ALERT_STATUSES as readonly string[]).includes(explicit)) return explicit as AlertStatus;
  switch (labels.severity?.trim().toLowerCase()) {
    case "critical":
      return "major_outage";
    case "major":
    case "error":
      return "partial_outage";
    case "warning":
      return "degraded_performance";
    default:
      return null;
  }
}

/** What one alert asks of the components, decided when it fires. */
export interface AlertMapping {
  rule: AlertRuleSpec | null;
  componentIds: string[];
  status: AlertStatus | null;
  holdDownSeconds: number;
}

/**
 * Maps an alert: the first matching rule decides (its components, its status or the labels'); with
 * no rule, a `component` label naming a component (by id or name, as `findComponent` resolves it)
 * is set from the labels' status. Neither: the alert changes nothing.
 */
export function mapAlert(labels: AlertLabels, rules: readonly AlertRuleSpec[], findComponent: (nameOrId: string) => string | null): AlertMapping {
  const rule = matchRule(rules, labels);
  if (rule) {
    return { rule, componentIds: [...rule.componentIds], status: rule.status ?? statusFromLabels(labels), holdDownSeconds: rule.holdDownSeconds };
  }
  const named = labels.component?.trim();
  const componentId = named ? findComponent(named) : null;
  return { rule: null, componentIds: componentId ? [componentId] : [], status: componentId ? statusFromLabels(labels) : null, holdDownSeconds: DEFAULT_HOLD_DOWN_SECONDS };
}

/** While alerts fire on a component, the most degraded status they ask for wins; none firing: operational. */
export function desiredStatus(firing: Iterable<AlertStatus>): ComponentStatus {
  return worstStatus(["operational", ...firing]);
}

/** Who set a component's current status, from its history. */
export type StatusSource = "person" | "automation" | "maintenance" | "schedule";

export interface ComponentAutomationState {
  status: ComponentStatus;
  /** The newest change of its status (not its first status at creation), if any. */
  lastChange: { source: StatusSource; at: string } | null;
  /** When automation last changed it (for the hold-down). */
  lastAutomatedAt: string | null;
}

export type AutomationDecision =
  | { apply: true }
  | { apply: false; reason: "unchanged" | "held by a person" | "under maintenance" }
  | { apply: false; reason: "hold-down"; retryAt: string };

/**
 * Whether automation may move a component to `wanted` now.
 * - A person's word wins: after a person set the status (any status, operational included: "it
 *   is fine"), automation leaves it alone until an alert begins firing after that change (it
 *   resolved and fired again). A person hands a component back by setting it while nothing fires.
 * - Under maintenance: left alone (the maintenance's own updates move it back).
 * - Hold-down: within `holdDownSeconds` of automation's last change to it, nothing moves; the
 *   caller tries again at `retryAt`.
 * `newestFiringSince` is when Herald first heard the newest firing alert on it (null: none fires).
 */
export function automationMay(
  state: ComponentAutomationState,
  wanted: ComponentStatus,
  options: { now: string; holdDownSeconds: number; newestFiringSince: string | null },
): AutomationDecision {
  if (state.status === wanted) return { apply: false, reason: "unchanged" };
  if (state.status === "under_maintenance") return { apply: false, reason: "under maintenance" };
  const last = state.lastChange;
  if (last?.source === "person" && !(options.newestFiringSince !== null && options.newestFiringSince > last.at)) {
    return { apply: false, reason: "held by a person" };
  }
  if (state.lastAutomatedAt) {
    const retryAt = Date.parse(state.lastAutomatedAt) + options.holdDownSeconds * 1000;
    if (Date.parse(options.now) < retryAt) return { apply: false, reason: "hold-down", retryAt: new Date(retryAt).toISOString() };
  }
  return { apply: true };
}

/** More degraded first: for listing what fires on a component. */
export function byDegradation(a: AlertStatus, b: AlertStatus): number {
  return statusRank(b) - statusRank(a);
}
