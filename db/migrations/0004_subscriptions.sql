-- Subscriptions: double opt-in confirmations, each one a confirmation mail the sender drains.
--
-- One row per confirmation request: the link's token and the mail that carries it, so a request
-- and its mail commit together and the mail is never lost (the same transactional-outbox idea as
-- `outbox`, which cannot hold these rows: its update_id is NOT NULL and points at an update).
-- The token is `<nonce>.<HMAC-SHA256(HERALD_SECRET, "confirm:" + nonce)>`: only the random nonce
-- and the SHA-256 of the whole token are stored, never the token, so the database alone cannot
-- confirm anything, while a batch resent after a crash rebuilds exactly the same message.
CREATE TABLE subscription_confirmations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  subscriber_id TEXT NOT NULL REFERENCES subscribers(id),
  nonce TEXT NOT NULL UNIQUE,
  token_hash TEXT NOT NULL UNIQUE,
  expires_at TEXT NOT NULL,
  -- Set when the link was used (single use).
  used_at TEXT,
  -- Delivery of the confirmation mail, as in `outbox`.
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','sent','failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  last_error TEXT,
  batch_key TEXT,
  provider_message_id TEXT,
  created_at TEXT NOT NULL,
  sent_at TEXT
);
CREATE INDEX subscription_confirmations_due ON subscription_confirmations(next_attempt_at, id) WHERE status = 'pending' AND batch_key IS NULL;
CREATE INDEX subscription_confirmations_in_flight ON subscription_confirmations(batch_key, next_attempt_at) WHERE status = 'pending' AND batch_key IS NOT NULL;
CREATE INDEX subscription_confirmations_subscriber ON subscription_confirmations(subscriber_id);
CREATE INDEX subscription_confirmations_status ON subscription_confirmations(status);
