import type { WebhookListRow } from "../../db/queries/webhooks.ts";

/** A webhook subscription as GET /api/v1/webhooks shows it (never its secret). */
export function webhookJson(w: WebhookListRow): Record<string, unknown> {
  return {
    id: w.id,
    endpoint: w.endpoint,
    // "herald" (Statuspage's signed JSON), or "slack", "discord", "teams" (the channel's own message).
    format: w.format,
    email: w.email,
    status: w.state,
    component_ids: w.componentIds,
    failures_last_hour: w.failuresInWindow,
    pending_deliveries: w.pending,
    delivered: w.delivered,
    last_error: w.lastError,
    created_at: w.createdAt,
    active_since: w.activeSince,
    quarantined_at: w.quarantinedAt,
    unsubscribed_at: w.unsubscribedAt,
  };
}
