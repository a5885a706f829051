import { z } from 'zod';
import { PersonIdSchema } from '@campus/protocol/credentials/index';
import { ApiError } from '../../http/errors.js';
import type { AccessService } from '../service.js';

export interface AccessRouteDeps {
  access: AccessService;
}

/** The service once it has loaded its maps; a 503 in the moment before. */
export function ready(deps: AccessRouteDeps): AccessService {
  if (!deps.access.ready) throw new ApiError(503, 'access.not_ready');
  return deps.access;
}

export const PersonParam = z.strictObject({ id: PersonIdSchema });
export const NumericIdParam = z.strictObject({ id: z.coerce.number().int().positive() });
export const GateParam = z.strictObject({ id: z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/) });

/** Guards and the admin; people and calendar writes are for the admin only. */
export const GUARD: ['security'] = ['security'];
export const ADMIN: ['admin'] = ['admin'];
