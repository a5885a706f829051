import { pgliteBackend } from '../helpers/backends.js';
import { homeSchoolContract } from './homeschool-contract.js';

homeSchoolContract(pgliteBackend);
