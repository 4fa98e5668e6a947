-- Webhook subscribers and their transactional outbox (api/webhooks/).

-- An endpoint registered through POST /subscriptions {endpoint, email}. It is verified before it
-- is stored (Herald POSTs a challenge the endpoint must echo), so there is no pending state.
-- The signing secret is derived from HERALD_SECRET and the id, never stored.
-- component_ids: JSON array, or NULL for everything (as for email subscribers).
CREATE TABLE webhook_subscriptions (
  id TEXT PRIMARY KEY CHECK (length(id) = 12),
  endpoint TEXT NOT NULL UNIQUE,
  -- Contact address: told when the endpoint is quarantined.
  email TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('active','quarantined','unsubscribed')),
  component_ids TEXT CHECK (component_ids IS NULL OR (json_valid(component_ids) AND json_type(component_ids) = 'array')),
  created_at TEXT NOT NULL,
  -- When it last became active (registration, re-registration or reactivation): failures
  -- before it do not count toward a quarantine.
  active_since TEXT NOT NULL,
  quarantined_at TEXT,
  unsubscribed_at TEXT
);
CREATE INDEX webhook_subscriptions_state ON webhook_subscriptions(state);

-- One row per thing that happened (an incident/maintenance update, a component status change):
-- the Statuspage envelope without `meta`, frozen when it happened, so every retry sends the same
-- bytes. Written in the same transaction as the change itself.
CREATE TABLE webhook_events (
  id TEXT PRIMARY KEY CHECK (length(id) = 12),
  kind TEXT NOT NULL CHECK (kind IN ('incident','component')),
  payload TEXT NOT NULL CHECK (json_valid(payload)),
  created_at TEXT NOT NULL
);

-- One row per (event, subscription), tried until a 2xx. The X-Herald-Delivery header is
-- `<event id>.<subscription id>`, the same on every attempt, so receivers can deduplicate.
-- While an attempt is in flight, next_attempt_at is pushed past its timeout (a lease), so a
-- second sender (a cron next to a Node loop) does not send it at the same time.
CREATE TABLE webhook_deliveries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT NOT NULL REFERENCES webhook_events(id),
  subscription_id TEXT NOT NULL REFERENCES webhook_subscriptions(id),
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','delivered','failed','cancelled')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  last_error TEXT,
  created_at TEXT NOT NULL,
  delivered_at TEXT,
  UNIQUE (event_id, subscription_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries(subscription_id, status, id);

-- Every request made, for the quarantine rule (failures per hour) and for support questions.
CREATE TABLE webhook_attempts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  delivery_id INTEGER NOT NULL REFERENCES webhook_deliveries(id),
  subscription_id TEXT NOT NULL REFERENCES webhook_subscriptions(id),
  at TEXT NOT NULL,
  ok INTEGER NOT NULL CHECK (ok IN (0, 1)),
  http_status INTEGER,
  error TEXT,
  duration_ms INTEGER NOT NULL
);
CREATE INDEX webhook_attempts_failures ON webhook_attempts(subscription_id, at) WHERE ok = 0;

-- The mail to the contact address when a subscription is quarantined: one per quarantine
-- (UNIQUE), sent by the webhook sender through the mailer with its own idempotency key.
CREATE TABLE webhook_notices (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  subscription_id TEXT NOT NULL REFERENCES webhook_subscriptions(id),
  quarantined_at TEXT NOT NULL,
  failures INTEGER NOT NULL,
  last_error TEXT,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','sent','failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  send_error TEXT,
  provider_message_id TEXT,
  created_at TEXT NOT NULL,
  sent_at TEXT,
  UNIQUE (subscription_id, quarantined_at)
);
CREATE INDEX webhook_notices_due ON webhook_notices(next_attempt_at) WHERE status = 'pending';
