import { z } from 'zod';
import { ID_RE } from '@campus/protocol';
import { ApiError } from '../../http/errors.js';
import type { EnergyModule, EnergyServices } from '../energy-module.js';
import { DATE_RE } from '../config.js';

export const FACILITY = ['facility'] as const satisfies ReadonlyArray<'facility'>;
export const IdParam = z.strictObject({ id: z.string().regex(ID_RE, 'letters, digits, - _ . (max 64)') });
export const NumericIdParam = z.strictObject({ id: z.coerce.number().int().positive() });
export const DateParam = z.string().regex(DATE_RE, 'date "YYYY-MM-DD"');

export function running(m: EnergyModule): EnergyServices {
  const s = m.services;
  if (!s) throw new ApiError(503, 'energy.not_running');
  return s;
}

/** Checks a from/to date pair and its length. */
export function dateRange(from: string, to: string, maxDays: number): void {
  if (to < from) throw new ApiError(400, 'request.invalid', { detail: 'to: must not be before from' });
  const days = (Date.UTC(+to.slice(0, 4), +to.slice(5, 7) - 1, +to.slice(8, 10)) - Date.UTC(+from.slice(0, 4), +from.slice(5, 7) - 1, +from.slice(8, 10))) / 86_400_000 + 1;
  if (days > maxDays) throw new ApiError(400, 'energy.range_too_long', { max: maxDays });
}
