-- Detect: alerts from Alertmanager, Grafana and PagerDuty set component statuses and may open
-- draft incidents. A machine never speaks to customers in words: a draft is seen by the team only
-- until a comms lead publishes it.

-- A key with role `automation` may report alerts and nothing else.
CREATE TABLE api_keys_rebuilt (
  id TEXT PRIMARY KEY CHECK (length(id) = 12),
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin','comms','automation')),
  secret_hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  revoked_at TEXT,
  last_used_at TEXT
);
INSERT INTO api_keys_rebuilt (id, name, role, secret_hash, created_at, revoked_at, last_used_at)
  SELECT id, name, role, secret_hash, created_at, revoked_at, last_used_at FROM api_keys ORDER BY rowid;
DROP TABLE api_keys;
ALTER TABLE api_keys_rebuilt RENAME TO api_keys;
CREATE INDEX api_keys_secret_hash ON api_keys(secret_hash);

-- Who set each status: a person (API, CLI, console, an incident update), automation (an alert,
-- source_name = the rule, or "component label"), a maintenance update, or the maintenance schedule.
-- Earlier rows were all set by people or maintenance updates; they read as 'person'.
ALTER TABLE component_status_changes ADD COLUMN source TEXT NOT NULL DEFAULT 'person'
  CHECK (source IN ('person','automation','maintenance','schedule'));
ALTER TABLE component_status_changes ADD COLUMN source_name TEXT;

-- A draft incident (opened by an alert rule): stored and seen by the team, never on a public
-- surface, in mail or webhooks until it is published.
ALTER TABLE incidents ADD COLUMN draft INTEGER NOT NULL DEFAULT 0 CHECK (draft IN (0, 1));
CREATE INDEX incidents_drafts ON incidents(created_at) WHERE draft = 1;

-- Rules, tried in position order; the first whose matchers all hold decides. An alert no rule
-- matches may still name its component with a `component` label (zero configuration).
CREATE TABLE alert_rules (
  id TEXT PRIMARY KEY CHECK (length(id) = 12),
  name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 64 AND name NOT GLOB '*[^a-z0-9-]*'),
  position INTEGER NOT NULL,
  -- [{"label": "...", "op": "=" | "!=" | "=~" | "!~", "value": "..."}]
  matchers TEXT NOT NULL CHECK (json_valid(matchers) AND json_type(matchers) = 'array'),
  -- Component ids the rule sets.
  components TEXT NOT NULL CHECK (json_valid(components) AND json_type(components) = 'array'),
  -- The status while firing; NULL: from the alert's component_status or severity label.
  status TEXT CHECK (status IN ('degraded_performance','partial_outage','major_outage')),
  -- A draft incident is opened from this template while the rule's alerts fire; NULL: none.
  template TEXT,
  hold_down_seconds INTEGER NOT NULL DEFAULT 120 CHECK (hold_down_seconds BETWEEN 0 AND 86400),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- The last known state of each alert, by its sender's identity (Alertmanager's fingerprint,
-- PagerDuty's incident id). The same state again changes nothing.
CREATE TABLE alerts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  source TEXT NOT NULL CHECK (source IN ('alertmanager','grafana','pagerduty')),
  fingerprint TEXT NOT NULL,
  name TEXT NOT NULL,
  labels TEXT NOT NULL CHECK (json_valid(labels)),
  status TEXT NOT NULL CHECK (status IN ('firing','resolved')),
  -- When the current firing began (the sender's startsAt); a firing after a resolve starts anew.
  starts_at TEXT NOT NULL,
  ends_at TEXT,
  -- What it was mapped to when it last fired: the rule (or none: the component label) and its decision.
  rule_id TEXT,
  rule_name TEXT,
  components TEXT NOT NULL CHECK (json_valid(components) AND json_type(components) = 'array'),
  target_status TEXT CHECK (target_status IN ('degraded_performance','partial_outage','major_outage')),
  hold_down_seconds INTEGER NOT NULL,
  draft_incident_id TEXT REFERENCES incidents(id),
  received_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (source, fingerprint)
);
CREATE INDEX alerts_firing ON alerts(rule_id) WHERE status = 'firing';

-- Internal messages may now be about no incident (an automated component change).
CREATE TABLE internal_outbox_rebuilt (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  incident_id TEXT REFERENCES incidents(id),
  kind TEXT NOT NULL CHECK (kind IN ('update','reminder','alert')),
  payload TEXT NOT NULL CHECK (json_valid(payload)),
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','sent','failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  last_error TEXT,
  created_at TEXT NOT NULL,
  sent_at TEXT
);
INSERT INTO internal_outbox_rebuilt (id, incident_id, kind, payload, status, attempts, next_attempt_at, last_error, created_at, sent_at)
  SELECT id, incident_id, kind, payload, status, attempts, next_attempt_at, last_error, created_at, sent_at FROM internal_outbox ORDER BY id;
DROP TABLE internal_outbox;
ALTER TABLE internal_outbox_rebuilt RENAME TO internal_outbox;
CREATE INDEX internal_outbox_pending ON internal_outbox(status, incident_id, id);
