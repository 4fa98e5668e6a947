/**
 * The console's preview (api/console/incidents.ts): an incident as it would be stored, shown by
 * the same code that will show it — the incident page through the site's renderer, the customer
 * mail through the mail builder and design, the feed item through the feed writer, the team
 * message through the internal template. It lives here, in the runtime, because only the runtime
 * holds both the API's parts and the site's renderer.
 */
import type { Transaction } from "@libsql/client";
import { getRolesByIncident, NO_ROLES } from "../../db/queries/internal.ts";
import type { IncidentRecord } from "../../db/records.ts";
import { feedItemPreview } from "../../site/lib/feed.ts";
import type { PageInfo } from "../../site/lib/snapshot.ts";
import type { PageRenderer } from "../../site/publish/publisher.ts";
import { loadSnapshot } from "../../site/publish/snapshot.ts";
import type { IncidentPreview } from "../console/preview-types.ts";
import { internalUpdate } from "../internal/message.ts";
import type { InternalTemplate } from "../internal/message.ts";
import { asMailDetails, buildMessage } from "../mail/message.ts";
import { mailDetails } from "../mail/outbox.ts";
import type { MailSettings } from "../mail/settings.ts";

export interface PreviewParts {
  page: Omit<PageInfo, "updatedAt">;
  renderer: PageRenderer;
  mail: MailSettings;
  /** The team channel's template, when one is set up (SLACK_WEBHOOK_URL). */
  internal: InternalTemplate | null;
  now: () => Date;
}

/** The <main> of a rendered page: what a customer reads, without the header and footer around it. */
function mainOf(html: string): string {
  const start = html.indexOf("<main");
  const end = html.lastIndexOf("</main>");
  if (start < 0 || end < 0) return "";
  return html.slice(html.indexOf(">", start) + 1, end);
}

export function incidentPreviewer(parts: PreviewParts) {
  return async (tx: Transaction, incident: IncidentRecord, actorName: string): Promise<IncidentPreview> => {
    const update = [...incident.updates].sort((a, b) => b.seq - a.seq)[0]!;
    const snapshot = await loadSnapshot(tx, parts.page, parts.now());
    const page = mainOf(await parts.renderer.render(`/incidents/${incident.id}`, { route: "incident", snapshot, incident }));
    const mail = buildMessage(parts.mail, {
      subscriberId: "preview00000",
      email: "subscriber@example.com",
      updateStatus: update.status,
      updateBody: update.body,
      updateCreatedAt: update.createdAt,
      incidentId: incident.id,
      incidentKind: incident.kind,
      incidentName: incident.name,
      details: asMailDetails(await mailDetails(tx, incident, update)),
    });
    const roles = (await getRolesByIncident(tx, [incident.id])).get(incident.id) ?? NO_ROLES;
    const kind = incident.updates.length === 1 ? "created" : update.reopened ? "reopened" : update.status === "resolved" ? "resolved" : "updated";
    const team = parts.internal
      ? internalUpdate(parts.internal, { url: parts.page.url, timeZone: parts.page.timeZone }, incident, roles, { kind, update }, actorName).text
      : null;
    return {
      page,
      mail: { subject: mail.subject, text: mail.text },
      feed: feedItemPreview(incident, update, { ...parts.page, updatedAt: snapshot.page.updatedAt }),
      team,
      notify: update.deliverNotifications,
    };
  };
}
