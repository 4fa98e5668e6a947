/** Mail delivery counts: the outbox and the confirmation mails. */
import { confirmationCounts, outboxCounts } from "../../db/queries/outbox.ts";
import { ResourceRoutes, type RouteContext } from "./kit.ts";

export function mailRoutes({ db }: RouteContext): ResourceRoutes {
  const routes = new ResourceRoutes();

  routes.add({ method: "get", path: "/mail", summary: "Mail delivery counts (outbox and confirmation mails)", action: "outbox:read", success: 200 }, async (c) =>
    c.json({ ...(await outboxCounts(db.client)), confirmations: await confirmationCounts(db.client) }),
  );

  return routes;
}
