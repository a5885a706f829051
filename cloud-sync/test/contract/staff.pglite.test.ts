import { pgliteBackend } from '../helpers/backends.js';
import { staffContract } from './staff-contract.js';

staffContract(pgliteBackend);
