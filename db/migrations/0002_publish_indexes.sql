-- Indexes for publishing: the archive and the JSON list incidents by their history date
-- (scheduled start, else creation), and the home page asks what changed in the last days.
CREATE INDEX incidents_history_date ON incidents(COALESCE(scheduled_for, created_at));
CREATE INDEX incidents_kind_history_date ON incidents(kind, COALESCE(scheduled_for, created_at));
CREATE INDEX incidents_updated ON incidents(updated_at);
CREATE INDEX incidents_created ON incidents(created_at);
