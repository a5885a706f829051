import { bilingual, type Params } from '@campus/protocol';
import '@campus/protocol/sync/messages';

/**
 * An error with an HTTP status and a message id; API bodies carry both languages:
 * `{ error: { code, status, message: { 'zh-CN', en }, details? } }`.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly params?: Params,
    readonly headers?: Record<string, string>,
    /** Extra machine-readable facts (e.g. the current record on a 409). */
    readonly details?: unknown,
  ) {
    super(bilingual(code, params).en);
  }

  body(): { error: { code: string; status: number; message: { 'zh-CN': string; en: string }; details?: unknown } } {
    return { error: { code: this.code, status: this.status, message: bilingual(this.code, this.params), ...(this.details === undefined ? {} : { details: this.details }) } };
  }
}

export const badRequest = (detail: string) => new HttpError(400, 'sync.error.invalid', { detail });
export const notFound = () => new HttpError(404, 'sync.error.not_found');
export const forbidden = () => new HttpError(403, 'sync.error.forbidden');
