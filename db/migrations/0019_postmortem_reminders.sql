-- An overdue postmortem (SEV1/SEV2, due the end of the second business day after resolution) is
-- reminded to the team channel once per business day it stays overdue: the primary key makes a
-- second reminder for the same day (a restart, a second process) a no-op.
CREATE TABLE postmortem_reminders (
  incident_id TEXT NOT NULL REFERENCES incidents(id),
  day TEXT NOT NULL CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  reminded_at TEXT NOT NULL,
  PRIMARY KEY (incident_id, day)
);
