-- An update's words changed in place (a draft's, when it is published) get a new random revision:
-- a process that keeps a large incident's update rows between reads (db/queries/update-rows.ts)
-- sees from the revisions' sum that its copy is out of date, even when the change was made by
-- another process or in a transaction that was rolled back. Revised rows are few; the index holds
-- only them, so the sum is read without visiting every update.
ALTER TABLE incident_updates ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
CREATE INDEX incident_updates_revised ON incident_updates(incident_id, seq) WHERE revision != 0;
