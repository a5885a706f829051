import { pgliteBackend } from '../helpers/backends.js';
import { webhooksContract } from './webhooks-contract.js';

webhooksContract(pgliteBackend);
