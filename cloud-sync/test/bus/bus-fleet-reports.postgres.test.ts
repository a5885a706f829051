import { describe, it } from 'vitest';
import { postgresBackend } from '../helpers/backends.js';
import { busFleetReportsContract } from './bus-fleet-reports-contract.js';

if (await postgresBackend.available()) busFleetReportsContract(postgresBackend);
else describe.skip('bus live view and trip reports on postgres (no PostgreSQL on this machine)', () => it('skipped', () => undefined));
