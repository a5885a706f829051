import { postgresBackend } from '../helpers/backends.js';
import { guardianMatrixContract } from './guardian-matrix-contract.js';

guardianMatrixContract(postgresBackend);
