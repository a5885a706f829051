import { describe, it } from 'vitest';
import { postgresBackend } from '../helpers/backends.js';
import { staffNoticesContract } from './staff-notices-contract.js';

if (await postgresBackend.available()) staffNoticesContract(postgresBackend);
else describe.skip('staff notices on postgres (no PostgreSQL on this machine)', () => it('skipped', () => undefined));
