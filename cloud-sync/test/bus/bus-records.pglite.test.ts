import { pgliteBackend } from '../helpers/backends.js';
import { busRecordsContract } from './bus-records-contract.js';

busRecordsContract(pgliteBackend);
