/** The console's previews, as types only (made by api/runtime/preview.ts, shown by api/console/incidents.ts). */
import type { Transaction } from "@libsql/client";
import type { IncidentRecord } from "../../db/records.ts";

/** What the console shows before a write is posted (made by api/runtime/preview.ts). */
export interface IncidentPreview {
  /** The incident page's main content, as the site renders it. */
  page: string;
  mail: { subject: string; text: string };
  feed: { title: string; description: string };
  /** The team channel's message, or null without one. */
  team: string | null;
  /** Whether subscribers would be told at all. */
  notify: boolean;
}

export type IncidentPreviewer = (tx: Transaction, incident: IncidentRecord, actorName: string) => Promise<IncidentPreview>;

