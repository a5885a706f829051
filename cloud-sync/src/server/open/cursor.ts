import { HttpError } from '../http/errors.js';

/** Opaque page cursors: base64url JSON. A client passes back the `next` it was given. */
export function encodeCursor(v: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(v)).toString('base64url');
}

export function decodeCursor<T extends Record<string, string | number>>(s: string | undefined, check: (v: Record<string, unknown>) => v is T): T | null {
  if (!s) return null;
  try {
    const v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as unknown;
    if (v && typeof v === 'object' && check(v as Record<string, unknown>)) return v as T;
  } catch {
    /* fall through */
  }
  throw new HttpError(400, 'open.error.cursor');
}
