import { describe, it } from 'vitest';
import { postgresBackend } from '../helpers/backends.js';
import { homeSchoolContract } from './homeschool-contract.js';

if (await postgresBackend.available()) homeSchoolContract(postgresBackend);
else describe.skip('home-school leaves on postgres (no PostgreSQL on this machine)', () => it('skipped', () => undefined));
