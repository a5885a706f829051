import { describe, it } from 'vitest';
import { postgresBackend } from '../helpers/backends.js';
import { busAlarmsContract } from './bus-alarms-contract.js';

if (await postgresBackend.available()) busAlarmsContract(postgresBackend);
else describe.skip('bus alarms on postgres (no PostgreSQL on this machine)', () => it('skipped', () => undefined));
