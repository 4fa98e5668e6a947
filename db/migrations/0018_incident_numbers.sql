-- Human incident numbers, as the seed names incidents (INC-2026-001) and their channels
-- (#incident-2026-001): a series per year in the page's zone, drills their own (DRILL-2026-001).
-- Maintenances are not numbered. The unique index makes a repeated number impossible, whatever
-- races: numbers are taken inside the write transaction that creates the incident.
ALTER TABLE incidents ADD COLUMN number_series TEXT CHECK (number_series IN ('INC', 'DRILL'));
ALTER TABLE incidents ADD COLUMN number_year INTEGER;
ALTER TABLE incidents ADD COLUMN number INTEGER;
CREATE UNIQUE INDEX incidents_number ON incidents(number_series, number_year, number) WHERE number IS NOT NULL;

-- Incidents from before this migration are numbered in the order they were declared, by their UTC
-- year (the page's zone is configuration, not data; only incidents declared within hours of a New
-- Year can differ from what the zone would say).
WITH numbered AS (
  SELECT id,
         CASE WHEN drill = 1 THEN 'DRILL' ELSE 'INC' END AS series,
         CAST(strftime('%Y', created_at) AS INTEGER) AS year,
         ROW_NUMBER() OVER (PARTITION BY drill, strftime('%Y', created_at) ORDER BY created_at, rowid) AS n
  FROM incidents WHERE kind = 'incident'
)
UPDATE incidents SET number_series = numbered.series, number_year = numbered.year, number = numbered.n
  FROM numbered WHERE numbered.id = incidents.id;
