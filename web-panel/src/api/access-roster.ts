import { bilingual } from '@campus/protocol/i18n';
import type { RosterImportReport } from '@campus/protocol/access/index';
import { ApiError, type EdgeApi } from './client';
import { currentSession } from './endpoints';
import { rosterReportSchema } from './access-schemas';
import { errorBodySchema } from './schemas';

export const ROSTER_IMPORT_PATH = '/api/access/roster/import';

export interface RosterUpload {
  fileName: string;
  contentBase64: string;
  /** Validate only: the edge answers with the report and imports nothing. */
  dryRun: boolean;
}

/**
 * Sends a roster to the edge and returns its report, valid or not. The edge answers an
 * invalid file with 422 and the full row-level report, which EdgeApi (every non-2xx is
 * an ApiError without the body) would lose; so this one write goes through fetch
 * itself, with the CSRF token of the current session. Anything else that is not a
 * report becomes an ApiError as usual.
 */
export async function uploadRoster(api: EdgeApi, upload: RosterUpload, fetchImpl: typeof fetch = globalThis.fetch.bind(globalThis)): Promise<RosterImportReport> {
  // A 401 here already sends the panel back to sign-in (EdgeApi's own handling).
  const { csrfToken } = await currentSession(api);
  let res: Response;
  try {
    res = await fetchImpl(ROSTER_IMPORT_PATH, {
      method: 'POST',
      headers: { accept: 'application/json', 'content-type': 'application/json', 'x-csrf-token': csrfToken },
      credentials: 'same-origin',
      body: JSON.stringify(upload),
    });
  } catch (err) {
    throw new ApiError(0, 'panel.network', bilingual('panel.error.network'), err);
  }
  const payload: unknown = await res.json().catch(() => undefined);
  if (res.ok || res.status === 422) {
    const report = rosterReportSchema.safeParse(payload);
    if (report.success) return report.data;
  }
  const error = errorBodySchema.safeParse(payload);
  if (!res.ok && error.success) {
    const { code, message, details } = error.data.error;
    throw new ApiError(res.status, code, message, details);
  }
  throw new ApiError(res.status, 'panel.unexpected', bilingual('panel.error.unexpected', { status: res.status }));
}
