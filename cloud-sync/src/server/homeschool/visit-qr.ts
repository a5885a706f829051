import QRCode from 'qrcode';
import type { Queryable } from '../db/database.js';
import { HttpError } from '../http/errors.js';

/**
 * The QR image of an approved visit's signed pass, for its applicant only: an SVG the
 * app shows full-screen at the gate (the text is the credential the gates verify
 * offline). Error correction M, the standard quiet zone, as the edge draws its passes.
 */
export async function visitPassQrSvg(q: Queryable, phone: string, requestId: string): Promise<string> {
  const r = await q.query<{ credential: string | null }>('SELECT credential FROM hs_visit_requests WHERE id = $1 AND applicant_phone = $2', [requestId, phone]);
  const credential = r.rows[0]?.credential;
  if (!credential) throw new HttpError(404, 'home.error.request_not_found');
  return QRCode.toString(credential, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });
}
