import { describe, it } from 'vitest';
import { postgresBackend } from '../helpers/backends.js';
import { districtContract } from './district-contract.js';

if (await postgresBackend.available()) districtContract(postgresBackend);
else describe.skip('district view on postgres (no PostgreSQL on this machine)', () => it('skipped', () => undefined));
