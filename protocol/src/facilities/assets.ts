import { z } from 'zod';
import { defineMessages } from '../i18n/index.js';
import { ID_RE } from '../topics.js';

/**
 * Assets (资产) and stock-take (盘点): the register, its lifecycle with history, straight-
 * line depreciation, and stock-take sessions scanned from phones.
 */
const id = z.string().regex(ID_RE, 'letters, digits, - _ . (max 64)');
export const DATE_RE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const date = z
  .string()
  .regex(DATE_RE, 'date "YYYY-MM-DD"')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'not a calendar date');
const opt = (max: number) => z.string().trim().max(max).optional();

export const ASSET_STATES = ['in_stock', 'issued', 'under_repair', 'disposed'] as const;
export type AssetState = (typeof ASSET_STATES)[number];

export const AssetInputSchema = z.strictObject({
  code: id.describe('The asset code printed on its tag.'),
  name: z.string().trim().min(1).max(80),
  category: id,
  model: opt(80),
  serial: opt(80),
  supplier: opt(80),
  purchaseDate: date.optional(),
  /** Price in yuan. */
  price: z.number().nonnegative().max(1e9).optional(),
  warrantyEnd: date.optional(),
  building: id.optional(),
  room: id.optional(),
  custodian: opt(64),
});
export type AssetInput = z.input<typeof AssetInputSchema>;

export const ASSET_ACTIONS = ['issue', 'transfer', 'repair', 'repaired', 'dispose'] as const;
export type AssetAction = (typeof ASSET_ACTIONS)[number];
export const AssetActionSchema = z.strictObject({
  building: id.optional(),
  room: id.optional(),
  custodian: opt(64),
  /** The work order of a repair. */
  orderId: z.number().int().positive().optional(),
  /** Disposal needs the approver's name and a reason. */
  approvedBy: opt(64),
  note: opt(500),
});

export const StocktakeInputSchema = z.strictObject({
  name: z.string().trim().min(1).max(80),
  building: id.optional(),
  category: id.optional(),
});

export const StocktakeScanSchema = z.strictObject({
  /** The room's tag scanned first (kind rm), or the room id typed in. */
  room: z.string().min(1).max(200),
  /** The asset's tag (kind as). */
  tag: z.string().min(1).max(200),
});

export const SCAN_OUTCOMES = ['found', 'moved', 'not_registered', 'out_of_scope'] as const;
export type ScanOutcome = (typeof SCAN_OUTCOMES)[number];

// ---- answers of the asset and stock-take routes ----

export const AssetViewSchema = AssetInputSchema.extend({
  state: z.enum(ASSET_STATES),
  createdAt: z.number(),
  updatedAt: z.number(),
  auditedAt: z.number().nullable(),
});
export type AssetView = z.infer<typeof AssetViewSchema>;
export const AssetHistoryEntrySchema = z.object({
  seq: z.number().int(),
  at: z.number(),
  actor: z.string(),
  action: z.string(),
  from: z.enum(ASSET_STATES).nullable(),
  to: z.enum(ASSET_STATES),
  data: z.record(z.string(), z.unknown()),
});
export type AssetHistoryEntry = z.infer<typeof AssetHistoryEntrySchema>;
export const AssetsAnswerSchema = z.object({ assets: z.array(AssetViewSchema) });
export const AssetAnswerSchema = z.object({ asset: AssetViewSchema });
export const AssetRegisteredAnswerSchema = z.object({ asset: AssetViewSchema, tag: z.string() });
export const AssetImportAnswerSchema = z.object({ imported: z.number().int() });
export const AssetDetailAnswerSchema = z.object({
  asset: AssetViewSchema,
  history: z.array(AssetHistoryEntrySchema),
  /** Straight-line book value today (null without price and purchase date). */
  bookValue: z.number().nullable(),
  underWarranty: z.boolean().nullable(),
  orders: z.array(z.object({ id: z.number().int(), state: z.string(), description: z.string(), createdAt: z.number() })),
  tag: z.string(),
});

export const StocktakeViewSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  building: z.string().nullable(),
  category: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.number(),
  closedAt: z.number().nullable(),
  expected: z.number().int(),
});
export const StocktakeAnswerSchema = z.object({ stocktake: StocktakeViewSchema });
export const StocktakeScanAnswerSchema = z.object({ code: z.string(), outcome: z.enum(SCAN_OUTCOMES), duplicate: z.boolean(), registeredRoom: z.string().nullable() });
const codeRoom = z.object({ code: z.string(), room: z.string() });
export const StocktakeReportAnswerSchema = z.object({
  stocktake: StocktakeViewSchema,
  counts: z.object({
    expected: z.number().int(),
    scanned: z.number().int(),
    found: z.number().int(),
    moved: z.number().int(),
    missing: z.number().int(),
    notRegistered: z.number().int(),
    outOfScope: z.number().int(),
  }),
  moved: z.array(codeRoom.extend({ registeredRoom: z.string().nullable() })),
  missing: z.array(z.object({ code: z.string(), room: z.string().nullable() })),
  notRegistered: z.array(codeRoom),
  outOfScope: z.array(codeRoom),
  neverAudited: z.array(z.string()),
});

export const assetMessages = defineMessages({
  'error.facilities.unknown_asset': { 'zh-CN': '资产 {code} 不存在', en: 'Asset {code} does not exist' },
  'error.facilities.asset_exists': { 'zh-CN': '资产编号 {code} 已存在', en: 'Asset code {code} already exists' },
  'error.facilities.asset_bad_transition': {
    'zh-CN': '资产当前状态为“{stateZh}”，不能执行“{actionZh}”',
    en: 'The asset is "{stateEn}"; "{actionEn}" is not possible now',
  },
  'error.facilities.asset_needs': { 'zh-CN': '“{actionZh}”需要填写：{fields}', en: '"{actionEn}" needs: {fields}' },
  'error.facilities.import_rejected': {
    'zh-CN': '资产台账有 {count} 行错误，全部未导入（见逐行报告）',
    en: 'The asset sheet has {count} bad rows; nothing was imported (see the row report)',
  },
  'error.facilities.import_not_sheet': { 'zh-CN': '请上传 .xlsx 资产台账：{detail}', en: 'Upload the asset ledger as .xlsx: {detail}' },
  'error.facilities.import_missing_columns': { 'zh-CN': '资产台账缺少列：{columns}', en: 'The asset sheet lacks columns: {columns}' },
  'error.facilities.unknown_stocktake': { 'zh-CN': '盘点 {id} 不存在', en: 'Stock-take {id} does not exist' },
  'error.facilities.stocktake_closed': { 'zh-CN': '盘点 {id} 已结束', en: 'Stock-take {id} is closed' },
});

export const ASSET_STATE_NAMES = {
  in_stock: { 'zh-CN': '在库', en: 'in stock' },
  issued: { 'zh-CN': '已领用', en: 'issued' },
  under_repair: { 'zh-CN': '维修中', en: 'under repair' },
  disposed: { 'zh-CN': '已报废', en: 'disposed' },
} as const;

export const ASSET_ACTION_NAMES = {
  issue: { 'zh-CN': '领用', en: 'issue' },
  transfer: { 'zh-CN': '调拨', en: 'transfer' },
  repair: { 'zh-CN': '送修', en: 'send to repair' },
  repaired: { 'zh-CN': '修复', en: 'back from repair' },
  dispose: { 'zh-CN': '报废', en: 'dispose' },
} as const;
