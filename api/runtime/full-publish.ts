/**
 * A full publish asked for outside the running Herald (`herald import statuspage` writes the
 * request): taken by the Node minute loop and the Worker's cron alike. Read first, so the periodic
 * check takes no write lock in the usual case (no request).
 */
import type { Database } from "../../db/database.ts";
import { fullPublishRequested, takeFullPublishRequest } from "../../db/queries/imports.ts";

export async function claimFullPublish(db: Database): Promise<boolean> {
  if (!(await fullPublishRequested(db.client))) return false;
  return db.write((tx) => takeFullPublishRequest(tx));
}
