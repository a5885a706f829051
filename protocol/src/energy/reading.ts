import { z } from 'zod';
import { ID_RE } from '../topics.js';
import { ReadingQualitySchema } from './quality.js';
import { ENERGY_UNITS } from './units.js';

export const POINT_NAME_RE = /^[a-z][a-z0-9_]{0,63}$/;

/**
 * One decoded value from one meter point. `value` is null whenever `quality` is not
 * `good`; `raw` then says what the meter actually sent ("NaN", "Infinity", "3.4e38")
 * so nobody has to guess. JSON has no NaN, so the raw text is a string.
 */
export const MeterReadingSchema = z.object({
  deviceId: z.string().regex(ID_RE),
  point: z.string().regex(POINT_NAME_RE),
  value: z.number().finite().nullable(),
  unit: z.enum(ENERGY_UNITS),
  quality: ReadingQualitySchema,
  at: z.number().int().nonnegative().describe('ms since epoch when the reply arrived'),
  raw: z.string().max(64).optional(),
});
export type MeterReading = z.infer<typeof MeterReadingSchema>;
