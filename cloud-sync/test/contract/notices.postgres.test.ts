import { describe, it } from 'vitest';
import { postgresBackend } from '../helpers/backends.js';
import { noticesContract } from './notices-contract.js';

if (await postgresBackend.available()) noticesContract(postgresBackend);
else describe.skip('guardian notices on postgres (no PostgreSQL on this machine)', () => it('skipped', () => undefined));
