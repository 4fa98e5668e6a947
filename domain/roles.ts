/**
 * Who may do what. Comms people post incident and maintenance updates and keep the incident
 * templates they post from; admins do everything, including components, API keys, subscribers
 * (email and webhook) and the outbox.
 */

export const ROLES = ["admin", "comms"] as const;
export type Role = (typeof ROLES)[number];

export type Action =
  | "incident:write"
  | "postmortem:write"
  | "maintenance:write"
  | "template:write"
  | "component:write"
  | "key:manage"
  | "subscriber:manage"
  | "outbox:read";

// Listed in full for each role so that a new Action is denied until someone grants it.
const PERMISSIONS: Readonly<Record<Role, readonly Action[]>> = Object.freeze({
  admin: [
    "incident:write",
    "postmortem:write",
    "maintenance:write",
    "template:write",
    "component:write",
    "key:manage",
    "subscriber:manage",
    "outbox:read",
  ],
  comms: ["incident:write", "postmortem:write", "maintenance:write", "template:write"],
});

/** comms: incident:write, postmortem:write, maintenance:write and template:write only. admin: every action. Anything unknown is denied. */
export function can(role: Role, action: Action): boolean {
  // Object.hasOwn guards against a role that slipped past the type check, e.g. "toString".
  if (!Object.hasOwn(PERMISSIONS, role)) return false;
  return PERMISSIONS[role].includes(action);
}

/** True for exactly "admin" or "comms". */
export function isRole(value: unknown): value is Role {
  return (ROLES as readonly unknown[]).includes(value);
}
