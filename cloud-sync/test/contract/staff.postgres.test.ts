import { describe, it } from 'vitest';
import { postgresBackend } from '../helpers/backends.js';
import { staffContract } from './staff-contract.js';

if (await postgresBackend.available()) staffContract(postgresBackend);
else describe.skip('staff identities on postgres (no PostgreSQL on this machine)', () => it('skipped', () => undefined));
