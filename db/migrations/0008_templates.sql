-- Incident templates: what a comms lead declares an incident from (name, severity, the first
-- update's words, the components it usually hits). `POST /api/v1/incidents` with
-- `template: "<slug>"` fills in whatever the request leaves out.
--
-- components is a JSON object, component id → the status the template sets it to. Components
-- cannot be referenced by a foreign key from JSON, so a template may outlive a component it
-- names; using such a template is refused with a 422 that says which ids are gone.
CREATE TABLE incident_templates (
  slug TEXT PRIMARY KEY CHECK (length(slug) BETWEEN 1 AND 64 AND slug NOT GLOB '*[^a-z0-9-]*'),
  name TEXT NOT NULL,
  -- The incident's title; NULL means the template's name.
  title TEXT,
  severity TEXT NOT NULL CHECK (severity IN ('SEV1','SEV2','SEV3','SEV4')),
  body TEXT NOT NULL,
  components TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(components) AND json_type(components) = 'object'),
  -- Shipped with Herald (the seed's playbooks); editable and removable like any other.
  builtin INTEGER NOT NULL DEFAULT 0 CHECK (builtin IN (0, 1)),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- The two response playbooks of shared/seed/incident-management.md, worded like its customer
-- communication template: what is affected, what is being done, when the next update comes
-- (the severity's response time).
INSERT INTO incident_templates (slug, name, title, severity, body, components, builtin, created_at, updated_at) VALUES
('database-outage', 'Database outage', 'Database outage', 'SEV1',
'We are investigating a database outage. Requests that read or save data may fail or time out.

IMPACT:
- Errors or timeouts for anything that needs the database
- No data loss is known at this time

We are checking database health and connectivity and are preparing a failover to a replica. The next update follows within 15 minutes, or sooner if the status changes.',
'{}', 1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
('api-latency', 'API latency degradation', 'Elevated API latency', 'SEV2',
'We are investigating elevated response times on our API. Requests may be slower than usual, and some may time out.

IMPACT:
- Slower API responses and occasional timeouts
- No data loss

We are reviewing latency, error rates, slow queries and recent deployments, and are adding capacity where needed. The next update follows within 30 minutes, or sooner if the status changes.',
'{}', 1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
