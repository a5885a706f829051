import type { ErrorRequestHandler } from 'express';
import { z } from 'zod';
import { bilingual, type Params } from '@campus/protocol/i18n';
import type { Logger } from '../core/log.js';

/** An error a user can meet: HTTP status, a stable code and a bilingual message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly params: Params = {},
    readonly details?: unknown,
  ) {
    super(code);
  }
}

/** An answer that does not match its route's declared response schema (raised under test only). */
export class ResponseContractError extends Error {
  override name = 'ResponseContractError';
  constructor(
    readonly route: string,
    readonly issues: z.core.$ZodIssue[],
  ) {
    super(`${route}: the answer does not match its response schema: ${issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
}

export function errorBody(code: string, params?: Params, details?: unknown) {
  return { error: { code, message: bilingual(`error.${code}`, params), ...(details === undefined ? {} : { details }) } };
}

export function zodDetail(err: z.ZodError): { detail: string; issues: Array<{ path: string; message: string }> } {
  const issues = err.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message }));
  return { detail: issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues };
}

/** Last middleware: bad input becomes a 4xx with a message, never a 500. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (res.headersSent) return;
    if (err instanceof ApiError) {
      res.status(err.status).json(errorBody(err.code, err.params, err.details));
      return;
    }
    if (err instanceof z.ZodError) {
      const d = zodDetail(err);
      res.status(400).json(errorBody('request.invalid', { detail: d.detail }, d.issues));
      return;
    }
    const e = err as { type?: string; status?: number; message?: string; limit?: number; body?: unknown };
    if (e?.type === 'entity.parse.failed' && parsesAsJson(e.body)) {
      // `null`, `42` or `"text"`: valid JSON, but every body of this API is an object (or a list).
      res.status(400).json(errorBody('request.not_object', { got: String(e.body).trim().slice(0, 40) }));
      return;
    }
    if (e?.type === 'entity.parse.failed') {
      res.status(400).json(errorBody('request.malformed_json', { detail: e.message ?? '' }));
      return;
    }
    if (e?.type === 'entity.too.large') {
      res.status(413).json(errorBody('request.too_large', { limit: e.limit ?? 0 }));
      return;
    }
    if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
      res.status(e.status).json(errorBody('request.invalid', { detail: e.message ?? '' }));
      return;
    }
    if (err instanceof ResponseContractError) {
      // Under test only: say which field drifted, so the failing test shows it.
      log.error({ err, method: req.method, path: req.path }, 'answer does not match its response schema');
      res.status(500).json(errorBody('response_contract', { route: err.route }, err.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }))));
      return;
    }
    log.error({ err, method: req.method, path: req.path }, 'unhandled API error');
    res.status(500).json(errorBody('internal'));
  };
}

function parsesAsJson(body: unknown): boolean {
  if (typeof body !== 'string') return false;
  try {
    JSON.parse(body);
    return true;
  } catch {
    return false;
  }
}
