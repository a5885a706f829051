import { pgliteBackend } from '../helpers/backends.js';
import { busAlarmsContract } from './bus-alarms-contract.js';

busAlarmsContract(pgliteBackend);
