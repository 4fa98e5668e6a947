-- Whether a maintenance moves by itself when its window opens and closes (Statuspage's
-- scheduled_auto_in_progress / scheduled_auto_completed). Kept beside incidents, one row per
-- maintenance; a maintenance without a row (created before this migration) moves on time too.
CREATE TABLE maintenance_schedule (
  incident_id TEXT PRIMARY KEY REFERENCES incidents(id) ON DELETE CASCADE,
  auto_start INTEGER NOT NULL DEFAULT 1 CHECK (auto_start IN (0, 1)),
  auto_complete INTEGER NOT NULL DEFAULT 1 CHECK (auto_complete IN (0, 1))
);
