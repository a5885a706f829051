import { describe, it } from 'vitest';
import { postgresBackend } from '../helpers/backends.js';
import { pickupCodeContract } from './pickup-code-contract.js';

if (await postgresBackend.available()) pickupCodeContract(postgresBackend);
else describe.skip('pickup one-time code on postgres (no PostgreSQL on this machine)', () => it('skipped', () => undefined));
