-- Chat channels as webhook subscribers (domain/chat.ts): Slack, Discord and Teams incoming
-- webhooks get their deliveries in their own format, and are verified by a confirmation link
-- posted into the channel (they cannot answer the registration challenge).
ALTER TABLE webhook_subscriptions ADD COLUMN format TEXT NOT NULL DEFAULT 'herald' CHECK (format IN ('herald', 'slack', 'discord', 'teams'));

-- A registration waiting for a member of the channel to confirm it; the confirmation token is
-- derived from the id and HERALD_SECRET, never stored.
CREATE TABLE chat_confirmations (
  id TEXT PRIMARY KEY CHECK (length(id) = 12),
  endpoint TEXT NOT NULL,
  email TEXT NOT NULL,
  format TEXT NOT NULL CHECK (format IN ('slack', 'discord', 'teams')),
  component_ids TEXT CHECK (component_ids IS NULL OR (json_valid(component_ids) AND json_type(component_ids) = 'array')),
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  confirmed_at TEXT,
  subscription_id TEXT
);
