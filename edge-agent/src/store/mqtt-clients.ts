import type { BrokerRole } from '@campus/protocol';
import type { Db } from './open.js';

export interface MqttClientRecord {
  clientId: string;
  role: BrokerRole;
  displayName: string;
  enabled: boolean;
  lastSeen: number | null;
  lastAddress: string | null;
}

interface Row {
  client_id: string;
  role: string;
  display_name: string;
  password_hash: string;
  enabled: number;
  last_seen: number | null;
  last_address: string | null;
}

const toRecord = (r: Row): MqttClientRecord => ({
  clientId: r.client_id,
  role: r.role as BrokerRole,
  displayName: r.display_name,
  enabled: r.enabled === 1,
  lastSeen: r.last_seen,
  lastAddress: r.last_address,
});

/** Broker credentials: one per device or PC agent; the client id is the username. */
export class MqttClientRepo {
  constructor(
    private readonly db: Db,
    private readonly now: () => number,
  ) {}

  upsert(c: { clientId: string; role: BrokerRole; displayName: string; passwordHash: string }): MqttClientRecord {
    this.db
      .prepare(
        `INSERT INTO mqtt_clients (client_id, role, display_name, password_hash, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(client_id) DO UPDATE SET role = excluded.role, display_name = excluded.display_name, password_hash = excluded.password_hash, enabled = 1`,
      )
      .run(c.clientId, c.role, c.displayName, c.passwordHash, this.now());
    return this.get(c.clientId)!;
  }

  get(clientId: string): MqttClientRecord | undefined {
    const r = this.db.prepare('SELECT * FROM mqtt_clients WHERE client_id = ?').get(clientId) as Row | undefined;
    return r && toRecord(r);
  }

  credentials(clientId: string): { record: MqttClientRecord; passwordHash: string } | undefined {
    const r = this.db.prepare('SELECT * FROM mqtt_clients WHERE client_id = ?').get(clientId) as Row | undefined;
    return r && { record: toRecord(r), passwordHash: r.password_hash };
  }

  list(): MqttClientRecord[] {
    return (this.db.prepare('SELECT * FROM mqtt_clients ORDER BY client_id').all() as Row[]).map(toRecord);
  }

  setEnabled(clientId: string, enabled: boolean): boolean {
    return this.db.prepare('UPDATE mqtt_clients SET enabled = ? WHERE client_id = ?').run(enabled ? 1 : 0, clientId).changes > 0;
  }

  remove(clientId: string): boolean {
    return this.db.prepare('DELETE FROM mqtt_clients WHERE client_id = ?').run(clientId).changes > 0;
  }

  touch(clientId: string, address: string | null): void {
    this.db.prepare('UPDATE mqtt_clients SET last_seen = ?, last_address = ? WHERE client_id = ?').run(this.now(), address, clientId);
  }
}
