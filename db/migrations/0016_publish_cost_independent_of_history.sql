-- What every publish reads must cost the same at 100,000 incidents as at 10 (issue 12): each of
-- the snapshot's queries reads its few rows through an index, in the order it returns them.

-- The newest incidents or maintenances (the JSON's 50, the console's lists): by history date,
-- newest first, ties by id as the queries order them, so no sort of the whole archive.
CREATE INDEX incidents_kind_history_id ON incidents(kind, COALESCE(scheduled_for, created_at), id DESC);
-- The open ones (the banner, the page's unresolved list): only they are in this index.
CREATE INDEX incidents_open ON incidents(kind, COALESCE(scheduled_for, created_at), id DESC) WHERE status NOT IN ('resolved', 'completed');
-- When the page last changed: the newest update of a public incident, without reading the others.
CREATE INDEX incidents_drill_updated ON incidents(drill, updated_at);
-- Status changes of the last 90 days (the uptime bars), read by time.
CREATE INDEX component_status_changes_changed ON component_status_changes(changed_at);
