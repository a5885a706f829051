/** RFC 4180 CSV as Excel and WPS write it: protocol's reader, shared with the cloud console's roster import. */
export { CsvSyntaxError, csvField, parseCsv, type CsvRecord } from '@campus/protocol/roster/csv';
