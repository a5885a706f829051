import { describe, it } from 'vitest';
import { postgresBackend } from '../helpers/backends.js';
import { parentContract } from './parent-contract.js';

if (await postgresBackend.available()) parentContract(postgresBackend);
else describe.skip('parent app API on postgres (no PostgreSQL on this machine)', () => it('skipped', () => undefined));
