import { pgliteBackend } from '../helpers/backends.js';
import { staffMatrixContract } from './staff-matrix-contract.js';

staffMatrixContract(pgliteBackend);
