import { pgliteBackend } from '../helpers/backends.js';
import { pickupCodeContract } from './pickup-code-contract.js';

pickupCodeContract(pgliteBackend);
