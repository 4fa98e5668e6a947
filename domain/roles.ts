/**
 * Who may do what. Comms people post incident and maintenance updates and keep the incident
 * templates they post from; admins do everything, including components, API keys, subscribers
 * (email and webhook), the outbox and alert rules. An automation key (a monitoring system) may
 * report alerts and nothing else — not even read: it holds no customer-facing words and no keys.
 */

export const ROLES = ["admin", "comms", "automation"] as const;
export type Role = (typeof ROLES)[number];

export type Action =
  /** Reading the management API (every GET). */
  | "api:read"
  | "incident:write"
  | "postmortem:write"
  | "maintenance:write"
  | "template:write"
  | "component:write"
  | "key:manage"
  | "subscriber:manage"
  | "outbox:read"
  | "alert:report"
  | "alert:rules";

// Listed in full for each role so that a new Action is denied until someone grants it.
const PERMISSIONS: Readonly<Record<Role, readonly Action[]>> = Object.freeze({
  admin: [
    "api:read",
    "incident:write",
    "postmortem:write",
    "maintenance:write",
    "template:write",
    "component:write",
    "key:manage",
    "subscriber:manage",
    "outbox:read",
    "alert:report",
    "alert:rules",
  ],
  comms: ["api:read", "incident:write", "postmortem:write", "maintenance:write", "template:write"],
  automation: ["alert:report"],
});

/** comms: reads, incident:write, postmortem:write, maintenance:write and template:write. automation: alert:report only. admin: every action. Anything unknown is denied. */
export function can(role: Role, action: Action): boolean {
  // Object.hasOwn guards against a role that slipped past the type check, e.g. "toString".
  if (!Object.hasOwn(PERMISSIONS, role)) return false;
  return PERMISSIONS[role].includes(action);
}

/** True for exactly "admin", "comms" or "automation". */
export function isRole(value: unknown): value is Role {
  return (ROLES as readonly unknown[]).includes(value);
}
