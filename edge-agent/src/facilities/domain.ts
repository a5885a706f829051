import { bilingual } from '@campus/protocol/i18n';
import type { OrderPriority } from '@campus/protocol/facilities/api';
import '@campus/protocol/facilities/events';
import type { DomainDeps, DomainInstance } from '../modules/domain.js';
import type { ApiRouter } from '../http/router.js';
import { ApiError } from '../http/errors.js';
import type { StoredEvent } from '../store/index.js';
import type { FacilitiesConfig } from './config.js';
import { AssetRegister, Stocktakes } from './assets.js';
import { Inspections } from './inspections.js';
import { SYSTEM_ACTOR, WorkOrders } from './orders.js';
import { PhotoStore } from './photos.js';
import { Stores } from './stores.js';
import { facilitiesRoutes } from './routes.js';
import { TagSigner } from './tags.js';

export interface FacilitiesServices {
  tags: TagSigner;
  photos: PhotoStore;
  orders: WorkOrders;
  inspections: Inspections;
  assets: AssetRegister;
  stocktakes: Stocktakes;
  stores: Stores;
}

/** An alarm raised event: `alarm.<domain>.raised` (energy and electrical safety) or `energy.alarm.*.raised`. */
export function isAlarmRaised(e: StoredEvent): boolean {
  return (e.type.startsWith('alarm.') || e.type.startsWith('energy.alarm')) && e.type.endsWith('.raised');
}

const PRIORITY_OF_SEVERITY: Record<string, OrderPriority> = { critical: 'urgent', warning: 'high', notice: 'normal', info: 'low' };

/**
 * Facilities (后勤) as a running domain: inspection rounds and work orders. Everything
 * it needs comes in `deps`; its timers are `deps.time`'s (disposed by the root on stop).
 */
export class FacilitiesDomain implements DomainInstance {
  services: FacilitiesServices | null = null;
  #offAlarms: (() => void) | null = null;

  constructor(private readonly deps: DomainDeps<FacilitiesConfig>) {}

  /** The edge's bus: requests to other domains (energy's rooms) go through it. */
  get bus(): DomainDeps<FacilitiesConfig>['bus'] {
    return this.deps.bus;
  }

  routes(api: ApiRouter): void {
    facilitiesRoutes(api, this);
  }

  start(): void {
    const { deps } = this;
    const db = deps.store.db;
    const log = deps.log;
    const tags = TagSigner.open(deps.dataDir, deps.site.id);
    const photos = new PhotoStore(db, deps.store.vault, deps.dataDir, deps.config.photoMaxKb * 1024, () => deps.time.now(), deps.config.photoBudgetMb * 1024 * 1024);
    const stores = new Stores(db, () => deps.time.now(), (e) => deps.appendEvent(e));
    const orders = new WorkOrders({
      db,
      users: deps.store.users,
      config: deps.config,
      time: deps.time,
      school: deps.school,
      log,
      appendEvent: (e) => deps.appendEvent(e),
      takeParts: (parts, orderId, actor) => {
        // Every item checked before anything is taken: a short part leaves the store and the order as they were.
        const want = new Map<string, number>();
        for (const p of parts) if (p.stockItem) want.set(p.stockItem, (want.get(p.stockItem) ?? 0) + p.qty);
        for (const [item, qty] of want) {
          const have = stores.get(item);
          if (have.qty < qty) throw new ApiError(409, 'facilities.stock_short', { name: have.name, qty: have.qty, unit: have.unit, want: qty });
        }
        for (const [item, qty] of want) stores.move(item, 'issue', qty, actor, orderId, `WO-${orderId}`);
      },
    });
    const inspections = new Inspections({ db, config: deps.config, time: deps.time, school: deps.school, log, tags, photos, orders, appendEvent: (e) => deps.appendEvent(e) });
    orders.start();
    inspections.start();
    const assets = new AssetRegister(db, tags, deps.config, () => deps.time.now(), (ms) => deps.school.time.local(ms).date);
    const stocktakes = new Stocktakes(db, tags, assets, () => deps.time.now());
    this.services = { tags, photos, orders, inspections, assets, stocktakes, stores };
    if (deps.config.alarmOrders.enabled) this.#offAlarms = deps.bus.on('event.appended', (e) => this.#onAlarm(e));
  }

  /** An alarm opens one order per fault (rule + subject) while that fault has an unfinished order. */
  #onAlarm(e: StoredEvent): void {
    const s = this.services;
    if (!s || !isAlarmRaised(e)) return;
    const cfg = this.deps.config.alarmOrders;
    const data = e.data as { alarmId?: string; rule?: string; building?: string | null; subjectName?: string };
    const rule = data.rule ?? e.type;
    if (cfg.ignoreRules.includes(rule)) return;
    const ref = `alarm:${data.alarmId ?? e.id}`;
    if (s.orders.bySourceRef(ref)) return;
    const faultKey = `${rule}:${e.subject ?? data.subjectName ?? ''}`;
    const open = s.orders.openForFault(faultKey);
    if (open) {
      s.orders.note(open.id, SYSTEM_ACTOR, 'alarm_again', { alarmId: data.alarmId ?? null, eventId: e.id });
      return;
    }
    const text = bilingual(`reason.${e.reason}`, data as Record<string, string>)['zh-CN'];
    s.orders.create(
      {
        category: cfg.category,
        building: data.building ?? '-',
        place: data.subjectName ?? e.subject ?? '-',
        description: text.slice(0, 1000),
        priority: PRIORITY_OF_SEVERITY[e.severity] ?? 'normal',
        photos: [],
        source: 'alarm',
        sourceRef: ref,
        faultKey,
      },
      SYSTEM_ACTOR,
    );
  }

  stop(): void {
    this.#offAlarms?.();
    this.#offAlarms = null;
    this.services?.inspections.stop();
    this.services?.orders.stop();
    this.services = null;
  }

  health(): string | null {
    return this.services ? null : 'facilities not running';
  }
}
