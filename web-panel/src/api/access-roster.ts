import type { RosterImportReport } from '@campus/protocol/access/index';
import type { EdgeApi } from './client';
import { rosterReportSchema } from './access-schemas';

export const ROSTER_IMPORT_PATH = '/api/access/roster/import';

export interface RosterUpload {
  fileName: string;
  contentBase64: string;
  /** Validate only: the edge answers with the report and imports nothing. */
  dryRun: boolean;
}

/** The edge answers a file with bad rows with this status and the full row-level report. */
const REPORT_WITH_PROBLEMS = 422;

/**
 * Sends a roster to the edge and returns its report, valid or not: a refused file is a
 * report to show row by row, not a failure. Anything else that is not a report is an
 * ApiError with the edge's message.
 */
export function uploadRoster(api: EdgeApi, upload: RosterUpload): Promise<RosterImportReport> {
  return api.post(ROSTER_IMPORT_PATH, rosterReportSchema, upload, { answerStatuses: [REPORT_WITH_PROBLEMS] });
}
