import { pgliteBackend } from '../helpers/backends.js';
import { homeHealthContract } from './hshealth-contract.js';

homeHealthContract(pgliteBackend);
