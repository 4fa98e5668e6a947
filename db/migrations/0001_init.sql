-- Herald's first schema. Released migrations are never edited: add 0002_… instead.
-- Times are ISO-8601 UTC strings with milliseconds (2026-11-27T03:19:00.000Z), which sort as text.

-- One row: the page's own id (Statuspage `page.id`), made once at first start.
CREATE TABLE page (
  id TEXT PRIMARY KEY CHECK (length(id) = 12),
  created_at TEXT NOT NULL
);

-- Components and component groups (a group is a row with is_group = 1, as Statuspage does).
CREATE TABLE components (
  id TEXT PRIMARY KEY CHECK (length(id) = 12),
  name TEXT NOT NULL,
  description TEXT,
  is_group INTEGER NOT NULL DEFAULT 0 CHECK (is_group IN (0, 1)),
  group_id TEXT REFERENCES components(id),
  position INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('operational','degraded_performance','partial_outage','major_outage','under_maintenance')),
  showcase INTEGER NOT NULL DEFAULT 1 CHECK (showcase IN (0, 1)),
  only_show_if_degraded INTEGER NOT NULL DEFAULT 0 CHECK (only_show_if_degraded IN (0, 1)),
  start_date TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  CHECK (NOT (is_group = 1 AND group_id IS NOT NULL))
);
CREATE INDEX components_group ON components(group_id, position);

-- Incidents and scheduled maintenances share one table, told apart by kind (and by their schedule).
CREATE TABLE incidents (
  id TEXT PRIMARY KEY CHECK (length(id) = 12),
  kind TEXT NOT NULL CHECK (kind IN ('incident','maintenance')),
  name TEXT NOT NULL,
  status TEXT NOT NULL,
  severity TEXT CHECK (severity IN ('SEV1','SEV2','SEV3','SEV4')),
  impact TEXT NOT NULL CHECK (impact IN ('none','minor','major','critical','maintenance')),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  started_at TEXT NOT NULL,
  identified_at TEXT,
  monitoring_at TEXT,
  resolved_at TEXT,
  scheduled_for TEXT,
  scheduled_until TEXT,
  CHECK (
    (kind = 'incident' AND severity IS NOT NULL
      AND status IN ('investigating','identified','monitoring','resolved'))
    OR
    (kind = 'maintenance' AND scheduled_for IS NOT NULL AND scheduled_until IS NOT NULL
      AND status IN ('scheduled','in_progress','verifying','completed'))
  )
);
CREATE INDEX incidents_kind_created ON incidents(kind, created_at);
CREATE INDEX incidents_kind_status ON incidents(kind, status);

-- Which components an incident affects (the union over its updates).
CREATE TABLE incident_components (
  incident_id TEXT NOT NULL REFERENCES incidents(id),
  component_id TEXT NOT NULL REFERENCES components(id),
  PRIMARY KEY (incident_id, component_id)
);
CREATE INDEX incident_components_component ON incident_components(component_id);

-- Every status transition of an incident or maintenance is an update; seq orders them.
CREATE TABLE incident_updates (
  id TEXT PRIMARY KEY CHECK (length(id) = 12),
  incident_id TEXT NOT NULL REFERENCES incidents(id),
  seq INTEGER NOT NULL,
  status TEXT NOT NULL,
  body TEXT NOT NULL,
  author TEXT NOT NULL,
  deliver_notifications INTEGER NOT NULL DEFAULT 1 CHECK (deliver_notifications IN (0, 1)),
  reopened INTEGER NOT NULL DEFAULT 0 CHECK (reopened IN (0, 1)),
  created_at TEXT NOT NULL,
  display_at TEXT NOT NULL,
  UNIQUE (incident_id, seq)
);
CREATE INDEX incident_updates_created ON incident_updates(created_at);

-- The component changes an update made (Statuspage `affected_components`).
CREATE TABLE incident_update_components (
  update_id TEXT NOT NULL REFERENCES incident_updates(id),
  component_id TEXT NOT NULL REFERENCES components(id),
  old_status TEXT NOT NULL,
  new_status TEXT NOT NULL,
  PRIMARY KEY (update_id, component_id)
);

-- Every component status change, including its first status, so uptime can be computed per day.
CREATE TABLE component_status_changes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  component_id TEXT NOT NULL REFERENCES components(id),
  old_status TEXT,
  new_status TEXT NOT NULL,
  changed_at TEXT NOT NULL,
  incident_update_id TEXT REFERENCES incident_updates(id)
);
CREATE INDEX component_status_changes_component ON component_status_changes(component_id, changed_at);

-- API keys: only a SHA-256 of the secret is kept; the token is shown once at creation.
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY CHECK (length(id) = 12),
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin','comms')),
  secret_hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  revoked_at TEXT,
  last_used_at TEXT
);

-- Who wrote what, for every write.
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  actor_id TEXT,
  actor_name TEXT NOT NULL,
  action TEXT NOT NULL,
  entity_type TEXT NOT NULL,
  entity_id TEXT,
  details TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_entity ON audit_log(entity_type, entity_id);

-- Responses to POSTs that carried an Idempotency-Key, so a retry returns the first answer.
CREATE TABLE idempotency_keys (
  api_key_id TEXT NOT NULL,
  key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  status_code INTEGER NOT NULL,
  response_body TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (api_key_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);
