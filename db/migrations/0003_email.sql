-- Email: subscribers and the transactional outbox the sender drains.

-- People who asked for email. The address is normalized (trimmed, domain lowercased; the local
-- part keeps its case) and unique. component_ids is a JSON array of component ids, or NULL for
-- everything. Only 'active' subscribers (confirmed, not unsubscribed, not quarantined) get mail.
CREATE TABLE subscribers (
  id TEXT PRIMARY KEY CHECK (length(id) = 12),
  email TEXT NOT NULL UNIQUE,
  state TEXT NOT NULL CHECK (state IN ('pending','active','unsubscribed','quarantined')),
  component_ids TEXT CHECK (component_ids IS NULL OR (json_valid(component_ids) AND json_type(component_ids) = 'array')),
  created_at TEXT NOT NULL,
  confirmed_at TEXT,
  unsubscribed_at TEXT
);
CREATE INDEX subscribers_state ON subscribers(state);

-- What a mail about an update says is frozen when the update is posted (the incident can be
-- renamed later), so a batch resent after a crash carries exactly the same payload under the
-- same Idempotency-Key.
CREATE TABLE outbox_updates (
  update_id TEXT PRIMARY KEY REFERENCES incident_updates(id),
  incident_id TEXT NOT NULL REFERENCES incidents(id),
  incident_kind TEXT NOT NULL CHECK (incident_kind IN ('incident','maintenance')),
  incident_name TEXT NOT NULL,
  created_at TEXT NOT NULL
);

-- One row per (update, subscriber): the same update can never be enqueued twice for one person.
-- batch_key is the Idempotency-Key of the provider batch the row was last assigned to; it is
-- stored before the request is made, so a restart resends the same rows under the same key.
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  update_id TEXT NOT NULL REFERENCES incident_updates(id),
  subscriber_id TEXT NOT NULL REFERENCES subscribers(id),
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','sent','failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  last_error TEXT,
  batch_key TEXT,
  provider_message_id TEXT,
  created_at TEXT NOT NULL,
  sent_at TEXT,
  UNIQUE (update_id, subscriber_id)
);
-- The sender's hot queries name these indexes (INDEXED BY), so the planner never falls back to
-- walking every pending row through outbox_status.
-- New work: pending rows not yet in a batch, oldest due first.
CREATE INDEX outbox_due_new ON outbox(next_attempt_at, id) WHERE status = 'pending' AND batch_key IS NULL;
-- Batches in flight (assigned a key, not yet confirmed): looked up by key, resent first.
CREATE INDEX outbox_in_flight ON outbox(batch_key, next_attempt_at) WHERE status = 'pending' AND batch_key IS NOT NULL;
-- counts() (covering) and the next due time of pending rows.
CREATE INDEX outbox_status ON outbox(status, next_attempt_at);
-- A subscriber's mail (support questions, erasure).
CREATE INDEX outbox_subscriber ON outbox(subscriber_id);
