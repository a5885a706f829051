import { z } from 'zod';
import { ID_RE } from '@campus/protocol';
import {
  CheckpointInputSchema,
  CheckpointPutAnswerSchema,
  CheckpointsAnswerSchema,
  CheckpointTagAnswerSchema,
  ExtraRunSchema,
  InspectAnswerSchema,
  KpiAnswerSchema,
  OrderCreatedAnswerSchema,
  OrderDetailAnswerSchema,
  OrdersAnswerSchema,
  OrderStepAnswerSchema,
  PhotoAnswerSchema,
  ResolveTagAnswerSchema,
  RoomTagAnswerSchema,
  RoomPowerAnswerSchema,
  RoomSwitchOffAnswerSchema,
  RoomSwitchOffSchema,
  RoundPutAnswerSchema,
  RoundsAnswerSchema,
  RunAnswerSchema,
  RunDetailAnswerSchema,
  RunsAnswerSchema,
  StockItemAnswerSchema,
  StockItemsAnswerSchema,
  StockMovesAnswerSchema,
  InspectionSchema,
  KpiQuerySchema,
  type KpiGroup,
  NewOrderSchema,
  ORDER_ACTIONS,
  ORDER_STATES,
  OrderActionBodies,
  ResolveTagSchema,
  RoundInputSchema,
  RotaAnswerSchema,
  RotaInputSchema,
  StockItemInputSchema,
  StockMoveSchema,
} from '@campus/protocol/facilities/api';
import {
  ASSET_ACTIONS,
  AssetActionSchema,
  AssetAnswerSchema,
  AssetDetailAnswerSchema,
  AssetImportAnswerSchema,
  AssetInputSchema,
  AssetRegisteredAnswerSchema,
  AssetsAnswerSchema,
  StocktakeAnswerSchema,
  StocktakeInputSchema,
  StocktakeReportAnswerSchema,
  StocktakeScanAnswerSchema,
  StocktakeScanSchema,
} from '@campus/protocol/facilities/assets';
import { NoAnswerError } from '../core/bus.js';
import { rawBody, type ApiRouter } from '../http/router.js';
import { ApiError } from '../http/errors.js';
import type { FacilitiesDomain, FacilitiesServices } from './domain.js';
import { writeWorkbook } from '@campus/protocol/sheets/xlsx';

const TAG = 'facilities';
const SUPERVISOR = ['facility'] as const satisfies ReadonlyArray<'facility'>;

/** The PDF tooling (pdfkit, fonts, QR drawing) is loaded when a tag sheet is printed, not with the domain. */
const tagSheets = () => import('./tag-sheet.js');

/** Inspectors: facility staff and any staff member the school sends on a round. */
const STAFF = ['facility', 'staff'] as const satisfies ReadonlyArray<'facility' | 'staff'>;
/** Everyone on the school's staff may report a fault (guards and IT too); contractors may not. */
const REQUESTERS = ['facility', 'staff', 'security', 'it'] as const satisfies ReadonlyArray<'facility' | 'staff' | 'security' | 'it'>;
const IdParam = z.strictObject({ id: z.string().regex(ID_RE, 'letters, digits, - _ . (max 64)') });
const NumId = z.strictObject({ id: z.coerce.number().int().positive() });
const OrderActionParams = z.strictObject({ id: z.coerce.number().int().positive(), action: z.enum(ORDER_ACTIONS) });

function running(d: FacilitiesDomain): FacilitiesServices {
  const s = d.services;
  if (!s) throw new ApiError(503, 'facilities.not_running');
  return s;
}

/** The facilities API: checkpoints and tags, rounds and runs, scans, photos, work orders, KPIs. */
export function facilitiesRoutes(api: ApiRouter, d: FacilitiesDomain): void {
  // ---- checkpoints, tags, rounds ----
  api.add({
    method: 'get',
    path: '/api/facilities/checkpoints',
    summary: 'Inspection checkpoints with their checklists',
    tag: TAG,
    access: [...STAFF],
    response: CheckpointsAnswerSchema,
    handler: () => ({ checkpoints: running(d).inspections.checkpoints() }),
  });
  api.add({
    method: 'put',
    owner: 'edge',
    path: '/api/facilities/checkpoints/:id',
    summary: 'Create or change a checkpoint (place, checklist); answers its signed tag payload',
    tag: TAG,
    access: [...SUPERVISOR],
    params: IdParam,
    body: CheckpointInputSchema,
    audit: 'facilities.checkpoint.put',
    response: CheckpointPutAnswerSchema,
    handler: ({ params, body }) => running(d).inspections.putCheckpoint(params.id, body),
  });
  api.add({
    method: 'get',
    path: '/api/facilities/checkpoints/:id/tag',
    summary: 'The signed QR payload of a checkpoint’s printed tag',
    tag: TAG,
    access: [...SUPERVISOR],
    params: IdParam,
    response: CheckpointTagAnswerSchema,
    handler: ({ params }) => {
      const s = running(d);
      const cp = s.inspections.checkpoint(params.id);
      if (!cp) throw new ApiError(404, 'facilities.unknown_checkpoint', { id: params.id });
      return { checkpointId: cp.id, name: cp.name, place: cp.place, tag: s.tags.sign('cp', cp.id) };
    },
  });
  const IdsQuery = z.strictObject({ ids: z.string().max(20_000).optional().describe('Comma-separated ids; all when left out.') });
  api.add({
    method: 'get',
    path: '/api/facilities/tag-sheets/checkpoints',
    summary: 'Printable PDF of checkpoint tags (A4, 10 a page, the card sheets’ grid)',
    tag: TAG,
    access: [...SUPERVISOR],
    query: IdsQuery,
    response: rawBody('application/pdf'),
    handler: async ({ query, res }) => {
      const s = running(d);
      const want = query.ids ? new Set(query.ids.split(',').map((x) => x.trim())) : null;
      const list = s.inspections.checkpoints().filter((c) => !want || want.has(c.id));
      for (const id of want ?? []) if (!list.some((c) => c.id === id)) throw new ApiError(404, 'facilities.unknown_checkpoint', { id });
      const pdf = await (await tagSheets()).tagSheetPdf(list.map((c) => ({ id: c.id, title: c.name, subtitle: c.place, payload: s.tags.sign('cp', c.id) })), '巡检点标签 / Checkpoint tags');
      res.type('application/pdf').send(pdf);
      return undefined;
    },
  });
  api.add({
    method: 'get',
    path: '/api/facilities/rounds',
    summary: 'Inspection rounds (ordered checkpoints, days, window)',
    tag: TAG,
    access: [...STAFF],
    response: RoundsAnswerSchema,
    handler: () => ({ rounds: running(d).inspections.rounds() }),
  });
  api.add({
    method: 'put',
    owner: 'edge',
    path: '/api/facilities/rounds/:id',
    summary: 'Create or change a round; its next window is planned at once',
    tag: TAG,
    access: [...SUPERVISOR],
    params: IdParam,
    body: RoundInputSchema,
    audit: 'facilities.round.put',
    response: RoundPutAnswerSchema,
    handler: ({ params, body }) => running(d).inspections.putRound(params.id, body),
  });
  api.add({
    method: 'post',
    owner: 'edge',
    path: '/api/facilities/rounds/:id/extra',
    summary: 'Start an extra run of a round now (e.g. a weather warning)',
    tag: TAG,
    access: [...SUPERVISOR],
    params: IdParam,
    body: ExtraRunSchema,
    audit: 'facilities.round.extra',
    status: 201,
    response: RunAnswerSchema,
    handler: ({ params, body, user }) => ({ run: running(d).inspections.startExtra(params.id, body.minutes, body.reason, user!.username) }),
  });

  // ---- runs and scans ----
  api.add({
    method: 'get',
    path: '/api/facilities/runs',
    summary: 'Round runs (open now, or the latest), with progress',
    tag: TAG,
    access: [...STAFF],
    query: z.strictObject({ state: z.enum(['open', 'all']).default('open'), limit: z.coerce.number().int().min(1).max(200).default(50) }),
    response: RunsAnswerSchema,
    handler: ({ query }) => {
      const s = running(d).inspections;
      const runs = query.state === 'open' ? s.openRuns() : s.runs(query.limit);
      return { runs: runs.map((r) => ({ ...r, inspections: s.inspections(r.id) })) };
    },
  });
  api.add({
    method: 'get',
    path: '/api/facilities/runs/:id',
    summary: 'One run with every inspection of it',
    tag: TAG,
    access: [...STAFF],
    params: NumId,
    response: RunDetailAnswerSchema,
    handler: ({ params }) => {
      const s = running(d).inspections;
      const run = s.run(params.id);
      if (!run) throw new ApiError(409, 'facilities.run_not_open');
      return { run, inspections: s.inspections(run.id) };
    },
  });
  api.add({
    method: 'get',
    path: '/api/facilities/tags/resolve',
    summary: 'What a scanned tag is: the checkpoint, its checklist and the open runs it is in (nothing is recorded)',
    tag: TAG,
    access: [...STAFF],
    query: ResolveTagSchema,
    response: ResolveTagAnswerSchema,
    handler: ({ query }) => running(d).inspections.resolve(query.tag),
  });
  api.add({
    method: 'post',
    owner: 'edge',
    path: '/api/facilities/inspections',
    summary: 'Answer a scanned checkpoint’s checklist: red/yellow/green per item and checkpoint; a red item opens a work order',
    tag: TAG,
    access: [...STAFF],
    body: InspectionSchema,
    audit: 'facilities.inspect',
    status: 201,
    response: InspectAnswerSchema,
    handler: ({ body, user }) => running(d).inspections.inspect(body, user!.username),
  });

  // ---- lights and AC off after school: the energy domain's room, over the bus ----
  api.add({
    method: 'get',
    path: '/api/facilities/rooms/:room/power',
    summary: 'Live power and circuit states of a room a checklist item names (asked of the energy domain over the bus)',
    tag: TAG,
    access: [...STAFF],
    params: z.strictObject({ room: z.string().regex(ID_RE) }),
    query: RoomSwitchOffSchema,
    response: RoomPowerAnswerSchema,
    handler: async ({ params, query }) => {
      checklistRoom(running(d), query.checkpointId, params.room);
      return roomPower(d, params.room);
    },
  });
  api.add({
    method: 'post',
    owner: 'edge',
    path: '/api/facilities/rooms/:room/switch-off',
    summary: 'Switch every circuit of a room a checklist item names off, as a manual switch by the inspector (energy domain, over the bus)',
    tag: TAG,
    access: [...STAFF],
    params: z.strictObject({ room: z.string().regex(ID_RE) }),
    body: RoomSwitchOffSchema,
    audit: 'facilities.room.switch_off',
    response: RoomSwitchOffAnswerSchema,
    handler: async ({ params, body, user }) => {
      checklistRoom(running(d), body.checkpointId, params.room);
      const answer = await ask(d, params.room, () => d.bus.request('energy.room.switchOff', { room: params.room, actor: user!.username, why: `facilities:${body.checkpointId}` }));
      return { results: answer.results, power: await roomPower(d, params.room) };
    },
  });

  // ---- photos ----
  api.add({
    method: 'post',
    owner: 'edge',
    path: '/api/facilities/photos',
    summary: 'Upload a photo (raw body, Content-Type image/jpeg or image/png, at most facilities.photoMaxKb); answers its id',
    tag: TAG,
    access: 'any',
    audit: 'facilities.photo.upload',
    status: 201,
    response: PhotoAnswerSchema,
    handler: async ({ req, user }) => ({ photo: await running(d).photos.upload(req, user!.username) }),
  });
  api.add({
    method: 'get',
    path: '/api/facilities/photos/:id',
    summary: 'A photo (to the supervisor, its uploader, and whoever may see an order it belongs to)',
    tag: TAG,
    access: 'any',
    params: z.strictObject({ id: z.string().uuid() }),
    response: rawBody('image/*'),
    handler: ({ params, user, res }) => {
      const s = running(d);
      const meta = s.photos.meta(params.id);
      if (!meta) throw new ApiError(404, 'facilities.unknown_photo', { id: params.id });
      const mayOrder = () => s.orders.list(user!, { limit: 1000 }).some((o) => o.photos.includes(params.id));
      if (!user!.roles.includes('facility') && !user!.roles.includes('admin') && meta.uploader !== user!.username && !mayOrder()) {
        throw new ApiError(404, 'facilities.unknown_photo', { id: params.id });
      }
      const bytes = s.photos.read(params.id);
      if (!bytes) throw new ApiError(404, 'facilities.unknown_photo', { id: params.id });
      res.type(meta.type).send(bytes);
      return undefined;
    },
  });

  // ---- work orders ----
  api.add({
    method: 'post',
    owner: 'edge',
    path: '/api/facilities/orders',
    summary: 'Submit a work order (any staff member); it is dispatched to the worker on duty',
    tag: TAG,
    access: [...REQUESTERS],
    body: NewOrderSchema,
    audit: 'facilities.order.submit',
    status: 201,
    response: OrderCreatedAnswerSchema,
    handler: ({ body, user }) => {
      const s = running(d);
      for (const p of body.photos) if (!s.photos.exists(p)) throw new ApiError(400, 'facilities.unknown_photo', { id: p });
      const { assetTag, ...input } = body;
      const asset = assetTag === undefined ? null : s.assets.get(s.tags.verify(assetTag, 'as'));
      if (assetTag !== undefined && !asset) throw new ApiError(404, 'facilities.unknown_asset', { code: s.tags.verify(assetTag, 'as') });
      const order = s.orders.create({ ...input, source: 'staff', asset: asset?.code ?? null }, user!.username);
      if (asset) s.assets.note(asset.code, user!.username, 'order', { orderId: order.id });
      return { order, asset: asset ? { code: asset.code, name: asset.name, warrantyEnd: asset.warrantyEnd ?? null, underWarranty: s.assets.underWarranty(asset) } : null };
    },
  });
  api.add({
    method: 'get',
    path: '/api/facilities/orders',
    summary: 'Work orders: all for the supervisor; otherwise those requested by or assigned to the user',
    tag: TAG,
    access: 'any',
    query: z.strictObject({
      state: z.enum([...ORDER_STATES, 'open']).optional(),
      mine: z.enum(['requested', 'assigned']).optional(),
      limit: z.coerce.number().int().min(1).max(500).default(100),
    }),
    response: OrdersAnswerSchema,
    handler: ({ query, user }) => ({ orders: running(d).orders.list(user!, query) }),
  });
  api.add({
    method: 'get',
    path: '/api/facilities/orders/:id',
    summary: 'One work order with every step (who, when)',
    tag: TAG,
    access: 'any',
    params: NumId,
    response: OrderDetailAnswerSchema,
    handler: ({ params, user }) => {
      const s = running(d).orders;
      const order = s.visible(params.id, user!);
      const a = order.asset ? running(d).assets.get(order.asset) : undefined;
      const asset = a ? { code: a.code, name: a.name, model: a.model ?? null, warrantyEnd: a.warrantyEnd ?? null, underWarranty: running(d).assets.underWarranty(a) } : null;
      return { order: { ...order, steps: s.steps(order.id) }, asset };
    },
  });
  api.add({
    method: 'post',
    owner: 'edge',
    path: '/api/facilities/orders/:id/:action',
    summary: 'A step of a work order (dispatch, accept, start, done, confirm, reopen) naming the version seen; a stale version gets 409 with what changed',
    tag: TAG,
    access: 'any',
    params: OrderActionParams,
    body: z.looseObject({ version: z.number().int().positive() }),
    audit: 'facilities.order.step',
    response: OrderStepAnswerSchema,
    handler: ({ params, req, user }) => {
      const body = OrderActionBodies[params.action].parse(req.body ?? {});
      const s = running(d).orders;
      const order = s.act(params.id, params.action, user!, body);
      return { order: { ...order, steps: s.steps(order.id) } };
    },
  });
  api.add({
    method: 'get',
    path: '/api/facilities/kpi',
    summary: 'KPIs per worker, team (the rota’s), category or building: response and repair times, SLA met/missed, reopen rate, backlog, ratings',
    tag: TAG,
    access: [...SUPERVISOR],
    query: KpiQuerySchema,
    response: KpiAnswerSchema,
    handler: ({ query }) => ({ by: query.by, rows: running(d).orders.kpi(query.by, query.from, query.to) }),
  });
  api.add({
    method: 'get',
    path: '/api/facilities/kpi.xlsx',
    summary: 'The KPIs as an Excel workbook (one sheet each: by worker, team, category, building)',
    tag: TAG,
    access: [...SUPERVISOR],
    query: KpiQuerySchema.omit({ by: true }),
    response: rawBody('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'),
    handler: async ({ query, res }) => {
      const s = running(d).orders;
      const head = ['对象 / key', '工单数 / orders', '积压 / backlog', '平均响应(分) / avg response min', '平均修复(分) / avg repair min', 'SLA 达标 / met', 'SLA 超时 / missed', '返修率 / reopen rate', '平均评分 / avg rating', '评分数 / ratings'];
      const sheet = (name: string, by: KpiGroup) => ({
        name,
        rows: [head, ...s.kpi(by, query.from, query.to).map((r) => [r.key, r.orders, r.backlog, r.avgResponseMin, r.avgRepairMin, r.slaMet, r.slaMissed, r.reopenRate, r.avgRating, r.ratings])],
      });
      const book = await writeWorkbook([sheet('按人员', 'worker'), sheet('按班组', 'team'), sheet('按类别', 'category'), sheet('按楼宇', 'building')]);
      res.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').setHeader('Content-Disposition', 'attachment; filename="facilities-kpi.xlsx"').send(book);
      return undefined;
    },
  });

  // ---- the duty rota (auto-dispatch) ----
  api.add({
    method: 'get',
    path: '/api/facilities/rota',
    summary: 'The duty rota in force: saved at the desk, else the config file’s',
    tag: TAG,
    access: [...SUPERVISOR],
    response: RotaAnswerSchema,
    handler: () => running(d).orders.rota(),
  });
  api.add({
    method: 'put',
    owner: 'edge',
    path: '/api/facilities/rota',
    summary: 'Save the duty rota (replaces the config file’s from now on); every assignee must be an enabled user',
    tag: TAG,
    access: [...SUPERVISOR],
    body: RotaInputSchema,
    audit: 'facilities.rota.put',
    response: RotaAnswerSchema,
    handler: ({ body, user }) => running(d).orders.putRota(body.entries, user!.username),
  });

  // ---- assets ----
  const CodeParam = z.strictObject({ code: z.string().regex(ID_RE, 'asset code') });
  api.add({
    method: 'get',
    path: '/api/facilities/assets',
    summary: 'The asset register (by building and category)',
    tag: TAG,
    access: [...SUPERVISOR],
    query: z.strictObject({ building: z.string().optional(), category: z.string().optional(), limit: z.coerce.number().int().min(1).max(50_000).default(1000) }),
    response: AssetsAnswerSchema,
    handler: ({ query }) => ({ assets: running(d).assets.list(query) }),
  });
  api.add({
    method: 'post',
    owner: 'edge',
    path: '/api/facilities/assets',
    summary: 'Register one asset; answers it with its signed tag payload',
    tag: TAG,
    access: [...SUPERVISOR],
    body: AssetInputSchema,
    audit: 'facilities.asset.register',
    status: 201,
    response: AssetRegisteredAnswerSchema,
    handler: ({ body, user }) => {
      const s = running(d).assets;
      return { asset: s.create(body, user!.username), tag: s.tag(body.code) };
    },
  });
  api.add({
    method: 'post',
    owner: 'edge',
    path: '/api/facilities/assets/import',
    summary: 'Import the school’s asset ledger (.xlsx raw body): all rows or none, with a row-level report',
    tag: TAG,
    access: [...SUPERVISOR],
    audit: 'facilities.asset.import',
    response: AssetImportAnswerSchema,
    handler: ({ req, user }) => running(d).assets.importSheet(req, user!.username),
  });
  api.add({
    method: 'get',
    path: '/api/facilities/assets/:code',
    summary: 'One asset: history, book value (straight-line), warranty, tag payload',
    tag: TAG,
    access: [...SUPERVISOR],
    params: CodeParam,
    response: AssetDetailAnswerSchema,
    handler: ({ params }) => {
      const s = running(d);
      const asset = s.assets.get(params.code);
      if (!asset) throw new ApiError(404, 'facilities.unknown_asset', { code: params.code });
      return {
        asset,
        history: s.assets.history(params.code),
        bookValue: s.assets.bookValue(asset),
        underWarranty: s.assets.underWarranty(asset),
        orders: s.orders.ofAsset(params.code).map((o) => ({ id: o.id, state: o.state, description: o.description, createdAt: o.createdAt })),
        tag: s.assets.tag(params.code),
      };
    },
  });
  api.add({
    method: 'post',
    owner: 'edge',
    path: '/api/facilities/assets/:code/:action',
    summary: 'An asset’s lifecycle step: issue, transfer, repair, repaired, dispose (needs the approver)',
    tag: TAG,
    access: [...SUPERVISOR],
    params: z.strictObject({ code: z.string().regex(ID_RE, 'asset code'), action: z.enum(ASSET_ACTIONS) }),
    body: AssetActionSchema,
    audit: 'facilities.asset.step',
    response: AssetAnswerSchema,
    handler: ({ params, body, user }) => ({ asset: running(d).assets.act(params.code, params.action, body, user!.username) }),
  });
  api.add({
    method: 'get',
    path: '/api/facilities/tag-sheets/assets',
    summary: 'Printable PDF of asset tags (A4, 10 a page)',
    tag: TAG,
    access: [...SUPERVISOR],
    query: z.strictObject({ building: z.string().optional(), category: z.string().optional() }),
    response: rawBody('application/pdf'),
    handler: async ({ query, res }) => {
      const s = running(d);
      const list = s.assets.list({ ...query, limit: 50_000 }).filter((a) => a.state !== 'disposed');
      const pdf = await (await tagSheets()).tagSheetPdf(
        list.map((a) => ({ id: a.code, title: a.name, subtitle: [a.building, a.room, a.model].filter(Boolean).join(' · '), payload: s.assets.tag(a.code) })),
        '资产标签 / Asset tags',
      );
      res.type('application/pdf').send(pdf);
      return undefined;
    },
  });
  api.add({
    method: 'get',
    path: '/api/facilities/rooms/:id/tag',
    summary: 'The signed QR payload of a room’s tag (scanned first in a stock-take)',
    tag: TAG,
    access: [...SUPERVISOR],
    params: IdParam,
    response: RoomTagAnswerSchema,
    handler: ({ params }) => ({ room: params.id, tag: running(d).tags.sign('rm', params.id) }),
  });

  // ---- stock-take ----
  api.add({
    method: 'post',
    owner: 'edge',
    path: '/api/facilities/stocktakes',
    summary: 'Start a stock-take of a scope (building, category): it expects the assets in it now',
    tag: TAG,
    access: [...SUPERVISOR],
    body: StocktakeInputSchema,
    audit: 'facilities.stocktake.start',
    status: 201,
    response: StocktakeAnswerSchema,
    handler: ({ body, user }) => ({ stocktake: running(d).stocktakes.create(body, user!.username) }),
  });
  api.add({
    method: 'post',
    owner: 'edge',
    path: '/api/facilities/stocktakes/:id/scans',
    summary: 'Scan an asset in a room: found, moved, not registered or out of scope; a second scan counts once',
    tag: TAG,
    access: [...STAFF],
    params: NumId,
    body: StocktakeScanSchema,
    response: StocktakeScanAnswerSchema,
    handler: ({ params, body, user }) => running(d).stocktakes.scan(params.id, body, user!.username),
  });
  api.add({
    method: 'get',
    path: '/api/facilities/stocktakes/:id',
    summary: 'A stock-take’s report so far (live) or final',
    tag: TAG,
    access: [...STAFF],
    params: NumId,
    response: StocktakeReportAnswerSchema,
    handler: ({ params }) => running(d).stocktakes.report(params.id),
  });
  api.add({
    method: 'post',
    owner: 'edge',
    path: '/api/facilities/stocktakes/:id/close',
    summary: 'Close a stock-take: the final report; found assets are marked audited',
    tag: TAG,
    access: [...SUPERVISOR],
    params: NumId,
    audit: 'facilities.stocktake.close',
    response: StocktakeReportAnswerSchema,
    handler: ({ params }) => running(d).stocktakes.close(params.id),
  });

  // ---- the store (consumables) ----
  api.add({
    method: 'get',
    path: '/api/facilities/stock',
    summary: 'Store items with stock levels (low = below the minimum)',
    tag: TAG,
    access: [...STAFF],
    response: StockItemsAnswerSchema,
    handler: () => ({ items: running(d).stores.list() }),
  });
  api.add({
    method: 'put',
    owner: 'edge',
    path: '/api/facilities/stock/:id',
    summary: 'Create or change a store item (name, unit, minimum stock)',
    tag: TAG,
    access: [...SUPERVISOR],
    params: IdParam,
    body: StockItemInputSchema,
    audit: 'facilities.stock.put',
    response: StockItemAnswerSchema,
    handler: ({ params, body }) => ({ item: running(d).stores.put(params.id, body) }),
  });
  api.add({
    method: 'get',
    path: '/api/facilities/stock/:id/moves',
    summary: 'Receipts and issues of a store item (who, when, which order)',
    tag: TAG,
    access: [...SUPERVISOR],
    params: IdParam,
    response: StockMovesAnswerSchema,
    handler: ({ params }) => {
      const s = running(d).stores;
      return { item: s.get(params.id), moves: s.moves(params.id) };
    },
  });
  for (const kind of ['receipt', 'issue'] as const) {
    api.add({
      method: 'post',
      owner: 'edge',
      path: `/api/facilities/stock/:id/${kind}s`,
      summary: kind === 'receipt' ? 'Goods received into the store' : 'Goods issued from the store (refused when short)',
      tag: TAG,
      access: [...SUPERVISOR],
      params: IdParam,
      body: StockMoveSchema,
      audit: `facilities.stock.${kind}`,
      response: StockItemAnswerSchema,
      handler: ({ params, body, user }) => ({ item: running(d).stores.move(params.id, kind, body.qty, user!.username, body.orderId ?? null, body.note ?? null) }),
    });
  }
}

/** The room must be named by an item of the checkpoint's checklist: a round switches only what its checklist asks for. */
function checklistRoom(s: FacilitiesServices, checkpointId: string, room: string): void {
  const cp = s.inspections.checkpoint(checkpointId);
  if (!cp || !cp.checklist.some((i) => i.room === room)) throw new ApiError(403, 'facilities.room_not_in_checklist', { room, checkpointId });
}

async function ask<T>(d: FacilitiesDomain, room: string, question: () => Promise<T | null>): Promise<T> {
  let answer: T | null;
  try {
    answer = await question();
  } catch (err) {
    if (err instanceof NoAnswerError) throw new ApiError(503, 'facilities.energy_unavailable', { room });
    throw err;
  }
  if (answer === null) throw new ApiError(404, 'facilities.energy_unknown_room', { room });
  return answer;
}

function roomPower(d: FacilitiesDomain, room: string) {
  return ask(d, room, () => d.bus.request('energy.room.power', { room }));
}
