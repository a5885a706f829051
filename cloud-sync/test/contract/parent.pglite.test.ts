import { pgliteBackend } from '../helpers/backends.js';
import { parentContract } from './parent-contract.js';

parentContract(pgliteBackend);
