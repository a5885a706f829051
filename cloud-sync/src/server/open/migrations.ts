/**
 * Open data (issue 12, deliver 4): API keys, webhook subscriptions and their delivery log,
 * and an index to read a school's events in the order the cloud received them. Ids 40+
 * so branches adding other migrations in parallel do not collide (order is the list's).
 */
export const OPEN_MIGRATIONS = [
  {
    id: 40,
    name: 'open data: API keys, webhooks, delivery log, events by arrival',
    sql: `
CREATE TABLE open_api_keys (
  id text PRIMARY KEY,
  school_id text NOT NULL REFERENCES schools(id),
  name text NOT NULL,
  scopes text[] NOT NULL,
  -- SHA-256 (hex) of the secret part: the secret itself is shown once and never stored.
  secret_hash text NOT NULL,
  created_by text,
  created_by_name text NOT NULL,
  created_at bigint NOT NULL,
  expires_at bigint,
  revoked_at bigint,
  last_used_at bigint
);
CREATE INDEX open_api_keys_school ON open_api_keys (school_id, created_at);
CREATE TABLE open_webhooks (
  id text PRIMARY KEY,
  school_id text NOT NULL REFERENCES schools(id),
  url text NOT NULL,
  -- Exact types ("access.decision") or prefixes ("attendance.*").
  event_types text[] NOT NULL,
  -- Deliver PIPL-sensitive fields (granted by a school admin).
  sensitive boolean NOT NULL DEFAULT false,
  -- HMAC-SHA256 key; needed in clear to sign, so it is kept, and shown to the admin once.
  secret text NOT NULL,
  description text NOT NULL DEFAULT '',
  -- active | paused (by an admin) | disabled (after a day of failures)
  status text NOT NULL DEFAULT 'active',
  failing_since bigint,
  last_success_at bigint,
  last_failure_at bigint,
  disabled_at bigint,
  version integer NOT NULL DEFAULT 1,
  created_at bigint NOT NULL
);
CREATE INDEX open_webhooks_school ON open_webhooks (school_id);
CREATE TABLE open_webhook_deliveries (
  id bigserial PRIMARY KEY,
  webhook_id text NOT NULL REFERENCES open_webhooks(id) ON DELETE CASCADE,
  school_id text NOT NULL,
  event_id uuid NOT NULL,
  event_type text NOT NULL,
  -- pending | sending | delivered | dead (the subscription was disabled or removed first)
  status text NOT NULL DEFAULT 'pending',
  attempts integer NOT NULL DEFAULT 0,
  last_status integer,
  last_error text,
  claimed_at bigint,
  next_attempt_at bigint,
  created_at bigint NOT NULL,
  delivered_at bigint,
  -- One delivery per subscription and event: an event stored twice is delivered once.
  UNIQUE (webhook_id, event_id)
);
CREATE INDEX open_webhook_deliveries_log ON open_webhook_deliveries (webhook_id, id DESC);
CREATE INDEX open_webhook_deliveries_open ON open_webhook_deliveries (webhook_id) WHERE status IN ('pending', 'sending');
CREATE INDEX events_arrival ON events (school_id, received_at, id);
`,
  },
];
