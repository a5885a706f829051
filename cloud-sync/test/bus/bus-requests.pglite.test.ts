import { pgliteBackend } from '../helpers/backends.js';
import { busRequestsContract } from './bus-requests-contract.js';

busRequestsContract(pgliteBackend);
