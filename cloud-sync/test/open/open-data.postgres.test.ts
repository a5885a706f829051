import { describe, it } from 'vitest';
import { postgresBackend } from '../helpers/backends.js';
import { openDataContract } from './open-data-contract.js';

if (await postgresBackend.available()) openDataContract(postgresBackend);
else describe.skip('open data API on postgres (no PostgreSQL on this machine)', () => it('skipped', () => undefined));
