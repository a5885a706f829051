import { pgliteBackend } from '../helpers/backends.js';
import { noticesContract } from './notices-contract.js';

noticesContract(pgliteBackend);
