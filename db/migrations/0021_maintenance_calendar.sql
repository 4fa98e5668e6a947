-- The maintenance calendar (/maintenances.ics): a maintenance keeps its UID for life, its SEQUENCE
-- grows each time its window moves (RFC 5545 §3.8.7.4), and a cancelled one says STATUS:CANCELLED.
ALTER TABLE incidents ADD COLUMN schedule_sequence INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN cancelled_at TEXT;
