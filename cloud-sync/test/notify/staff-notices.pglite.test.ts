import { pgliteBackend } from '../helpers/backends.js';
import { staffNoticesContract } from './staff-notices-contract.js';

staffNoticesContract(pgliteBackend);
