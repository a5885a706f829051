import { bilingual } from '@campus/protocol/i18n';
import { ApiError } from '../api/client';
import { errorBodySchema } from '../api/schemas';
import './messages';

export { ApiError };

/** A cloud-owned record as the staff API returns it: its feed seq is its version. */
export interface VersionedRecord<D = Record<string, unknown>> {
  key: string;
  data: D;
  version: number;
  changedAt: number;
}

export interface StaffAccount {
  id: string;
  username: string;
  displayName: string;
  schoolId: string | null;
  districtId: string | null;
  roles: string[];
  classes: string[];
}

export interface SchoolRef {
  id: string;
  name: string;
  timezone: string;
}

export interface SessionAnswer {
  account: StaffAccount;
  schools: SchoolRef[];
  csrfToken: string;
}

/**
 * The console's door to the cloud's staff API (/api/staff): same-origin JSON, the
 * HttpOnly session cookie travels by itself, every write carries `x-csrf-token`.
 * Errors become ApiError with the cloud's bilingual message; a 409's `details.current`
 * is the record as it now is.
 */
export class ConsoleApi {
  csrfToken: string | null = null;

  constructor(private readonly onUnauthorized: () => void) {}

  get<T>(path: string): Promise<T> {
    return this.call<T>('GET', path);
  }
  post<T>(path: string, body?: unknown, answerStatuses: number[] = []): Promise<T> {
    return this.call<T>('POST', path, body, answerStatuses);
  }
  put<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>('PUT', path, body);
  }
  delete<T>(path: string): Promise<T> {
    return this.call<T>('DELETE', path);
  }

  async call<T>(method: string, path: string, body?: unknown, answerStatuses: number[] = []): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET' && this.csrfToken) headers['x-csrf-token'] = this.csrfToken;
    let res: Response;
    try {
      res = await fetch(`/api/staff${path}`, { method, headers, credentials: 'same-origin', ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    } catch (err) {
      throw new ApiError(0, 'console.network', bilingual('console.error.network'), err);
    }
    const payload: unknown = res.status === 204 ? undefined : await res.json().catch(() => undefined);
    if (res.ok || answerStatuses.includes(res.status)) return payload as T;
    if (res.status === 401 && !(method === 'POST' && path === '/session')) this.onUnauthorized();
    const parsed = errorBodySchema.safeParse(payload);
    if (parsed.success) throw new ApiError(res.status, parsed.data.error.code, parsed.data.error.message, parsed.data.error.details);
    throw new ApiError(res.status, 'console.unexpected', bilingual('console.error.unexpected', { status: res.status }));
  }
}

/** The record as it now is, from a 409 answer (null when it was deleted meanwhile). */
export function conflictCurrent(err: unknown): VersionedRecord | null | undefined {
  if (!(err instanceof ApiError) || err.status !== 409) return undefined;
  const d = err.details as { current?: VersionedRecord | null } | undefined;
  // Other 409s (a plate or terminal already taken, a record still in use) are plain errors.
  if (!d || typeof d !== 'object' || !('current' in d)) return undefined;
  return d.current ?? null;
}
