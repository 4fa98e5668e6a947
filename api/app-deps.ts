/**
 * What the app is built from (createApp in api/app.ts): the runtime entries choose these, the
 * routes read them. Types only, so anything may import it without pulling in the app.
 */
import type { Database } from "../db/database.ts";
import type { IncidentPreviewer } from "./console/preview-types.ts";
import type { Clock } from "./clock.ts";
import type { HeraldConfig } from "./config.ts";
import type { WriteHooks } from "./service/context.ts";
import type { SubscriptionDeps } from "./subscriptions/index.ts";

/** Told after a write has committed, so the public site can be regenerated. */
export interface ChangeEvent {
  type: "component" | "incident" | "maintenance" | "key";
  id: string;
}

export interface AppDeps {
  db: Database;
  clock: Clock;
  config: HeraldConfig;
  /** Statuspage `page.id` of this page (see db/queries/page.ts). */
  pageId: string;
  hooks?: WriteHooks;
  onChange?: (event: ChangeEvent) => void;
  log?: (line: string) => void;
  /** Serves the published page, feed and JSON (GET/HEAD); null when nothing is there. */
  publicSite?: PublicSite;
  /** Subscribe/confirm/unsubscribe/manage pages under /subscriptions (absent: not served). */
  subscriptions?: SubscriptionDeps;
  /** The console's previews, made by the runtime (it alone holds the site's renderer). */
  consolePreview?: IncidentPreviewer;
}

export type PublicSite = (request: Request) => Promise<Response | null>;

/** What a write made in the background (the maintenance schedule, the alerts' hold-down) needs. */
export interface BackgroundWriteDeps {
  db: Database;
  clock: Clock;
  /** The same hooks as API writes: subscribers and the team are told as for a change made by hand. */
  hooks: WriteHooks;
  /** What the write changed that the site shows (the publisher listens). */
  onChange?: (event: ChangeEvent) => void;
  log?: (line: string) => void;
}
