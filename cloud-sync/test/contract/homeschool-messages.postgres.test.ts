import { describe, it } from 'vitest';
import { postgresBackend } from '../helpers/backends.js';
import { homeMessagesContract } from './homeschool-messages-contract.js';

if (await postgresBackend.available()) homeMessagesContract(postgresBackend);
else describe.skip('home-school messages on postgres (no PostgreSQL on this machine)', () => it('skipped', () => undefined));
