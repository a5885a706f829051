import { z } from 'zod';
import { ID_RE } from '@campus/protocol';
import { PRIORITIES } from '@campus/protocol/facilities/basics';
import { RotaEntrySchema } from '@campus/protocol/facilities/api';

const id = z.string().regex(ID_RE, 'letters, digits, - _ . (max 64)');
const minutes = z.number().int().positive().max(60 * 24 * 60);

const SlaSchema = z.strictObject({
  respondMinutes: minutes.describe('From submission to a worker accepting it.'),
  fixMinutes: minutes.describe('From submission to the work being done.'),
});

const SLA_DEFAULTS = {
  urgent: { respondMinutes: 30, fixMinutes: 240 },
  high: { respondMinutes: 60, fixMinutes: 480 },
  normal: { respondMinutes: 240, fixMinutes: 2880 },
  low: { respondMinutes: 1440, fixMinutes: 10080 },
} as const;

export type { RotaEntry } from '@campus/protocol/facilities/api';

const DepreciationSchema = z.strictObject({
  years: z.number().positive().max(100).describe('Useful life in years.'),
  residualPercent: z.number().min(0).max(100).default(5).describe('Residual value as a percentage of the price.'),
});

export const FacilitiesConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(false).describe('Run the facilities domain (inspection rounds, work orders).'),
    supervisors: z
      .array(z.string().min(1).max(64))
      .max(20)
      .default([])
      .describe('Usernames told about escalations, red items and missed rounds (they need the facility role to act).'),
    sla: z
      .strictObject({
        urgent: SlaSchema.default(SLA_DEFAULTS.urgent),
        high: SlaSchema.default(SLA_DEFAULTS.high),
        normal: SlaSchema.default(SLA_DEFAULTS.normal),
        low: SlaSchema.default(SLA_DEFAULTS.low),
      })
      .prefault({})
      .describe(`Response and repair targets per priority (${PRIORITIES.join(', ')}); a breach escalates to the supervisors.`),
    rota: z
      .array(RotaEntrySchema)
      .max(500)
      .default([])
      .describe('Who is on duty for which category and building; the most specific entry on duty gets the order.'),
    lateGraceMinutes: z.number().int().min(0).max(240).default(15).describe('After a round window ends, scans still count (as late) for this long; then the run closes and alerts are raised.'),
    photoMaxKb: z.number().int().min(64).max(8192).default(1024).describe('Largest photo accepted (phones resize before upload).'),
    photoBudgetMb: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .default(4096)
      .describe('Flash space for inspection and work-order photos (MB); an upload past it is refused (507) until photos are removed. 10,000 resized photos take about 2–3 GB.'),
    depreciation: z
      .record(id, DepreciationSchema)
      .default({})
      .describe('Straight-line depreciation per asset category (others use depreciationDefault).'),
    depreciationDefault: DepreciationSchema.default({ years: 5, residualPercent: 5 }).describe('Depreciation of categories not listed.'),
    alarmOrders: z
      .strictObject({
        enabled: z.boolean().default(true).describe('Energy and electrical-safety alarms open a work order (once per fault).'),
        category: id.default('electrical').describe('Category of the orders they open.'),
        ignoreRules: z.array(z.string().max(64)).default(['after_hours_power']).describe('Alarm rules that open no order.'),
      })
      .prefault({})
      .describe('Orders opened by alarms.'),
  })
  .prefault({})
  .describe('Facilities (后勤): inspection rounds with QR checkpoints, work orders with auto-dispatch, SLA and KPIs.');

export type FacilitiesConfig = z.infer<typeof FacilitiesConfigSchema>;
