import { describe, it } from 'vitest';
import { postgresBackend } from '../helpers/backends.js';
import { staffMatrixContract } from './staff-matrix-contract.js';

if (await postgresBackend.available()) staffMatrixContract(postgresBackend);
else describe.skip('staff access matrix on postgres (no PostgreSQL on this machine)', () => it('skipped', () => undefined));
