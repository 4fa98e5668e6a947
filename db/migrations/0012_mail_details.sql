-- What a mail about an update shows beside its words (severity, impact, the affected components
-- with their status, a maintenance's window), frozen when the update is enqueued as JSON, so a
-- batch resent after a crash says exactly the same. NULL for updates enqueued before: their mails
-- show the words alone.
ALTER TABLE outbox_updates ADD COLUMN details TEXT;
