-- Imports from another status page (`herald import statuspage`): which of their records became
-- which of ours, so an import run again adds what is new and duplicates nothing.
CREATE TABLE import_ids (
  source TEXT NOT NULL,
  kind TEXT NOT NULL,
  source_id TEXT NOT NULL,
  herald_id TEXT NOT NULL,
  imported_at TEXT NOT NULL,
  PRIMARY KEY (source, kind, source_id)
);
