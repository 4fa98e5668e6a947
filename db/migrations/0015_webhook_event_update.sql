-- The console's Now shows how each update went out to webhook subscribers: an incident event
-- names the update it carries, so its deliveries are found by index (older events name none).
ALTER TABLE webhook_events ADD COLUMN update_id TEXT REFERENCES incident_updates(id);
CREATE INDEX webhook_events_update ON webhook_events(update_id) WHERE update_id IS NOT NULL;
