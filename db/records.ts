import type { NoticeSections } from "../domain/notice.ts";
import type { IncidentNumber } from "../domain/incident-number.ts";
import type { ComponentStatus } from "../domain/components.ts";
import type { IncidentStatus, MaintenanceStatus } from "../domain/lifecycle.ts";
import type { Impact, Severity } from "../domain/severity.ts";
import type { Role } from "../domain/roles.ts";

/** What the store hands out: plain records, times as ISO-8601 UTC strings. */
export interface ComponentRecord {
  id: string;
  name: string;
  description: string | null;
  isGroup: boolean;
  groupId: string | null;
  position: number;
  /** Stored status; for a group, read `groupStatus` of its children instead. */
  status: ComponentStatus;
  showcase: boolean;
  onlyShowIfDegraded: boolean;
  startDate: string | null;
  createdAt: string;
  updatedAt: string;
}

export type IncidentKind = "incident" | "maintenance";

export interface AffectedComponentRecord {
  componentId: string;
  name: string;
  oldStatus: ComponentStatus;
  newStatus: ComponentStatus;
}

export interface UpdateRecord {
  id: string;
  incidentId: string;
  seq: number;
  status: IncidentStatus | MaintenanceStatus;
  body: string;
  author: string;
  deliverNotifications: boolean;
  reopened: boolean;
  createdAt: string;
  displayAt: string;
  affected: AffectedComponentRecord[];
  /** The next update this one promised (ISO UTC); absent or null: no promise. */
  nextUpdateAt?: string | null;
  /** A resolving update's customer-notice sections (domain/notice.ts); absent or null: none written. */
  notice?: NoticeSections | null;
}

export interface IncidentRecord {
  id: string;
  kind: IncidentKind;
  name: string;
  status: IncidentStatus | MaintenanceStatus;
  severity: Severity | null;
  impact: Impact | "maintenance";
  createdAt: string;
  updatedAt: string;
  startedAt: string;
  identifiedAt: string | null;
  monitoringAt: string | null;
  resolvedAt: string | null;
  scheduledFor: string | null;
  scheduledUntil: string | null;
  /** A maintenance's calendar SEQUENCE: how many times its window was moved. Absent: 0. */
  scheduleSequence?: number;
  /** When a maintenance was cancelled before it began (it is then completed, and the calendar says CANCELLED). */
  cancelledAt?: string | null;
  /** A practice incident (herald drill): never on a public surface, in mail or in component status. Absent: false. */
  drill?: boolean;
  /** A drill's unlisted preview page is /preview/<previewToken>. */
  previewToken?: string | null;
  /** A draft (opened by an alert rule): seen by the team only until a comms lead publishes it. Absent: false. */
  draft?: boolean;
  /** Its human number (INC-2026-001; drills DRILL-2026-001); null for maintenances. Absent: not numbered. */
  number?: IncidentNumber | null;
  /** Newest first, as Statuspage orders them. */
  updates: UpdateRecord[];
  componentIds: string[];
  /** The published postmortem, when there is one (drafts are never loaded with an incident). */
  postmortem?: PostmortemRecord | null;
}

export interface ActionItemRecord {
  description: string;
  owner: string | null;
  /** yyyy-mm-dd */
  dueDate: string | null;
  done: boolean;
}

/** An incident's postmortem: a draft until publishedAt is set. */
export interface PostmortemRecord {
  incidentId: string;
  /** Markdown. */
  body: string;
  actionItems: ActionItemRecord[];
  author: string;
  createdAt: string;
  updatedAt: string;
  publishedAt: string | null;
  notifiedAt: string | null;
}

export interface ApiKeyRecord {
  id: string;
  name: string;
  role: Role;
  secretHash: string;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

/** Who is writing: an API key, or the local CLI acting on the database directly. */
/** A console member's role: the same roles and permissions as API keys (domain/roles.ts). */
export type MemberRole = "admin" | "comms";

/** A comms-console team member (migration 0013). */
export interface MemberRecord {
  id: string;
  name: string;
  /** Normalized (domain/email.ts). */
  email: string;
  role: MemberRole;
  createdAt: string;
  removedAt: string | null;
}

export interface Actor {
  id: string | null;
  name: string;
  role: Role;
}
