import { describe, it } from 'vitest';
import { postgresBackend } from '../helpers/backends.js';
import { webhooksContract } from './webhooks-contract.js';

if (await postgresBackend.available()) webhooksContract(postgresBackend);
else describe.skip('webhooks on postgres (no PostgreSQL on this machine)', () => it('skipped', () => undefined));
