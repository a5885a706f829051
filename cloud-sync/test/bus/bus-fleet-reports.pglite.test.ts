import { pgliteBackend } from '../helpers/backends.js';
import { busFleetReportsContract } from './bus-fleet-reports-contract.js';

busFleetReportsContract(pgliteBackend);
