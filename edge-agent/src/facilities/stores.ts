import type { NewEvent } from '@campus/protocol';
import { PRIORITIES as EVENT_PRIORITIES } from '@campus/protocol';
import { FACILITIES_EVENTS, FACILITIES_REASONS } from '@campus/protocol/facilities/events';
import type { StockMoveView } from '@campus/protocol/facilities/api';
import { ApiError } from '../http/errors.js';
import type { StoredEvent } from '../store/index.js';
import type { Db } from '../store/open.js';

export interface StockItem {
  id: string;
  name: string;
  unit: string;
  minQty: number;
  qty: number;
  low: boolean;
  updatedAt: number;
}

interface ItemRow {
  id: string;
  name: string;
  unit: string;
  min_qty: number;
  qty: number;
  updated_at: number;
}
const toItem = (r: ItemRow): StockItem => ({ id: r.id, name: r.name, unit: r.unit, minQty: r.min_qty, qty: r.qty, low: r.qty < r.min_qty, updatedAt: r.updated_at });

/**
 * Consumables in the store: receipts add, issues take (never below zero: a short issue is
 * refused naming what is there), every move recorded with who, when and the work order;
 * falling below the minimum raises one alert per crossing.
 */
export class Stores {
  constructor(
    private readonly db: Db,
    private readonly now: () => number,
    private readonly appendEvent: (e: NewEvent) => StoredEvent,
  ) {}

  list(): StockItem[] {
    return (this.db.prepare('SELECT * FROM fac_stock_items ORDER BY id').all() as ItemRow[]).map(toItem);
  }

  get(id: string): StockItem {
    const r = this.db.prepare('SELECT * FROM fac_stock_items WHERE id = ?').get(id) as ItemRow | undefined;
    if (!r) throw new ApiError(404, 'facilities.unknown_stock_item', { id });
    return toItem(r);
  }

  put(id: string, input: { name: string; unit: string; minQty: number }): StockItem {
    this.db
      .prepare('INSERT INTO fac_stock_items (id, name, unit, min_qty, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name, unit = excluded.unit, min_qty = excluded.min_qty, updated_at = excluded.updated_at')
      .run(id, input.name, input.unit, input.minQty, this.now());
    return this.get(id);
  }

  moves(id: string, limit = 100): StockMoveView[] {
    return this.db.prepare('SELECT id, delta, kind, order_id AS orderId, actor, at, note FROM fac_stock_moves WHERE item_id = ? ORDER BY id DESC LIMIT ?').all(id, limit) as StockMoveView[];
  }

  /** Adds (receipt) or takes (issue) stock; call inside the caller's transaction to tie it to an order step. */
  move(id: string, kind: 'receipt' | 'issue', qty: number, actor: string, orderId: number | null = null, note: string | null = null): StockItem {
    const before = this.get(id);
    const delta = kind === 'receipt' ? qty : -qty;
    if (before.qty + delta < 0) throw new ApiError(409, 'facilities.stock_short', { name: before.name, qty: before.qty, unit: before.unit, want: qty });
    const t = this.now();
    this.db.prepare('UPDATE fac_stock_items SET qty = qty + ?, updated_at = ? WHERE id = ?').run(delta, t, id);
    this.db.prepare('INSERT INTO fac_stock_moves (item_id, delta, kind, order_id, actor, at, note) VALUES (?, ?, ?, ?, ?, ?, ?)').run(id, delta, kind, orderId, actor, t, note);
    const after = this.get(id);
    if (after.low && !before.low) {
      this.appendEvent({
        type: FACILITIES_EVENTS.stockLow,
        reason: FACILITIES_REASONS.stockLow,
        severity: 'notice',
        priority: EVENT_PRIORITIES.normal,
        source: 'facilities.stores',
        subject: id,
        data: { itemId: id, name: after.name, qty: after.qty, unit: after.unit, minQty: after.minQty },
      });
    }
    return after;
  }
}
