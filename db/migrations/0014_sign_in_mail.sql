-- Console sign-in links by mail. A member who asks for a link at /console/sign-in gets it through
-- the one mail queue (`outbox`), like every other mail: same sender, rate budget, batch keys and
-- retries. So that a batch resent after a crash is byte-identical, a mailed link's token is derived
-- from a stored random `nonce` with HERALD_SECRET (as confirmation links are); only its SHA-256 is
-- stored, as before. A printed link (`herald console link`) has no nonce: it is shown once.
--
-- `outbox.subscriber_id` becomes optional: a sign-in mail goes to a member, not a subscriber.

CREATE TABLE console_sign_in_links_rebuilt (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  token_hash TEXT NOT NULL UNIQUE,
  nonce TEXT UNIQUE,
  member_id TEXT NOT NULL REFERENCES members(id),
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at TEXT
);
INSERT INTO console_sign_in_links_rebuilt (token_hash, nonce, member_id, created_at, expires_at, used_at)
  SELECT token_hash, NULL, member_id, created_at, expires_at, used_at FROM console_sign_in_links ORDER BY rowid;
DROP TABLE console_sign_in_links;
ALTER TABLE console_sign_in_links_rebuilt RENAME TO console_sign_in_links;
CREATE INDEX console_sign_in_links_member ON console_sign_in_links(member_id, created_at);

CREATE TABLE outbox_rebuilt (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL DEFAULT 'update' CHECK (kind IN ('update','postmortem','confirmation','sign_in')),
  priority INTEGER NOT NULL DEFAULT 1 CHECK (priority IN (0, 1)),
  update_id TEXT REFERENCES incident_updates(id),
  postmortem_id TEXT REFERENCES postmortems(incident_id),
  confirmation_id INTEGER REFERENCES subscription_confirmations(id),
  sign_in_id INTEGER REFERENCES console_sign_in_links(id),
  subscriber_id TEXT REFERENCES subscribers(id),
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','sent','failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  last_error TEXT,
  batch_key TEXT,
  provider_message_id TEXT,
  created_at TEXT NOT NULL,
  sent_at TEXT,
  CHECK ((kind = 'update' AND update_id IS NOT NULL AND postmortem_id IS NULL AND confirmation_id IS NULL AND sign_in_id IS NULL AND subscriber_id IS NOT NULL)
      OR (kind = 'postmortem' AND postmortem_id IS NOT NULL AND update_id IS NULL AND confirmation_id IS NULL AND sign_in_id IS NULL AND subscriber_id IS NOT NULL)
      OR (kind = 'confirmation' AND confirmation_id IS NOT NULL AND update_id IS NULL AND postmortem_id IS NULL AND sign_in_id IS NULL AND subscriber_id IS NOT NULL)
      OR (kind = 'sign_in' AND sign_in_id IS NOT NULL AND update_id IS NULL AND postmortem_id IS NULL AND confirmation_id IS NULL AND subscriber_id IS NULL)),
  UNIQUE (update_id, subscriber_id),
  UNIQUE (postmortem_id, subscriber_id)
);
INSERT INTO outbox_rebuilt (id, kind, priority, update_id, postmortem_id, confirmation_id, sign_in_id, subscriber_id, status, attempts,
                            next_attempt_at, last_error, batch_key, provider_message_id, created_at, sent_at)
  SELECT id, kind, priority, update_id, postmortem_id, confirmation_id, NULL, subscriber_id, status, attempts,
         next_attempt_at, last_error, batch_key, provider_message_id, created_at, sent_at
    FROM outbox ORDER BY id;
DROP TABLE outbox;
ALTER TABLE outbox_rebuilt RENAME TO outbox;

-- The same indexes as 0011 (the sender's queries name them), and one for sign-in mails.
CREATE INDEX outbox_due_new ON outbox(priority, next_attempt_at, id) WHERE status = 'pending' AND batch_key IS NULL;
CREATE INDEX outbox_in_flight ON outbox(batch_key, next_attempt_at) WHERE status = 'pending' AND batch_key IS NOT NULL;
CREATE INDEX outbox_status ON outbox(status, next_attempt_at);
CREATE UNIQUE INDEX outbox_confirmation ON outbox(confirmation_id) WHERE confirmation_id IS NOT NULL;
CREATE UNIQUE INDEX outbox_sign_in ON outbox(sign_in_id) WHERE sign_in_id IS NOT NULL;
CREATE INDEX outbox_subscriber ON outbox(subscriber_id);
