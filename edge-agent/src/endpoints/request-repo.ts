import type { UsbDeviceIdentity } from '@campus/protocol/usb/device';
import type { UsbDeviceRequest } from '@campus/protocol/usb/messages';
import type { Statement } from 'better-sqlite3';
import type { Db } from '../store/open.js';
import { statementCache } from './statements.js';

export const REQUEST_STATUSES = ['pending', 'approved', 'denied'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** A teacher's request, sent from the PC, to use a device the policy blocks. */
export interface DeviceRequestRecord {
  id: string;
  agentId: string;
  requestedAt: number;
  receivedAt: number;
  device: UsbDeviceIdentity;
  requestedBy: string;
  note: string;
  durationMinutes: number | null;
  status: RequestStatus;
  decidedBy: string | null;
  decidedAt: number | null;
  decisionNote: string | null;
  grantId: number | null;
}

interface Row {
  id: string;
  agent_id: string;
  requested_at: number;
  received_at: number;
  device: string;
  requested_by: string;
  note: string;
  duration_minutes: number | null;
  status: RequestStatus;
  decided_by: string | null;
  decided_at: number | null;
  decision_note: string | null;
  grant_id: number | null;
}

const toRecord = (r: Row): DeviceRequestRecord => ({
  id: r.id,
  agentId: r.agent_id,
  requestedAt: r.requested_at,
  receivedAt: r.received_at,
  device: JSON.parse(r.device) as UsbDeviceIdentity,
  requestedBy: r.requested_by,
  note: r.note,
  durationMinutes: r.duration_minutes,
  status: r.status,
  decidedBy: r.decided_by,
  decidedAt: r.decided_at,
  decisionNote: r.decision_note,
  grantId: r.grant_id,
});

export class RequestRepo {
  private readonly sql: (text: string) => Statement;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  /** Stores a request once; a redelivery of the same id is ignored (returns false). */
  insert(req: UsbDeviceRequest, receivedAt: number): boolean {
    return (
      this.sql(
          `INSERT OR IGNORE INTO usb_device_requests (id, agent_id, requested_at, received_at, device, requested_by, note, duration_minutes)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(req.id, req.agentId, req.at, receivedAt, JSON.stringify(req.device), req.requestedBy, req.note, req.durationMinutes ?? null).changes > 0
    );
  }

  get(id: string): DeviceRequestRecord | undefined {
    const r = this.sql('SELECT * FROM usb_device_requests WHERE id = ?').get(id) as Row | undefined;
    return r && toRecord(r);
  }

  /** Newest first; pending ones can be asked for alone. */
  list(q: { status?: RequestStatus; agentId?: string; limit: number }): DeviceRequestRecord[] {
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: q.limit };
    if (q.status) {
      where.push('status = @status');
      params.status = q.status;
    }
    if (q.agentId) {
      where.push('agent_id = @agentId');
      params.agentId = q.agentId;
    }
    const sql = `SELECT * FROM usb_device_requests ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY received_at DESC, id DESC LIMIT @limit`;
    return (this.sql(sql).all(params) as Row[]).map(toRecord);
  }

  pendingCount(): number {
    return (this.sql("SELECT count(*) AS n FROM usb_device_requests WHERE status = 'pending'").get() as { n: number }).n;
  }

  /** Decides a pending request; false when it was decided already (two IT staff at once). */
  decide(id: string, d: { status: 'approved' | 'denied'; by: string; at: number; note: string | null; grantId: number | null }): boolean {
    return (
      this.sql("UPDATE usb_device_requests SET status = ?, decided_by = ?, decided_at = ?, decision_note = ?, grant_id = ? WHERE id = ? AND status = 'pending'")
        .run(d.status, d.by, d.at, d.note, d.grantId, id).changes > 0
    );
  }
}
