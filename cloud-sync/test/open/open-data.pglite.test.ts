import { pgliteBackend } from '../helpers/backends.js';
import { openDataContract } from './open-data-contract.js';

openDataContract(pgliteBackend);
