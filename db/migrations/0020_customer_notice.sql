-- The seed's customer notice: a resolving update may carry IMPACT, ROOT CAUSE, RESOLUTION and
-- PREVENTION (Markdown), shown under it on the page, in the feeds and in the [RESOLVED] mail.
-- NULL: not written (left out, never an empty heading).
ALTER TABLE incident_updates ADD COLUMN notice_impact TEXT;
ALTER TABLE incident_updates ADD COLUMN notice_root_cause TEXT;
ALTER TABLE incident_updates ADD COLUMN notice_resolution TEXT;
ALTER TABLE incident_updates ADD COLUMN notice_prevention TEXT;
