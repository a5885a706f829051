/**
 * Spreadsheets from outside (.xlsx), for every Node host (the edge and the cloud): a zip
 * guard before exceljs sees a file, bounded rows, cells and characters per cell, and the
 * bilingual reasons of a refusal. Node only (node:zlib, Buffer); exceljs is loaded on the
 * first spreadsheet, so importing this costs nothing at rest. The panel never imports it.
 */
export * from './errors.js';
export * from './messages.js';
export * from './xlsx.js';
export * from './zip-guard.js';
export * from './roster-table.js';
