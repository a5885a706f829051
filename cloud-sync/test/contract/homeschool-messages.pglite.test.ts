import { pgliteBackend } from '../helpers/backends.js';
import { homeMessagesContract } from './homeschool-messages-contract.js';

homeMessagesContract(pgliteBackend);
