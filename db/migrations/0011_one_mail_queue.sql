-- One durable queue for every mail to a subscriber: update notices, postmortem notices and
-- double opt-in confirmations are all rows of `outbox`, drained by one sender under one
-- provider rate limit with the same persisted batch keys, retries and backoff.
--
-- Until now a confirmation carried its own delivery columns in `subscription_confirmations` and
-- had a sender of its own. That table keeps only what the link needs (nonce, token hash, expiry,
-- single use); its mail becomes an `outbox` row of kind 'confirmation'. Rows in flight keep their
-- batch key, so a batch interrupted by the upgrade goes out again under the same key.
--
-- `priority` orders new batches: a confirmation (0) goes before notices (1), so a person who just
-- subscribed is not queued behind a fan-out to every subscriber.

CREATE TABLE subscription_confirmations_rebuilt (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  subscriber_id TEXT NOT NULL REFERENCES subscribers(id),
  nonce TEXT NOT NULL UNIQUE,
  token_hash TEXT NOT NULL UNIQUE,
  expires_at TEXT NOT NULL,
  -- Set when the link was used (single use).
  used_at TEXT,
  created_at TEXT NOT NULL
);
INSERT INTO subscription_confirmations_rebuilt (id, subscriber_id, nonce, token_hash, expires_at, used_at, created_at)
  SELECT id, subscriber_id, nonce, token_hash, expires_at, used_at, created_at FROM subscription_confirmations ORDER BY id;

CREATE TABLE outbox_rebuilt (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL DEFAULT 'update' CHECK (kind IN ('update','postmortem','confirmation')),
  priority INTEGER NOT NULL DEFAULT 1 CHECK (priority IN (0, 1)),
  update_id TEXT REFERENCES incident_updates(id),
  postmortem_id TEXT REFERENCES postmortems(incident_id),
  confirmation_id INTEGER REFERENCES subscription_confirmations_rebuilt(id),
  subscriber_id TEXT NOT NULL REFERENCES subscribers(id),
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','sent','failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  last_error TEXT,
  batch_key TEXT,
  provider_message_id TEXT,
  created_at TEXT NOT NULL,
  sent_at TEXT,
  CHECK ((kind = 'update' AND update_id IS NOT NULL AND postmortem_id IS NULL AND confirmation_id IS NULL)
      OR (kind = 'postmortem' AND postmortem_id IS NOT NULL AND update_id IS NULL AND confirmation_id IS NULL)
      OR (kind = 'confirmation' AND confirmation_id IS NOT NULL AND update_id IS NULL AND postmortem_id IS NULL)),
  UNIQUE (update_id, subscriber_id),
  UNIQUE (postmortem_id, subscriber_id)
);
INSERT INTO outbox_rebuilt (id, kind, priority, update_id, postmortem_id, confirmation_id, subscriber_id, status, attempts,
                            next_attempt_at, last_error, batch_key, provider_message_id, created_at, sent_at)
  SELECT id, kind, 1, update_id, postmortem_id, NULL, subscriber_id, status, attempts,
         next_attempt_at, last_error, batch_key, provider_message_id, created_at, sent_at
    FROM outbox ORDER BY id;
INSERT INTO outbox_rebuilt (kind, priority, confirmation_id, subscriber_id, status, attempts,
                            next_attempt_at, last_error, batch_key, provider_message_id, created_at, sent_at)
  SELECT 'confirmation', 0, id, subscriber_id, status, attempts,
         next_attempt_at, last_error, batch_key, provider_message_id, created_at, sent_at
    FROM subscription_confirmations ORDER BY id;

DROP TABLE outbox;
DROP TABLE subscription_confirmations;
ALTER TABLE subscription_confirmations_rebuilt RENAME TO subscription_confirmations;
ALTER TABLE outbox_rebuilt RENAME TO outbox;
CREATE INDEX subscription_confirmations_subscriber ON subscription_confirmations(subscriber_id);

-- The sender's hot queries name these indexes (INDEXED BY), as before.
-- New work: pending rows not yet in a batch, confirmations first, then oldest due first.
CREATE INDEX outbox_due_new ON outbox(priority, next_attempt_at, id) WHERE status = 'pending' AND batch_key IS NULL;
-- Batches in flight (assigned a key, not yet confirmed): looked up by key, resent first.
CREATE INDEX outbox_in_flight ON outbox(batch_key, next_attempt_at) WHERE status = 'pending' AND batch_key IS NOT NULL;
-- Counts per status (covering), and the next due time of pending rows.
CREATE INDEX outbox_status ON outbox(status, next_attempt_at);
-- One mail per confirmation; also finds the confirmations to count. Partial, so a fan-out of
-- notices to every subscriber does not maintain it.
CREATE UNIQUE INDEX outbox_confirmation ON outbox(confirmation_id) WHERE confirmation_id IS NOT NULL;
CREATE INDEX outbox_subscriber ON outbox(subscriber_id);
