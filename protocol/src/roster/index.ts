/**
 * The people roster (人员名单) parser the edge and the cloud console share: CSV reading
 * (UTF-8 or GBK), the columns and the words schools write in them, and the row-level
 * validation with its bilingual report. XLSX files are read by each host into a RosterTable.
 */
export * from './csv.js';
export * from './columns.js';
export * from './messages.js';
export * from './problems.js';
export * from './read.js';
export * from './validate.js';
