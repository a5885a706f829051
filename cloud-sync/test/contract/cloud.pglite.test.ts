import { pgliteBackend } from '../helpers/backends.js';
import { cloudContract } from './cloud-contract.js';

cloudContract(pgliteBackend);
