import type { UsbDeviceIdentity } from '@campus/protocol/usb/device';
import type { UsbMatch } from '@campus/protocol/usb/policy';
import type { Statement } from 'better-sqlite3';
import type { Db } from '../store/open.js';
import { statementCache } from './statements.js';

/**
 * A device one PC may use beyond its policy: a teacher's drive, temporarily (it lapses
 * on the PC's own clock, even offline) or permanently. Grants live apart from policy
 * versions so a new policy push never wipes what IT approved for one PC.
 */
export interface GrantRecord {
  id: number;
  agentId: string;
  match: UsbMatch;
  device: UsbDeviceIdentity;
  kind: 'temporary' | 'permanent';
  expiresAt: number | null;
  requestId: string | null;
  grantedTo: string | null;
  grantedBy: string;
  grantedAt: number;
  note: string | null;
  revokedAt: number | null;
  revokedBy: string | null;
}

interface Row {
  id: number;
  agent_id: string;
  match: string;
  device: string;
  kind: 'temporary' | 'permanent';
  expires_at: number | null;
  request_id: string | null;
  granted_to: string | null;
  granted_by: string;
  granted_at: number;
  note: string | null;
  revoked_at: number | null;
  revoked_by: string | null;
}

const toRecord = (r: Row): GrantRecord => ({
  id: r.id,
  agentId: r.agent_id,
  match: JSON.parse(r.match) as UsbMatch,
  device: JSON.parse(r.device) as UsbDeviceIdentity,
  kind: r.kind,
  expiresAt: r.expires_at,
  requestId: r.request_id,
  grantedTo: r.granted_to,
  grantedBy: r.granted_by,
  grantedAt: r.granted_at,
  note: r.note,
  revokedAt: r.revoked_at,
  revokedBy: r.revoked_by,
});

export class GrantRepo {
  private readonly sql: (text: string) => Statement;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  create(g: Omit<GrantRecord, 'id' | 'revokedAt' | 'revokedBy'>): GrantRecord {
    const info = this.sql(
        `INSERT INTO usb_device_grants (agent_id, match, device, kind, expires_at, request_id, granted_to, granted_by, granted_at, note)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(g.agentId, JSON.stringify(g.match), JSON.stringify(g.device), g.kind, g.expiresAt, g.requestId, g.grantedTo, g.grantedBy, g.grantedAt, g.note);
    return this.get(Number(info.lastInsertRowid))!;
  }

  get(id: number): GrantRecord | undefined {
    const r = this.sql('SELECT * FROM usb_device_grants WHERE id = ?').get(id) as Row | undefined;
    return r && toRecord(r);
  }

  /** Grants not revoked whose expiry (if any) is after `since`, oldest first. */
  inForce(agentId: string, since: number): GrantRecord[] {
    return (
      this.sql('SELECT * FROM usb_device_grants WHERE agent_id = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?) ORDER BY id')
        .all(agentId, since) as Row[]
    ).map(toRecord);
  }

  /** Every grant of a PC (history included), newest first. */
  forAgent(agentId: string, limit = 200): GrantRecord[] {
    return (this.sql('SELECT * FROM usb_device_grants WHERE agent_id = ? ORDER BY id DESC LIMIT ?').all(agentId, limit) as Row[]).map(toRecord);
  }

  revoke(id: number, by: string, at: number): boolean {
    return this.sql('UPDATE usb_device_grants SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL').run(at, by, id).changes > 0;
  }

  /** PCs with a temporary grant that expired in (from, to]: their documents can drop it. */
  agentsWithExpiryBetween(from: number, to: number): string[] {
    return (
      this.sql('SELECT DISTINCT agent_id FROM usb_device_grants WHERE revoked_at IS NULL AND expires_at > ? AND expires_at <= ? ORDER BY agent_id')
        .all(from, to) as Array<{ agent_id: string }>
    ).map((r) => r.agent_id);
  }
}
