-- Values Herald makes for itself once and must keep across restarts (e.g. the secret that signs
-- unsubscribe and confirmation links when HERALD_SECRET is not set).
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  created_at TEXT NOT NULL
);
