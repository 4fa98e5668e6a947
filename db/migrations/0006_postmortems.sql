-- Postmortems: one per incident (a Markdown text, a draft until published) and its action items;
-- the mail outbox learns to carry a postmortem notice as well as an update.

-- The postmortem of an incident. `body` is the one current text: a draft until `published_at` is
-- set; edits after publishing change the published text (published_at stays the first publication).
-- `notified_at` is set when subscribers were sent the notice; it is sent at most once.
CREATE TABLE postmortems (
  incident_id TEXT PRIMARY KEY REFERENCES incidents(id),
  body TEXT NOT NULL,
  author TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  published_at TEXT,
  notified_at TEXT,
  CHECK (notified_at IS NULL OR published_at IS NOT NULL)
);
CREATE INDEX postmortems_published ON postmortems(published_at) WHERE published_at IS NOT NULL;

-- Action items of a postmortem, in the order given (the whole list is replaced on each edit).
CREATE TABLE postmortem_action_items (
  incident_id TEXT NOT NULL REFERENCES postmortems(incident_id),
  position INTEGER NOT NULL CHECK (position >= 1),
  description TEXT NOT NULL,
  owner TEXT,
  due_date TEXT CHECK (due_date IS NULL OR due_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  done INTEGER NOT NULL DEFAULT 0 CHECK (done IN (0, 1)),
  PRIMARY KEY (incident_id, position)
);

-- What the postmortem notice says is frozen when it is enqueued (the text can be edited later),
-- so a batch resent after a crash carries exactly the same payload under the same Idempotency-Key.
CREATE TABLE outbox_postmortems (
  postmortem_id TEXT PRIMARY KEY REFERENCES postmortems(incident_id),
  incident_name TEXT NOT NULL,
  incident_started_at TEXT NOT NULL,
  body TEXT NOT NULL,
  published_at TEXT NOT NULL,
  created_at TEXT NOT NULL
);

-- The outbox gains a kind: 'update' rows (as before, update_id set) or 'postmortem' rows
-- (postmortem_id set). SQLite cannot relax a NOT NULL or add a UNIQUE in place, so the table is
-- rebuilt with the same rows, ids and indexes. Each kind is unique per subscriber: the same
-- update or postmortem can never be enqueued twice for one person.
CREATE TABLE outbox_rebuilt (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL DEFAULT 'update' CHECK (kind IN ('update','postmortem')),
  update_id TEXT REFERENCES incident_updates(id),
  postmortem_id TEXT REFERENCES postmortems(incident_id),
  subscriber_id TEXT NOT NULL REFERENCES subscribers(id),
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','sent','failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  last_error TEXT,
  batch_key TEXT,
  provider_message_id TEXT,
  created_at TEXT NOT NULL,
  sent_at TEXT,
  CHECK ((kind = 'update' AND update_id IS NOT NULL AND postmortem_id IS NULL)
      OR (kind = 'postmortem' AND postmortem_id IS NOT NULL AND update_id IS NULL)),
  UNIQUE (update_id, subscriber_id),
  UNIQUE (postmortem_id, subscriber_id)
);
INSERT INTO outbox_rebuilt (id, kind, update_id, postmortem_id, subscriber_id, status, attempts, next_attempt_at, last_error,
                            batch_key, provider_message_id, created_at, sent_at)
  SELECT id, 'update', update_id, NULL, subscriber_id, status, attempts, next_attempt_at, last_error,
         batch_key, provider_message_id, created_at, sent_at
    FROM outbox ORDER BY id;
DROP TABLE outbox;
ALTER TABLE outbox_rebuilt RENAME TO outbox;
-- The same indexes as 0003_email.sql (the sender names them with INDEXED BY).
CREATE INDEX outbox_due_new ON outbox(next_attempt_at, id) WHERE status = 'pending' AND batch_key IS NULL;
CREATE INDEX outbox_in_flight ON outbox(batch_key, next_attempt_at) WHERE status = 'pending' AND batch_key IS NOT NULL;
CREATE INDEX outbox_status ON outbox(status, next_attempt_at);
CREATE INDEX outbox_subscriber ON outbox(subscriber_id);
