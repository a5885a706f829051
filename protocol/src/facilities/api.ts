import { z } from 'zod';
import { ID_RE } from '../topics.js';
import { HHMM_RE, PRIORITIES, type OrderPriority } from './basics.js';

export { HHMM_RE, PRIORITIES, type OrderPriority };

/**
 * The facilities API (inspection rounds and work orders): one schema for the edge's
 * routes, the phone screens and the cloud. Ids are the project's usual ids.
 */
const id = z.string().regex(ID_RE, 'letters, digits, - _ . (max 64)');
const text = (max: number) => z.string().trim().min(1).max(max);
const hhmm = z.string().regex(HHMM_RE, 'time of day "HH:MM"');

export const RESULTS = ['green', 'yellow', 'red'] as const;
export type Result = (typeof RESULTS)[number];

export const ORDER_STATES = ['submitted', 'dispatched', 'accepted', 'in_progress', 'done', 'confirmed', 'reopened'] as const;
export type OrderState = (typeof ORDER_STATES)[number];
export const OPEN_ORDER_STATES: readonly OrderState[] = ['submitted', 'dispatched', 'accepted', 'in_progress', 'reopened'];

export const ORDER_ACTIONS = ['dispatch', 'accept', 'start', 'done', 'confirm', 'reopen'] as const;
export type OrderAction = (typeof ORDER_ACTIONS)[number];

/** A reading's limits: outside warn → yellow, outside alarm → red (each side optional). */
export const ThresholdsSchema = z
  .strictObject({
    warnLow: z.number().optional(),
    warnHigh: z.number().optional(),
    alarmLow: z.number().optional(),
    alarmHigh: z.number().optional(),
  })
  .refine((t) => t.alarmLow === undefined || t.warnLow === undefined || t.alarmLow <= t.warnLow, 'alarmLow must not be above warnLow')
  .refine((t) => t.alarmHigh === undefined || t.warnHigh === undefined || t.alarmHigh >= t.warnHigh, 'alarmHigh must not be below warnHigh');

const itemBase = {
  id,
  label: text(80),
  /** Photo: required for every answer, only when the item fails, or never asked. */
  photo: z.enum(['required', 'on_fail', 'optional']).default('optional'),
  /** A red answer opens a work order in this category (default: the checkpoint's). */
  orderCategory: id.optional(),
  orderPriority: z.enum(PRIORITIES).default('normal'),
  /**
   * The energy domain's room this item is about ("lights and AC off after school"): the
   * phone shows the room's live power to pre-fill the answer and can switch its circuits off.
   */
  room: id.optional(),
};

export const ChecklistItemSchema = z.discriminatedUnion('kind', [
  /** Pass / fail; a fail is red (or yellow when `failResult` says so). */
  z.strictObject({ ...itemBase, kind: z.literal('check'), failResult: z.enum(['red', 'yellow']).default('red') }),
  /** A number read on site (temperature, pressure, kWh) judged by thresholds. */
  z.strictObject({ ...itemBase, kind: z.literal('reading'), unit: z.string().max(16).default(''), thresholds: ThresholdsSchema }),
]);
export type ChecklistItem = z.infer<typeof ChecklistItemSchema>;
export type ChecklistItemInput = z.input<typeof ChecklistItemSchema>;

export const CheckpointInputSchema = z.strictObject({
  name: text(64),
  building: id,
  place: text(80).describe('Where the tag hangs (room, corridor, roof …).'),
  /** Work-order category for failed items without their own. */
  category: id.default('general'),
  checklist: z
    .array(ChecklistItemSchema)
    .min(1)
    .max(30)
    .refine((l) => new Set(l.map((i) => i.id)).size === l.length, 'checklist item ids must be unique'),
});
export type CheckpointInput = z.input<typeof CheckpointInputSchema>;
/** A stored checkpoint as the API answers it. */
export const CheckpointViewSchema = CheckpointInputSchema.extend({ id: z.string(), updatedAt: z.number() });
export type Checkpoint = z.infer<typeof CheckpointViewSchema>;

export const WindowSchema = z
  .strictObject({ from: hhmm, until: hhmm })
  .refine((w) => w.from < w.until, 'a window must end after it starts');

export const RoundInputSchema = z.strictObject({
  name: text(64),
  /** Checkpoints in the order they are walked. */
  checkpoints: z
    .array(id)
    .min(1)
    .max(200)
    .refine((l) => new Set(l).size === l.length, 'a checkpoint appears once in a round'),
  /** Which days it runs (the one school calendar); "none" = extra rounds only. */
  days: z.enum(['school', 'all', 'non_school', 'none']).default('school'),
  window: WindowSchema,
  /** "warn": an out-of-order scan is recorded and alerted; "strict": it is refused. */
  order: z.enum(['warn', 'strict']).default('warn'),
});
export type RoundInput = z.input<typeof RoundInputSchema>;

/** One line of the duty rota: who gets the orders of a category and building, when. */
export const RotaEntrySchema = z.strictObject({
  category: z.union([id, z.literal('*')]).describe('Work-order category ("electrical", "plumbing" …) or "*" for any.'),
  building: z.union([id, z.literal('*')]).default('*').describe('Building id or "*" for any.'),
  assignee: z.string().min(1).max(64).describe('Username of the worker or contractor account on duty.'),
  kind: z.enum(['worker', 'contractor']).default('worker').describe('An outside contractor sees only its own orders.'),
  team: z.string().trim().min(1).max(32).optional().describe('Team the assignee counts toward in the KPIs (电工班, 外包水电 …).'),
  days: z.enum(['all', 'school', 'non_school']).default('all').describe('Days of duty (the school calendar).'),
  from: hhmm.default('00:00').describe('Start of the duty, school-local.'),
  until: hhmm.default('24:00').describe('End of the duty, school-local.'),
});
export type RotaEntry = z.infer<typeof RotaEntrySchema>;
export type RotaEntryInput = z.input<typeof RotaEntrySchema>;
/** The rota as the desk saves it: it replaces the config file's rota from then on. */
export const RotaInputSchema = z.strictObject({ entries: z.array(RotaEntrySchema).max(500) });
export const RotaAnswerSchema = z.object({
  entries: z.array(RotaEntrySchema),
  /** "config": the config file's rota (never edited at the desk); "desk": saved by a supervisor. */
  source: z.enum(['config', 'desk']),
  updatedAt: z.number().nullable(),
  updatedBy: z.string().nullable(),
});

/** An extra round now (a weather warning): it runs from now for `minutes`. */
export const ExtraRunSchema = z.strictObject({ minutes: z.number().int().min(5).max(24 * 60).default(60), reason: text(200).optional() });

export const AnswerSchema = z.strictObject({
  item: id,
  /** For check items. */
  pass: z.boolean().optional(),
  /** For reading items. */
  value: z.number().finite().optional(),
  photo: z.string().uuid().optional(),
  note: z.string().trim().max(500).optional(),
});
export type Answer = z.infer<typeof AnswerSchema>;

/** What the phone sends after scanning a tag and answering its checklist. */
export const InspectionSchema = z.strictObject({
  tag: z.string().min(1).max(200),
  /** The round run, when the checkpoint is in several open rounds. */
  runId: z.number().int().positive().optional(),
  answers: z.array(AnswerSchema).min(1).max(30),
});
export type InspectionInput = z.infer<typeof InspectionSchema>;

export const ResolveTagSchema = z.strictObject({ tag: z.string().min(1).max(200) });

export const PartSchema = z.strictObject({
  item: text(64),
  qty: z.number().positive().max(10_000),
  unit: z.string().max(8).default('个'),
  /** The store item it was taken from (its stock goes down with the order's step). */
  stockItem: id.optional(),
});

/** A consumable kept in the store (灯管, 水龙头 …). */
export const StockItemInputSchema = z.strictObject({
  name: text(64),
  unit: z.string().trim().min(1).max(8).default('个'),
  minQty: z.number().min(0).max(1e6).default(0).describe('Below this a minimum-stock alert is raised.'),
});
export const StockMoveSchema = z.strictObject({
  qty: z.number().positive().max(1e6),
  orderId: z.number().int().positive().optional(),
  note: z.string().trim().max(200).optional(),
});

export const NewOrderSchema = z.strictObject({
  category: id,
  building: id,
  place: text(80),
  description: text(1000),
  priority: z.enum(PRIORITIES).default('normal'),
  photos: z.array(z.string().uuid()).max(6).default([]),
  /** The scanned tag of the broken asset, if it has one (its warranty is shown on the order). */
  assetTag: z.string().min(1).max(200).optional(),
});
export type NewOrderInput = z.input<typeof NewOrderSchema>;

/** Every state change names the version the user saw: a stale one gets 409 with what changed. */
const v = { version: z.number().int().positive(), note: z.string().trim().max(500).optional() };
export const OrderActionBodies = {
  dispatch: z.strictObject({ ...v, assignee: z.string().min(1).max(64) }),
  accept: z.strictObject(v),
  start: z.strictObject(v),
  done: z.strictObject({ ...v, parts: z.array(PartSchema).max(50).default([]), photo: z.string().uuid().optional() }),
  confirm: z.strictObject({ ...v, rating: z.number().int().min(1).max(5) }),
  reopen: z.strictObject({ ...v, note: text(500) }),
} as const;

export const KPI_GROUPS = ['worker', 'team', 'category', 'building'] as const;
export type KpiGroup = (typeof KPI_GROUPS)[number];
export const KpiQuerySchema = z.strictObject({
  by: z.enum(KPI_GROUPS).default('worker'),
  from: z.coerce.number().int().nonnegative().optional(),
  to: z.coerce.number().int().positive().optional(),
});

export const OrderStepSchema = z.object({
  seq: z.number().int(),
  /** The order's version after the step (a note leaves it unchanged). */
  version: z.number().int(),
  at: z.number(),
  actor: z.string(),
  action: z.string(),
  from: z.enum(ORDER_STATES).nullable(),
  to: z.enum(ORDER_STATES),
  note: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
});
export type OrderStep = z.infer<typeof OrderStepSchema>;

export const WorkOrderViewSchema = z.object({
  id: z.number().int(),
  version: z.number().int(),
  state: z.enum(ORDER_STATES),
  priority: z.enum(PRIORITIES),
  category: z.string(),
  building: z.string(),
  place: z.string(),
  description: z.string(),
  photos: z.array(z.string()),
  source: z.enum(['staff', 'inspection', 'alarm']),
  sourceRef: z.string().nullable(),
  /** The asset's code when the order is about a registered asset. */
  asset: z.string().nullable(),
  requester: z.string(),
  assignee: z.string().nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
  respondDue: z.number(),
  fixDue: z.number(),
  acceptedAt: z.number().nullable(),
  doneAt: z.number().nullable(),
  confirmedAt: z.number().nullable(),
  respondBreached: z.boolean(),
  fixBreached: z.boolean(),
  rating: z.number().nullable(),
  reopenCount: z.number().int(),
  parts: z.array(PartSchema),
  steps: z.array(OrderStepSchema).optional(),
});
export type WorkOrder = z.infer<typeof WorkOrderViewSchema>;

export const KpiRowSchema = z.object({
  key: z.string(),
  orders: z.number().int(),
  backlog: z.number().int(),
  avgResponseMin: z.number().nullable(),
  avgRepairMin: z.number().nullable(),
  slaMet: z.number().int(),
  slaMissed: z.number().int(),
  reopenRate: z.number().nullable(),
  avgRating: z.number().nullable(),
  ratings: z.number().int(),
});
export type KpiRow = z.infer<typeof KpiRowSchema>;

// ---- answers of the facilities routes ----

export const RoundViewSchema = RoundInputSchema.extend({ id: z.string(), updatedAt: z.number() });
export type RoundView = z.infer<typeof RoundViewSchema>;

export const RunSummarySchema = z.object({
  total: z.number().int(),
  done: z.number().int(),
  missed: z.array(z.string()),
  late: z.array(z.string()),
  outOfOrder: z.array(z.string()),
  red: z.number().int(),
  yellow: z.number().int(),
});
export const RunViewSchema = z.object({
  id: z.number().int(),
  roundId: z.string(),
  roundName: z.string(),
  kind: z.enum(['scheduled', 'extra']),
  day: z.string(),
  opensAt: z.number(),
  dueAt: z.number(),
  closesAt: z.number(),
  checkpoints: z.array(z.string()),
  closedAt: z.number().nullable(),
  summary: RunSummarySchema.nullable(),
});
export const InspectionViewSchema = z.object({
  id: z.number().int(),
  runId: z.number().int(),
  checkpointId: z.string(),
  position: z.number().int(),
  at: z.number(),
  inspector: z.string(),
  result: z.enum(RESULTS),
  late: z.boolean(),
  outOfOrder: z.boolean(),
  answers: z.array(AnswerSchema.extend({ result: z.enum(RESULTS) })),
});

export const CheckpointsAnswerSchema = z.object({ checkpoints: z.array(CheckpointViewSchema) });
export const CheckpointPutAnswerSchema = z.object({ checkpoint: CheckpointViewSchema, tag: z.string(), created: z.boolean() });
export const CheckpointTagAnswerSchema = z.object({ checkpointId: z.string(), name: z.string(), place: z.string(), tag: z.string() });
export const RoundsAnswerSchema = z.object({ rounds: z.array(RoundViewSchema) });
export const RoundPutAnswerSchema = z.object({ round: RoundViewSchema, created: z.boolean() });
export const RunAnswerSchema = z.object({ run: RunViewSchema });
export const RunsAnswerSchema = z.object({ runs: z.array(RunViewSchema.extend({ inspections: z.array(InspectionViewSchema) })) });
export const RunDetailAnswerSchema = z.object({ run: RunViewSchema, inspections: z.array(InspectionViewSchema) });
export const ResolveTagAnswerSchema = z.object({
  checkpoint: CheckpointViewSchema,
  runs: z.array(RunViewSchema.extend({ next: z.string().nullable(), scanned: z.array(z.string()) })),
});
export const InspectAnswerSchema = z.object({
  inspection: InspectionViewSchema,
  run: z.object({ id: z.number().int(), roundId: z.string(), roundName: z.string() }),
  result: z.enum(RESULTS),
  late: z.boolean(),
  outOfOrder: z.boolean(),
  /** The checkpoint due next when this one was scanned out of order. */
  expected: z.string().nullable(),
  /** Work orders opened (or found open) for red items. */
  orders: z.array(z.number().int()),
});
export const PhotoAnswerSchema = z.object({
  photo: z.object({ id: z.string(), type: z.enum(['image/jpeg', 'image/png']), bytes: z.number().int(), width: z.number().int(), height: z.number().int() }),
});
const orderAsset = { code: z.string(), name: z.string(), warrantyEnd: z.string().nullable(), underWarranty: z.boolean().nullable() };
export const OrderCreatedAnswerSchema = z.object({ order: WorkOrderViewSchema, asset: z.object(orderAsset).nullable() });
export const OrdersAnswerSchema = z.object({ orders: z.array(WorkOrderViewSchema) });
const WorkOrderWithStepsSchema = WorkOrderViewSchema.extend({ steps: z.array(OrderStepSchema) });
export const OrderDetailAnswerSchema = z.object({ order: WorkOrderWithStepsSchema, asset: z.object({ ...orderAsset, model: z.string().nullable() }).nullable() });
export const OrderStepAnswerSchema = z.object({ order: WorkOrderWithStepsSchema });
export const KpiAnswerSchema = z.object({ by: z.enum(KPI_GROUPS), rows: z.array(KpiRowSchema) });
export const RoomTagAnswerSchema = z.object({ room: z.string(), tag: z.string() });

export const StockItemViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  unit: z.string(),
  minQty: z.number(),
  qty: z.number(),
  low: z.boolean(),
  updatedAt: z.number(),
});
export type StockItem = z.infer<typeof StockItemViewSchema>;
export const StockMoveViewSchema = z.object({
  id: z.number().int(),
  delta: z.number(),
  kind: z.enum(['receipt', 'issue']),
  orderId: z.number().int().nullable(),
  actor: z.string(),
  at: z.number(),
  note: z.string().nullable(),
});
export type StockMoveView = z.infer<typeof StockMoveViewSchema>;
export const StockItemsAnswerSchema = z.object({ items: z.array(StockItemViewSchema) });
export const StockItemAnswerSchema = z.object({ item: StockItemViewSchema });
export const StockMovesAnswerSchema = z.object({ item: StockItemViewSchema, moves: z.array(StockMoveViewSchema) });

/** A room's live power and circuits, for a checklist item that names the room. */
export const RoomPowerAnswerSchema = z.object({
  room: z.string(),
  name: z.string(),
  building: z.string(),
  watts: z.number().nullable(),
  circuits: z.array(z.object({ id: z.string(), name: z.string(), kind: z.string(), on: z.boolean().nullable() })),
  allOff: z.boolean(),
});
export type RoomPowerAnswer = z.infer<typeof RoomPowerAnswerSchema>;
export const RoomSwitchOffSchema = z.strictObject({
  /** The checkpoint whose checklist asked for it (recorded as the reason). */
  checkpointId: id,
});
export const RoomSwitchOffAnswerSchema = z.object({
  results: z.array(z.object({ circuit: z.string(), outcome: z.string(), actual: z.boolean().nullable(), detail: z.string().nullable() })),
  power: RoomPowerAnswerSchema,
});
