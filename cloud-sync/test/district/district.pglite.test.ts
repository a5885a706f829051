import { pgliteBackend } from '../helpers/backends.js';
import { districtContract } from './district-contract.js';

districtContract(pgliteBackend);
