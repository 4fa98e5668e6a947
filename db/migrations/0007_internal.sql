-- Internal operations: drills, promised next updates, response-time lapses, incident roles and the
-- internal (Slack) outbox. Nothing here is ever published.

-- A drill is a practice incident: it runs through the same API and lifecycle but never reaches a
-- public surface, subscriber mail or a component's real status. preview_token names its unlisted
-- preview page (/preview/<token>).
ALTER TABLE incidents ADD COLUMN drill INTEGER NOT NULL DEFAULT 0 CHECK (drill IN (0, 1));
ALTER TABLE incidents ADD COLUMN preview_token TEXT;
CREATE UNIQUE INDEX incidents_preview_token ON incidents(preview_token) WHERE preview_token IS NOT NULL;
CREATE INDEX incidents_drill ON incidents(drill, created_at);

-- The next update an update promises ("Next update: 14:30 UTC or sooner"); NULL: no promise.
ALTER TABLE incident_updates ADD COLUMN next_update_at TEXT;

-- The seed's roles and where the response team meets. Internal: returned by the management API,
-- never read by the publisher, the feed, the Statuspage JSON or mail.
CREATE TABLE incident_roles (
  incident_id TEXT PRIMARY KEY REFERENCES incidents(id),
  incident_commander TEXT,
  technical_lead TEXT,
  communications_lead TEXT,
  scribe TEXT,
  bridge_url TEXT,
  channel TEXT,
  updated_at TEXT NOT NULL
);

-- Each response-time lapse noticed by the checker, once: the primary key makes a second notice
-- (a restart, a second process) a no-op, so the comms lead is reminded once per lapse.
CREATE TABLE response_lapses (
  incident_id TEXT NOT NULL REFERENCES incidents(id),
  kind TEXT NOT NULL CHECK (kind IN ('first_update','next_update')),
  due_at TEXT NOT NULL,
  noticed_at TEXT NOT NULL,
  PRIMARY KEY (incident_id, kind, due_at)
);

-- Messages for the internal channel (SLACK_WEBHOOK_URL), rendered when the change commits and
-- written in its transaction; sent in order per incident with retries.
CREATE TABLE internal_outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  incident_id TEXT NOT NULL REFERENCES incidents(id),
  kind TEXT NOT NULL CHECK (kind IN ('update','reminder')),
  payload TEXT NOT NULL CHECK (json_valid(payload)),
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','sent','failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  last_error TEXT,
  created_at TEXT NOT NULL,
  sent_at TEXT
);
CREATE INDEX internal_outbox_pending ON internal_outbox(status, incident_id, id);
