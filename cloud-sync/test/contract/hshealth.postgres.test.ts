import { postgresBackend } from '../helpers/backends.js';
import { homeHealthContract } from './hshealth-contract.js';

homeHealthContract(postgresBackend);
