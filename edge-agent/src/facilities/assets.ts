import type { Request } from 'express';
import type { z } from 'zod';
import {
  ASSET_ACTION_NAMES,
  ASSET_STATE_NAMES,
  AssetInputSchema,
  type AssetAction,
  type AssetHistoryEntry,
  type AssetState,
  type ScanOutcome,
} from '@campus/protocol/facilities/assets';
import { ApiError, zodDetail } from '../http/errors.js';
import { readFirstSheet } from '@campus/protocol/sheets/xlsx';
import { SheetError } from '@campus/protocol/sheets/errors';
import type { Db } from '../store/open.js';
import type { FacilitiesConfig } from './config.js';
import type { TagSigner } from './tags.js';

type AssetData = z.infer<typeof AssetInputSchema>;
export interface Asset extends AssetData {
  state: AssetState;
  createdAt: number;
  updatedAt: number;
  auditedAt: number | null;
}

interface AssetRow {
  code: string;
  state: AssetState;
  data: string;
  created_at: number;
  updated_at: number;
  audited_at: number | null;
}

const toAsset = (r: AssetRow): Asset => ({ ...(JSON.parse(r.data) as AssetData), state: r.state, createdAt: r.created_at, updatedAt: r.updated_at, auditedAt: r.audited_at });

const TRANSITIONS: Record<AssetAction, { from: readonly AssetState[]; to: AssetState | null; needs: ReadonlyArray<'room' | 'custodian' | 'approvedBy' | 'note'> }> = {
  issue: { from: ['in_stock'], to: 'issued', needs: [] },
  transfer: { from: ['issued', 'in_stock'], to: null, needs: [] },
  repair: { from: ['in_stock', 'issued'], to: 'under_repair', needs: [] },
  repaired: { from: ['under_repair'], to: null, needs: [] },
  dispose: { from: ['in_stock', 'issued', 'under_repair'], to: 'disposed', needs: ['approvedBy', 'note'] },
};

/** Spreadsheet columns of the asset ledger (zh-CN and English headers). */
export const ASSET_COLUMNS: Record<keyof AssetData, { required: boolean; aliases: readonly string[] }> = {
  code: { required: true, aliases: ['资产编号', '编号', 'code'] },
  name: { required: true, aliases: ['名称', '资产名称', 'name'] },
  category: { required: true, aliases: ['类别', '分类', 'category'] },
  model: { required: false, aliases: ['型号', 'model'] },
  serial: { required: false, aliases: ['序列号', 'serial'] },
  supplier: { required: false, aliases: ['供应商', 'supplier'] },
  purchaseDate: { required: false, aliases: ['购置日期', 'purchase date', 'purchasedate'] },
  price: { required: false, aliases: ['价格', '原值', 'price'] },
  warrantyEnd: { required: false, aliases: ['保修截止', 'warranty end', 'warrantyend'] },
  building: { required: false, aliases: ['楼宇', 'building'] },
  room: { required: false, aliases: ['房间', 'room'] },
  custodian: { required: false, aliases: ['保管人', 'custodian'] },
};

const MAX_SHEET_BYTES = 20 * 1024 * 1024;

/**
 * The asset register (资产): codes with signed QR tags, lifecycle in stock → issued →
 * transferred → under repair → disposed (with an approver), every step in its history,
 * straight-line depreciation per category; an Excel ledger imported all-or-nothing with
 * a row-level report.
 */
export class AssetRegister {
  constructor(
    private readonly db: Db,
    private readonly tags: TagSigner,
    private readonly config: FacilitiesConfig,
    private readonly now: () => number,
    /** The school's date (YYYY-MM-DD in its zone) at a moment: warranties end on the school's calendar, not UTC's. */
    private readonly dateOf: (ms: number) => string,
  ) {}

  get(code: string): Asset | undefined {
    const r = this.db.prepare('SELECT * FROM fac_assets WHERE code = ?').get(code) as AssetRow | undefined;
    return r && toAsset(r);
  }

  list(q: { building?: string | undefined; category?: string | undefined; limit: number }): Asset[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.building) {
      where.push('building = ?');
      args.push(q.building);
    }
    if (q.category) {
      where.push('category = ?');
      args.push(q.category);
    }
    return (this.db.prepare(`SELECT * FROM fac_assets ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY code LIMIT ?`).all(...args, q.limit) as AssetRow[]).map(toAsset);
  }

  history(code: string): AssetHistoryEntry[] {
    return (
      this.db.prepare('SELECT seq, at, actor, action, from_state AS "from", to_state AS "to", data FROM fac_asset_history WHERE code = ? ORDER BY seq').all(code) as Array<Omit<AssetHistoryEntry, 'data'> & { data: string }>
    ).map((h) => ({
      ...h,
      data: JSON.parse(h.data) as Record<string, unknown>,
    }));
  }

  tag(code: string): string {
    return this.tags.sign('as', code);
  }

  /** Book value today: straight line from the purchase date over the category's life down to its residual. */
  bookValue(a: Asset): number | null {
    if (a.price === undefined || !a.purchaseDate) return null;
    const dep = this.config.depreciation[a.category] ?? this.config.depreciationDefault;
    const residual = (a.price * dep.residualPercent) / 100;
    const years = (this.now() - Date.parse(`${a.purchaseDate}T00:00:00Z`)) / (365.25 * 86_400_000);
    const v = a.price - (a.price - residual) * Math.min(1, Math.max(0, years / dep.years));
    return Math.round(v * 100) / 100;
  }

  #insert(a: AssetData, actor: string, action: string): void {
    const t = this.now();
    const state: AssetState = a.room || a.custodian ? 'issued' : 'in_stock';
    this.db
      .prepare('INSERT INTO fac_assets (code, name, category, state, building, room, custodian, data, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(a.code, a.name, a.category, state, a.building ?? null, a.room ?? null, a.custodian ?? null, JSON.stringify(a), t, t);
    this.#history(a.code, t, actor, action, null, state, {});
  }

  #history(code: string, at: number, actor: string, action: string, from: AssetState | null, to: AssetState, data: Record<string, unknown>): void {
    this.db
      .prepare('INSERT INTO fac_asset_history (code, seq, at, actor, action, from_state, to_state, data) SELECT ?, coalesce(max(seq), 0) + 1, ?, ?, ?, ?, ?, ? FROM fac_asset_history WHERE code = ?')
      .run(code, at, actor, action, from, to, JSON.stringify(data), code);
  }

  /** A note in an asset's history that changes nothing (a work order about it). */
  note(code: string, actor: string, action: string, data: Record<string, unknown>): void {
    const a = this.get(code);
    if (a) this.#history(code, this.now(), actor, action, a.state, a.state, data);
  }

  /** Whether the asset is under warranty today (null: no warranty date). */
  underWarranty(a: Asset): boolean | null {
    return a.warrantyEnd ? a.warrantyEnd >= this.dateOf(this.now()) : null;
  }

  create(a: AssetData, actor: string): Asset {
    if (this.get(a.code)) throw new ApiError(409, 'facilities.asset_exists', { code: a.code });
    this.db.transaction(() => this.#insert(a, actor, 'register'))();
    return this.get(a.code)!;
  }

  act(code: string, action: AssetAction, body: { building?: string | undefined; room?: string | undefined; custodian?: string | undefined; orderId?: number | undefined; approvedBy?: string | undefined; note?: string | undefined }, actor: string): Asset {
    const a = this.get(code);
    if (!a) throw new ApiError(404, 'facilities.unknown_asset', { code });
    const t = TRANSITIONS[action];
    const names = { actionZh: ASSET_ACTION_NAMES[action]['zh-CN'], actionEn: ASSET_ACTION_NAMES[action].en };
    if (!t.from.includes(a.state)) {
      throw new ApiError(409, 'facilities.asset_bad_transition', { ...names, stateZh: ASSET_STATE_NAMES[a.state]['zh-CN'], stateEn: ASSET_STATE_NAMES[a.state].en });
    }
    const missing = t.needs.filter((k) => !body[k]);
    if ((action === 'issue' || action === 'transfer') && !body.room && !body.custodian) missing.push('room');
    if (missing.length) throw new ApiError(400, 'facilities.asset_needs', { ...names, fields: missing.join(', ') });
    const next: AssetData = { ...a };
    if (body.building !== undefined) next.building = body.building;
    if (body.room !== undefined) next.room = body.room;
    if (body.custodian !== undefined) next.custodian = body.custodian;
    const to: AssetState = t.to ?? (action === 'repaired' ? (next.room || next.custodian ? 'issued' : 'in_stock') : a.state === 'in_stock' ? 'issued' : a.state);
    const { state: _s, createdAt: _c, updatedAt: _u, auditedAt: _a, ...data } = { ...a, ...next };
    this.db.transaction(() => {
      const now = this.now();
      this.db
        .prepare('UPDATE fac_assets SET state = ?, building = ?, room = ?, custodian = ?, data = ?, updated_at = ? WHERE code = ?')
        .run(to, data.building ?? null, data.room ?? null, data.custodian ?? null, JSON.stringify(data), now, code);
      this.#history(code, now, actor, action, a.state, to, { ...body, fromRoom: a.room ?? null, fromCustodian: a.custodian ?? null });
    })();
    return this.get(code)!;
  }

  /**
   * Imports an .xlsx ledger: every row checked first (schema, dates, duplicate codes within
   * the sheet and against the register); one bad row and nothing is stored.
   */
  async importSheet(req: Request, actor: string): Promise<{ imported: number }> {
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const c of req as AsyncIterable<Buffer>) {
      total += c.length;
      if (total > MAX_SHEET_BYTES) throw new ApiError(413, 'request.too_large', { limit: MAX_SHEET_BYTES });
      chunks.push(c);
    }
    let rows;
    try {
      rows = (await readFirstSheet(Buffer.concat(chunks))).rows;
    } catch (err) {
      if (err instanceof SheetError) throw new ApiError(400, 'facilities.import_not_sheet', { detail: err.text['zh-CN'] + ' / ' + err.text.en });
      throw new ApiError(400, 'facilities.import_not_sheet', { detail: (err as Error).message });
    }
    const [header, ...body] = rows;
    const heads = (header?.fields ?? []).map((h) => h.trim().toLowerCase());
    const col = new Map<keyof AssetData, number>();
    for (const [key, def] of Object.entries(ASSET_COLUMNS) as Array<[keyof AssetData, (typeof ASSET_COLUMNS)[keyof AssetData]]>) {
      const i = heads.findIndex((h) => def.aliases.some((a) => a.toLowerCase() === h));
      if (i >= 0) col.set(key, i);
    }
    const missingCols = Object.entries(ASSET_COLUMNS).filter(([k, d]) => d.required && !col.has(k as keyof AssetData)).map(([, d]) => d.aliases[0]);
    if (missingCols.length) throw new ApiError(400, 'facilities.import_missing_columns', { columns: missingCols.join(', ') });

    const problems: Array<{ row: number; message: string }> = [];
    const ok: AssetData[] = [];
    const seen = new Map<string, number>();
    for (const r of body) {
      const raw: Record<string, unknown> = {};
      for (const [k, i] of col) {
        const v = (r.fields[i] ?? '').trim();
        if (v === '') continue;
        raw[k] = k === 'price' ? Number(v.replace(/,/g, '')) : v;
      }
      const p = AssetInputSchema.safeParse(raw);
      if (!p.success) {
        problems.push({ row: r.row, message: zodDetail(p.error).detail });
        continue;
      }
      const first = seen.get(p.data.code);
      if (first !== undefined) problems.push({ row: r.row, message: `code ${p.data.code}: duplicate of row ${first} / 与第 ${first} 行编号重复` });
      else if (this.get(p.data.code)) problems.push({ row: r.row, message: `code ${p.data.code}: already registered / 已在台账中` });
      else {
        seen.set(p.data.code, r.row);
        ok.push(p.data);
      }
    }
    if (problems.length) throw new ApiError(400, 'facilities.import_rejected', { count: problems.length }, { rows: problems });
    this.db.transaction(() => {
      for (const a of ok) this.#insert(a, actor, 'import');
    })();
    return { imported: ok.length };
  }
}

interface ScanRow {
  code: string;
  room: string;
  outcome: ScanOutcome;
  scanned_by: string;
  at: number;
}

/**
 * Stock-take (盘点): a session per scope (building, category) expects the assets in it
 * when it starts; phones scan a room's tag then each asset in it. Each asset counts once
 * per session (a primary key, so concurrent scanners cannot double it); the report says
 * found, moved (in another room than registered), missing, not registered, out of scope
 * and never audited.
 */
export class Stocktakes {
  constructor(
    private readonly db: Db,
    private readonly tags: TagSigner,
    private readonly assets: AssetRegister,
    private readonly now: () => number,
  ) {}

  create(input: { name: string; building?: string | undefined; category?: string | undefined }, by: string) {
    const id = this.db.transaction(() => {
      const info = this.db
        .prepare('INSERT INTO fac_stocktakes (name, building, category, created_by, created_at, expected) VALUES (?, ?, ?, ?, ?, 0)')
        .run(input.name, input.building ?? null, input.category ?? null, by, this.now());
      const sid = Number(info.lastInsertRowid);
      const n = this.db
        .prepare(
          `INSERT INTO fac_stocktake_expected (stocktake_id, code, room) SELECT ?, code, room FROM fac_assets
           WHERE state != 'disposed' AND (? IS NULL OR building = ?) AND (? IS NULL OR category = ?)`,
        )
        .run(sid, input.building ?? null, input.building ?? null, input.category ?? null, input.category ?? null).changes;
      this.db.prepare('UPDATE fac_stocktakes SET expected = ? WHERE id = ?').run(n, sid);
      return sid;
    })();
    return this.get(id);
  }

  get(id: number) {
    const s = this.db.prepare('SELECT * FROM fac_stocktakes WHERE id = ?').get(id) as
      | { id: number; name: string; building: string | null; category: string | null; created_by: string; created_at: number; closed_at: number | null; expected: number }
      | undefined;
    if (!s) throw new ApiError(404, 'facilities.unknown_stocktake', { id });
    return { id: s.id, name: s.name, building: s.building, category: s.category, createdBy: s.created_by, createdAt: s.created_at, closedAt: s.closed_at, expected: s.expected };
  }

  /** One scan: the room (its tag, or its id typed in) and the asset's tag. */
  scan(id: number, input: { room: string; tag: string }, by: string): { code: string; outcome: ScanOutcome; duplicate: boolean; registeredRoom: string | null } {
    const s = this.get(id);
    if (s.closedAt !== null) throw new ApiError(409, 'facilities.stocktake_closed', { id });
    const room = input.room.startsWith('CT1:') ? this.tags.verify(input.room, 'rm') : input.room;
    const code = this.tags.verify(input.tag, 'as');
    const prev = this.db.prepare('SELECT * FROM fac_stocktake_scans WHERE stocktake_id = ? AND code = ?').get(id, code) as ScanRow | undefined;
    const asset = this.assets.get(code);
    if (prev) return { code, outcome: prev.outcome, duplicate: true, registeredRoom: asset?.room ?? null };
    const expected = this.db.prepare('SELECT room FROM fac_stocktake_expected WHERE stocktake_id = ? AND code = ?').get(id, code) as { room: string | null } | undefined;
    const outcome: ScanOutcome = !asset || asset.state === 'disposed' ? 'not_registered' : !expected ? 'out_of_scope' : expected.room && expected.room !== room ? 'moved' : 'found';
    const r = this.db.prepare('INSERT OR IGNORE INTO fac_stocktake_scans (stocktake_id, code, room, outcome, scanned_by, at) VALUES (?, ?, ?, ?, ?, ?)').run(id, code, room, outcome, by, this.now());
    return { code, outcome, duplicate: r.changes === 0, registeredRoom: expected?.room ?? asset?.room ?? null };
  }

  report(id: number) {
    const s = this.get(id);
    const scans = this.db.prepare('SELECT code, room, outcome, scanned_by AS "by", at FROM fac_stocktake_scans WHERE stocktake_id = ? ORDER BY at, code').all(id) as Array<{ code: string; room: string; outcome: ScanOutcome; by: string; at: number }>;
    const missing = this.db
      .prepare('SELECT e.code, e.room FROM fac_stocktake_expected e WHERE e.stocktake_id = ? AND NOT EXISTS (SELECT 1 FROM fac_stocktake_scans x WHERE x.stocktake_id = e.stocktake_id AND x.code = e.code) ORDER BY e.code')
      .all(id) as Array<{ code: string; room: string | null }>;
    const neverAudited = (
      this.db
        .prepare('SELECT e.code FROM fac_stocktake_expected e JOIN fac_assets a ON a.code = e.code WHERE e.stocktake_id = ? AND a.audited_at IS NULL ORDER BY e.code')
        .all(id) as Array<{ code: string }>
    ).map((r) => r.code);
    const by = (o: ScanOutcome) => scans.filter((x) => x.outcome === o);
    return {
      stocktake: s,
      counts: { expected: s.expected, scanned: scans.length, found: by('found').length, moved: by('moved').length, missing: missing.length, notRegistered: by('not_registered').length, outOfScope: by('out_of_scope').length },
      moved: by('moved').map((m) => ({ code: m.code, room: m.room, registeredRoom: this.assets.get(m.code)?.room ?? null })),
      missing,
      notRegistered: by('not_registered').map((m) => ({ code: m.code, room: m.room })),
      outOfScope: by('out_of_scope').map((m) => ({ code: m.code, room: m.room })),
      neverAudited,
    };
  }

  /** Closes the session: the assets found (or moved) are marked audited now. */
  close(id: number) {
    const s = this.get(id);
    if (s.closedAt !== null) throw new ApiError(409, 'facilities.stocktake_closed', { id });
    const now = this.now();
    this.db.transaction(() => {
      this.db.prepare('UPDATE fac_stocktakes SET closed_at = ? WHERE id = ?').run(now, id);
      this.db
        .prepare("UPDATE fac_assets SET audited_at = ? WHERE code IN (SELECT code FROM fac_stocktake_scans WHERE stocktake_id = ? AND outcome IN ('found', 'moved'))")
        .run(now, id);
    })();
    return this.report(id);
  }
}
