import type { Migration } from '../store/migrations.js';

/**
 * Tables of the USB endpoint guard. USB events themselves are ordinary events
 * (`usb.*` in the event log) so they reach the cloud through the outbox like any other.
 */
export const ENDPOINT_MIGRATIONS: Migration[] = [
  {
    id: 'endpoints.001',
    name: 'endpoints: PC agents, USB policy versions, device grants and requests, USB event receipts',
    sql: `
      -- One number line for every policy document the edge signs: IT's policy versions take
      -- numbers from it, and so do per-PC re-issues (a grant approved, a group changed), so
      -- whatever a PC receives next is always newer than what it has.
      CREATE TABLE usb_policy_counter (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        value INTEGER NOT NULL
      );
      INSERT INTO usb_policy_counter (id, value) VALUES (1, 0);

      CREATE TABLE usb_policy_versions (
        version INTEGER PRIMARY KEY,
        target_scope TEXT NOT NULL CHECK (target_scope IN ('all', 'group', 'pc')),
        target_id TEXT,
        content TEXT NOT NULL,
        based_on INTEGER,
        created_at INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        CHECK ((target_scope = 'all') = (target_id IS NULL))
      );
      CREATE INDEX usb_policy_versions_target ON usb_policy_versions(target_scope, target_id, version);

      CREATE TABLE endpoint_agents (
        agent_id TEXT PRIMARY KEY,
        display_name TEXT NOT NULL,
        groups TEXT NOT NULL DEFAULT '[]',
        created_at INTEGER NOT NULL,
        hostname TEXT,
        platform TEXT,
        agent_version TEXT,
        heartbeat TEXT,
        heartbeat_at INTEGER,
        last_heard_at INTEGER,
        silent_since INTEGER,
        policy_version INTEGER,
        published_version INTEGER,
        published_digest TEXT,
        published_at INTEGER,
        published_doc TEXT,
        ack_answered INTEGER,
        ack_version INTEGER,
        ack_digest TEXT,
        ack_status TEXT,
        ack_reason TEXT,
        ack_detail TEXT,
        ack_persisted INTEGER,
        ack_at INTEGER
      );

      CREATE TABLE usb_device_grants (
        id INTEGER PRIMARY KEY,
        agent_id TEXT NOT NULL REFERENCES endpoint_agents(agent_id) ON DELETE CASCADE,
        match TEXT NOT NULL,
        device TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('temporary', 'permanent')),
        expires_at INTEGER,
        request_id TEXT,
        granted_to TEXT,
        granted_by TEXT NOT NULL,
        granted_at INTEGER NOT NULL,
        note TEXT,
        revoked_at INTEGER,
        revoked_by TEXT,
        CHECK ((kind = 'temporary') = (expires_at IS NOT NULL))
      );
      CREATE INDEX usb_device_grants_agent ON usb_device_grants(agent_id, revoked_at);

      CREATE TABLE usb_device_requests (
        id TEXT PRIMARY KEY,
        agent_id TEXT NOT NULL,
        requested_at INTEGER NOT NULL,
        received_at INTEGER NOT NULL,
        device TEXT NOT NULL,
        requested_by TEXT NOT NULL,
        note TEXT NOT NULL,
        duration_minutes INTEGER,
        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'denied')),
        decided_by TEXT,
        decided_at INTEGER,
        decision_note TEXT,
        grant_id INTEGER
      );
      CREATE INDEX usb_device_requests_status ON usb_device_requests(status, received_at);

      -- Agents resend queued events after a reconnect and QoS 1 may deliver twice:
      -- the agent's event id is remembered so each USB event is stored once.
      CREATE TABLE usb_event_receipts (
        agent_event_id TEXT PRIMARY KEY,
        agent_id TEXT NOT NULL,
        received_at INTEGER NOT NULL
      );
      CREATE INDEX usb_event_receipts_age ON usb_event_receipts(received_at);
    `,
  },
];
