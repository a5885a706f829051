import { describe, it } from 'vitest';
import { postgresBackend } from '../helpers/backends.js';
import { cloudContract } from './cloud-contract.js';

// Skipped only when no PostgreSQL can be had and CI is not set (the helper throws in CI).
if (await postgresBackend.available()) cloudContract(postgresBackend);
else describe.skip('cloud contract on postgres (no PostgreSQL on this machine)', () => it('skipped', () => undefined));
