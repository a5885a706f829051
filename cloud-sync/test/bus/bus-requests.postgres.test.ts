import { describe, it } from 'vitest';
import { postgresBackend } from '../helpers/backends.js';
import { busRequestsContract } from './bus-requests-contract.js';

if (await postgresBackend.available()) busRequestsContract(postgresBackend);
else describe.skip('bus requests on postgres (no PostgreSQL on this machine)', () => it('skipped', () => undefined));
