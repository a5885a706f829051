import type { DataVault } from '../security/vault.js';
import { sealLegacyColumn } from '../store/seal-legacy.js';
import type { Statement } from 'better-sqlite3';
import type { Direction, PassView } from '@campus/protocol/access/index';
import type { Db } from '../store/index.js';

/** A stored pass: the API's view without the live use counts, plus the signed credential text. */
export interface PassRecord extends Omit<PassView, 'uses'> {
  credential: string | null;
}

/** What the gate needs per pass, in memory. */
interface PassState {
  record: PassRecord | null;
  ins: number;
  outs: number;
}

interface PassRow {
  id: number;
  kind: 'visitor' | 'pickup';
  status: 'active' | 'cancelled';
  visitor_name: string | null;
  phone: string | null;
  purpose: string | null;
  host_person_id: string | null;
  holder_person_id: string | null;
  student_ids: string;
  valid_from: number;
  valid_until: number;
  one_use: number;
  gates: string;
  zones: string;
  credential: string | null;
  created_by: string;
  created_at: number;
}

function fromRow(r: PassRow, vault: DataVault): PassRecord {
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    visitorName: r.visitor_name,
    phone: vault.unsealNullable(r.phone),
    purpose: r.purpose,
    hostPersonId: r.host_person_id,
    holderPersonId: r.holder_person_id,
    studentIds: JSON.parse(r.student_ids) as string[],
    validFrom: r.valid_from,
    validUntil: r.valid_until,
    oneUse: r.one_use === 1,
    gates: JSON.parse(r.gates) as string[],
    zones: JSON.parse(r.zones) as string[],
    credential: r.credential,
    createdBy: r.created_by,
    createdAt: r.created_at,
  };
}

/**
 * Visitor and pickup passes and their uses. A use is written to SQLite before the gate
 * opens, so a one-use pass replayed after a restart (or a crash) is still refused. The
 * QR carries the pass's window and places; the record adds cancellation, the visitor's
 * name and, for pickup passes, the students.
 */
export class Passes {
  readonly #state = new Map<number, PassState>();
  #insertUse: Statement<unknown[]> | null = null;

  constructor(
    private readonly db: Db,
    private readonly now: () => number,
    /** Visitors' and pickup holders' phone numbers are sealed in SQLite. */
    private readonly vault: DataVault,
  ) {}

  /** Seals phone numbers written before encryption at rest existed; returns how many. */
  sealLegacy(): number {
    return sealLegacyColumn(this.db, this.vault, { table: 'access_passes', id: 'id', column: 'phone' });
  }

  load(now = this.now()): void {
    this.#state.clear();
    for (const r of this.db.prepare('SELECT * FROM access_passes WHERE valid_until >= ?').iterate(now - 86_400_000) as Iterable<PassRow>) {
      this.#state.set(r.id, { record: fromRow(r, this.vault), ins: 0, outs: 0 });
    }
    // Uses of every pass, also those without a local record (issued elsewhere, QR still valid).
    const uses = this.db.prepare('SELECT pass_id, direction, count(*) AS n FROM access_pass_uses WHERE at >= ? GROUP BY pass_id, direction').all(now - 367 * 86_400_000) as Array<{
      pass_id: number;
      direction: Direction;
      n: number;
    }>;
    for (const u of uses) {
      const s = this.#stateOf(u.pass_id);
      if (u.direction === 'in') s.ins = u.n;
      else s.outs = u.n;
    }
  }

  get size(): number {
    return this.#state.size;
  }

  record(id: number): PassRecord | null {
    return this.#state.get(id)?.record ?? null;
  }

  uses(id: number): { in: number; out: number } {
    const s = this.#state.get(id);
    return { in: s?.ins ?? 0, out: s?.outs ?? 0 };
  }

  /** Persists one use; returns its row id so a gate that did not open can give it back. */
  recordUse(passId: number, direction: Direction, gate: string): number {
    this.#insertUse ??= this.db.prepare('INSERT INTO access_pass_uses (pass_id, direction, at, gate) VALUES (?, ?, ?, ?)');
    const id = Number(this.#insertUse.run(passId, direction, this.now(), gate).lastInsertRowid);
    const s = this.#stateOf(passId);
    if (direction === 'in') s.ins++;
    else s.outs++;
    return id;
  }

  /** The gate did not open or nobody passed: the use did not happen. */
  returnUse(useId: number, passId: number, direction: Direction): void {
    if (this.db.prepare('DELETE FROM access_pass_uses WHERE id = ?').run(useId).changes === 0) return;
    const s = this.#stateOf(passId);
    if (direction === 'in') s.ins = Math.max(0, s.ins - 1);
    else s.outs = Math.max(0, s.outs - 1);
  }

  /**
   * Forgets passes a day past their window: their QR is refused as expired before any
   * record is consulted, so their uses no longer matter to the gate (SQLite keeps them).
   */
  prune(now: number): void {
    for (const [id, s] of this.#state) if (s.record && s.record.validUntil < now - 86_400_000) this.#state.delete(id);
  }

  /** The next free pass number in [first, last], or null when the range is used up. */
  nextId(first: number, last: number): number | null {
    const max = this.db.prepare('SELECT max(id) FROM access_passes WHERE id BETWEEN ? AND ?').pluck().get(first, last) as number | null;
    const next = max === null ? first : max + 1;
    return next <= last ? next : null;
  }

  create(p: Omit<PassRecord, 'status' | 'createdAt'>): PassRecord {
    const createdAt = this.now();
    this.db
      .prepare(
        `INSERT INTO access_passes (id, kind, visitor_name, phone, purpose, host_person_id, holder_person_id, student_ids, valid_from, valid_until,
           one_use, gates, zones, credential, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        p.id,
        p.kind,
        p.visitorName,
        this.vault.sealNullable(p.phone),
        p.purpose,
        p.hostPersonId,
        p.holderPersonId,
        JSON.stringify(p.studentIds),
        p.validFrom,
        p.validUntil,
        p.oneUse ? 1 : 0,
        JSON.stringify(p.gates),
        JSON.stringify(p.zones),
        p.credential,
        p.createdBy,
        createdAt,
      );
    const record: PassRecord = { ...p, status: 'active', createdAt };
    this.#stateOf(p.id).record = record;
    return record;
  }

  cancel(id: number, why: string): PassRecord | null {
    this.db.prepare("UPDATE access_passes SET status = 'cancelled', cancelled_at = ?, cancelled_why = ? WHERE id = ? AND status = 'active'").run(this.now(), why, id);
    const row = this.db.prepare('SELECT * FROM access_passes WHERE id = ?').get(id) as PassRow | undefined;
    if (!row) return null;
    const record = fromRow(row, this.vault);
    this.#stateOf(id).record = record;
    return record;
  }

  list(q: { kind?: 'visitor' | 'pickup'; status: 'active' | 'cancelled' | 'all'; limit: number }): PassRecord[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.kind) {
      where.push('kind = ?');
      params.push(q.kind);
    }
    if (q.status !== 'all') {
      where.push('status = ?');
      params.push(q.status);
    }
    params.push(q.limit);
    return (this.db.prepare(`SELECT * FROM access_passes ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY created_at DESC, id DESC LIMIT ?`).all(...params) as PassRow[]).map((r) => fromRow(r, this.vault));
  }

  #stateOf(id: number): PassState {
    let s = this.#state.get(id);
    if (!s) this.#state.set(id, (s = { record: null, ins: 0, outs: 0 }));
    return s;
  }
}
