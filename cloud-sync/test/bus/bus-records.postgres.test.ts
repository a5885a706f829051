import { describe, it } from 'vitest';
import { postgresBackend } from '../helpers/backends.js';
import { busRecordsContract } from './bus-records-contract.js';

if (await postgresBackend.available()) busRecordsContract(postgresBackend);
else describe.skip('bus records on postgres (no PostgreSQL on this machine)', () => it('skipped', () => undefined));
