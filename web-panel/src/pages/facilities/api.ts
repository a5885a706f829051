import * as z from 'zod/mini';
import type { z as zod } from 'zod';
import type {
  InspectAnswerSchema,
  KpiAnswerSchema,
  OrderCreatedAnswerSchema,
  OrderDetailAnswerSchema,
  OrderStepAnswerSchema,
  OrdersAnswerSchema,
  PhotoAnswerSchema,
  ResolveTagAnswerSchema,
  RunsAnswerSchema,
  CheckpointsAnswerSchema,
  RoomPowerAnswerSchema,
  RoomSwitchOffAnswerSchema,
  RoundsAnswerSchema,
  RoundPutAnswerSchema,
  CheckpointPutAnswerSchema,
  RunAnswerSchema,
  StockItemsAnswerSchema,
  StockItemAnswerSchema,
  StockMovesAnswerSchema,
  CheckpointInput,
  RoundInput,
  RotaAnswerSchema,
  RotaEntryInput,
  KpiGroup,
  Answer,
  NewOrderInput,
  OrderAction,
} from '@campus/protocol/facilities/api';
import type { AssetImportAnswerSchema, AssetAnswerSchema, AssetDetailAnswerSchema, AssetsAnswerSchema, StocktakeAnswerSchema, StocktakeReportAnswerSchema, StocktakeScanAnswerSchema } from '@campus/protocol/facilities/assets';
import type { EdgeApi } from '../../api/client';

/**
 * The /api/facilities routes the phone screens and desk pages use (docs/facilities-api.md),
 * one function each. Answers are typed by protocol's response schemas; here each is checked
 * for the fields the pages read first (zod/mini keeps the page chunks small).
 */
export type Runs = zod.infer<typeof RunsAnswerSchema>;
export type Run = Runs['runs'][number];
export type Inspection = Run['inspections'][number];
export type Resolved = zod.infer<typeof ResolveTagAnswerSchema>;
export type InspectAnswer = zod.infer<typeof InspectAnswerSchema>;
export type Photo = zod.infer<typeof PhotoAnswerSchema>['photo'];
export type OrdersAnswer = zod.infer<typeof OrdersAnswerSchema>;
export type Order = OrdersAnswer['orders'][number];
export type OrderDetail = zod.infer<typeof OrderDetailAnswerSchema>;
export type OrderCreated = zod.infer<typeof OrderCreatedAnswerSchema>;
export type OrderStep = zod.infer<typeof OrderStepAnswerSchema>;
export type Kpi = zod.infer<typeof KpiAnswerSchema>;
export type Checkpoints = zod.infer<typeof CheckpointsAnswerSchema>;
export type RoomPower = zod.infer<typeof RoomPowerAnswerSchema>;
export type RoomSwitchOff = zod.infer<typeof RoomSwitchOffAnswerSchema>;
export type Assets = zod.infer<typeof AssetsAnswerSchema>;
export type AssetDetail = zod.infer<typeof AssetDetailAnswerSchema>;
export type AssetAnswer = zod.infer<typeof AssetAnswerSchema>;
export type Stocktake = zod.infer<typeof StocktakeAnswerSchema>['stocktake'];
export type StocktakeScan = zod.infer<typeof StocktakeScanAnswerSchema>;
export type StocktakeReport = zod.infer<typeof StocktakeReportAnswerSchema>;
export type Rounds = zod.infer<typeof RoundsAnswerSchema>;
export type Round = Rounds['rounds'][number];
export type Checkpoint = Checkpoints['checkpoints'][number];
export type CheckpointPut = zod.infer<typeof CheckpointPutAnswerSchema>;
export type RoundPut = zod.infer<typeof RoundPutAnswerSchema>;
export type StockItems = zod.infer<typeof StockItemsAnswerSchema>;
export type StockItem = StockItems['items'][number];
export type StockMoves = zod.infer<typeof StockMovesAnswerSchema>;
export type AssetImport = zod.infer<typeof AssetImportAnswerSchema>;
export type Rota = zod.infer<typeof RotaAnswerSchema>;

/** An object answer that has `keys`, each an array when listed in `arrays`. */
function answer<T>(keys: readonly string[], arrays: readonly string[] = []): z.ZodMiniType<T> {
  return z.custom<T>((v) => {
    if (typeof v !== 'object' || v === null) return false;
    const o = v as Record<string, unknown>;
    return keys.every((k) => k in o) && arrays.every((k) => Array.isArray(o[k]));
  });
}

const runsSchema = answer<Runs>(['runs'], ['runs']);
const resolvedSchema = answer<Resolved>(['checkpoint', 'runs'], ['runs']);
const inspectSchema = answer<InspectAnswer>(['inspection', 'result', 'orders'], ['orders']);
const photoSchema = answer<{ photo: Photo }>(['photo']);
const ordersSchema = answer<OrdersAnswer>(['orders'], ['orders']);
const orderDetailSchema = answer<OrderDetail>(['order']);
const orderCreatedSchema = answer<OrderCreated>(['order']);
const orderStepSchema = answer<OrderStep>(['order']);
const kpiSchema = answer<Kpi>(['by', 'rows'], ['rows']);
const checkpointsSchema = answer<Checkpoints>(['checkpoints'], ['checkpoints']);
const assetsSchema = answer<Assets>(['assets'], ['assets']);
const assetDetailSchema = answer<AssetDetail>(['asset', 'history'], ['history']);
const assetSchema = answer<AssetAnswer>(['asset']);
const stocktakeSchema = answer<{ stocktake: Stocktake }>(['stocktake']);
const stocktakeScanSchema = answer<StocktakeScan>(['code', 'outcome']);
const roomPowerSchema = answer<RoomPower>(['room', 'circuits', 'allOff'], ['circuits']);
const roomSwitchOffSchema = answer<RoomSwitchOff>(['results', 'power'], ['results']);
const stocktakeReportSchema = answer<StocktakeReport>(['stocktake', 'counts']);
const roundsSchema = answer<Rounds>(['rounds'], ['rounds']);
const roundPutSchema = answer<RoundPut>(['round']);
const checkpointPutSchema = answer<CheckpointPut>(['checkpoint', 'tag']);
const runSchema = answer<zod.infer<typeof RunAnswerSchema>>(['run']);
const stockItemsSchema = answer<StockItems>(['items'], ['items']);
const stockItemSchema = answer<zod.infer<typeof StockItemAnswerSchema>>(['item']);
const stockMovesSchema = answer<StockMoves>(['item', 'moves'], ['moves']);
const assetImportSchema = answer<AssetImport>(['imported']);
const rotaSchema = answer<Rota>(['entries', 'source'], ['entries']);

const q = encodeURIComponent;

export const facilitiesApi = {
  openRuns: (api: EdgeApi) => api.get('/api/facilities/runs?state=open', runsSchema),
  recentRuns: (api: EdgeApi) => api.get('/api/facilities/runs?state=all&limit=20', runsSchema),
  checkpoints: (api: EdgeApi) => api.get('/api/facilities/checkpoints', checkpointsSchema),
  resolve: (api: EdgeApi, tag: string) => api.get(`/api/facilities/tags/resolve?tag=${q(tag)}`, resolvedSchema),
  inspect: (api: EdgeApi, body: { tag: string; runId?: number; answers: Answer[] }) => api.post('/api/facilities/inspections', inspectSchema, body),
  roomPower: (api: EdgeApi, room: string, checkpointId: string) => api.get(`/api/facilities/rooms/${q(room)}/power?checkpointId=${q(checkpointId)}`, roomPowerSchema),
  roomSwitchOff: (api: EdgeApi, room: string, checkpointId: string) => api.post(`/api/facilities/rooms/${q(room)}/switch-off`, roomSwitchOffSchema, { checkpointId }),
  uploadPhoto: async (api: EdgeApi, blob: Blob) => (await api.postRaw('/api/facilities/photos', photoSchema, blob, blob.type || 'application/octet-stream')).photo,
  orders: (api: EdgeApi, query: string) => api.get(`/api/facilities/orders${query}`, ordersSchema),
  order: (api: EdgeApi, id: number) => api.get(`/api/facilities/orders/${id}`, orderDetailSchema),
  newOrder: (api: EdgeApi, body: NewOrderInput) => api.post('/api/facilities/orders', orderCreatedSchema, body),
  act: (api: EdgeApi, id: number, action: OrderAction, body: Record<string, unknown>) => api.post(`/api/facilities/orders/${id}/${action}`, orderStepSchema, body),
  kpi: (api: EdgeApi, by: KpiGroup) => api.get(`/api/facilities/kpi?by=${by}`, kpiSchema),
  assets: (api: EdgeApi) => api.get('/api/facilities/assets?limit=500', assetsSchema),
  asset: (api: EdgeApi, code: string) => api.get(`/api/facilities/assets/${q(code)}`, assetDetailSchema),
  assetAction: (api: EdgeApi, code: string, action: string, body: Record<string, unknown>) => api.post(`/api/facilities/assets/${q(code)}/${action}`, assetSchema, body),
  newStocktake: (api: EdgeApi, body: { name: string; building?: string }) => api.post('/api/facilities/stocktakes', stocktakeSchema, body),
  stocktakeScan: (api: EdgeApi, id: number, body: { room: string; tag: string }) => api.post(`/api/facilities/stocktakes/${id}/scans`, stocktakeScanSchema, body),
  stocktakeReport: (api: EdgeApi, id: number) => api.get(`/api/facilities/stocktakes/${id}`, stocktakeReportSchema),
  closeStocktake: (api: EdgeApi, id: number) => api.post(`/api/facilities/stocktakes/${id}/close`, stocktakeReportSchema),
  rota: (api: EdgeApi) => api.get('/api/facilities/rota', rotaSchema),
  putRota: (api: EdgeApi, entries: RotaEntryInput[]) => api.put('/api/facilities/rota', rotaSchema, { entries }),
  rounds: (api: EdgeApi) => api.get('/api/facilities/rounds', roundsSchema),
  putRound: (api: EdgeApi, id: string, body: RoundInput) => api.put(`/api/facilities/rounds/${q(id)}`, roundPutSchema, body),
  extraRun: (api: EdgeApi, id: string, body: { minutes: number; reason?: string }) => api.post(`/api/facilities/rounds/${q(id)}/extra`, runSchema, body),
  putCheckpoint: (api: EdgeApi, id: string, body: CheckpointInput) => api.put(`/api/facilities/checkpoints/${q(id)}`, checkpointPutSchema, body),
  importAssets: (api: EdgeApi, file: Blob) =>
    api.postRaw('/api/facilities/assets/import', assetImportSchema, file, file.type || 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'),
  stock: (api: EdgeApi) => api.get('/api/facilities/stock', stockItemsSchema),
  putStock: (api: EdgeApi, id: string, body: { name: string; unit?: string; minQty?: number }) => api.put(`/api/facilities/stock/${q(id)}`, stockItemSchema, body),
  stockMoves: (api: EdgeApi, id: string) => api.get(`/api/facilities/stock/${q(id)}/moves`, stockMovesSchema),
  stockMove: (api: EdgeApi, id: string, kind: 'receipt' | 'issue', body: { qty: number; orderId?: number; note?: string }) => api.post(`/api/facilities/stock/${q(id)}/${kind}s`, stockItemSchema, body),
};

/** The parts of a printed tag `CT1:<site>:<kind>:<id>:<sig>` (the edge checks the signature). */
export function parseTag(text: string): { kind: string; id: string } | null {
  const m = /^CT1:[^:]+:(cp|as|rm):([^:]+):[A-Za-z0-9_-]+$/.exec(text.trim());
  return m ? { kind: m[1]!, id: m[2]! } : null;
}
