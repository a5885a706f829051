import { bilingual } from '@campus/protocol/i18n';
import type * as z from 'zod/mini';
import { errorBodySchema, sessionSchema } from './schemas';
import type { BilingualText } from './types';
// Registers the panel catalogue, so bilingual() below knows the panel.error.* ids.
import '../i18n/messages';

/**
 * A failed call, with a message in both languages so the UI can show the current one.
 * `code` and `details` are the edge's (edge-agent/src/http/errors.ts): e.g.
 * "sync.cloud_owned", or "request.invalid" with the refused fields in `details`.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly text: BilingualText,
    readonly details?: unknown,
  ) {
    super(`${code} (HTTP ${status}): ${text.en}`);
    this.name = 'ApiError';
  }
}

export interface EdgeApiOptions {
  /** Called on any 401 except a failed sign-in: the session is gone, show sign-in. */
  onUnauthorized: () => void;
  fetch?: typeof fetch;
}

export interface RequestOptions {
  /**
   * Error statuses whose body is an answer the page shows rather than a failure: the
   * roster import answers a bad file with 422 and its row-by-row report. A body of such
   * a status that does not match the schema is still an ApiError from the edge's error body.
   */
  answerStatuses?: readonly number[];
}

export const LOGIN_PATH = '/api/auth/login';
const SESSION_PATH = '/api/auth/me';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * The panel's only door to the edge: same-origin JSON over fetch, the session cookie
 * travels by itself, and every write carries the CSRF token the sign-in returned.
 */
export class EdgeApi {
  private csrfToken: string | null = null;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: EdgeApiOptions) {
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  setCsrfToken(token: string | null): void {
    this.csrfToken = token;
  }

  get<T>(path: string, schema: z.ZodMiniType<T>): Promise<T> {
    return this.request('GET', path, schema);
  }

  post<T>(path: string, schema: z.ZodMiniType<T>, body?: unknown, opts?: RequestOptions): Promise<T> {
    return this.request('POST', path, schema, body, opts);
  }

  put<T>(path: string, schema: z.ZodMiniType<T>, body: unknown): Promise<T> {
    return this.request('PUT', path, schema, body);
  }

  /** A raw body (a photo, a spreadsheet) sent as it is, with its own content type. */
  async postRaw<T>(path: string, schema: z.ZodMiniType<T>, body: Blob, contentType: string): Promise<T> {
    const res = await this.send('POST', path, new RawBody(body, contentType));
    const payload: unknown = await res.json().catch(() => undefined);
    const parsed = schema.safeParse(payload);
    if (parsed.success) return parsed.data;
    throw new ApiError(res.status, 'panel.unexpected', bilingual('panel.error.unexpected', { status: res.status }), parsed.error.issues);
  }

  /** A write whose answer has no body (204). */
  async postNoContent(path: string, body?: unknown): Promise<void> {
    await this.send('POST', path, body);
  }

  /** Removes a record; the answer's body, if any, is not needed. */
  async delete(path: string): Promise<void> {
    await this.send('DELETE', path, undefined);
  }

  private async request<T>(method: Method, path: string, schema: z.ZodMiniType<T>, body?: unknown, opts: RequestOptions = {}): Promise<T> {
    const res = await this.send(method, path, body, opts.answerStatuses);
    const payload: unknown = await res.json().catch(() => undefined);
    const parsed = schema.safeParse(payload);
    if (parsed.success) return parsed.data;
    if (!res.ok) throw errorFromPayload(res.status, payload);
    throw new ApiError(res.status, 'panel.unexpected', bilingual('panel.error.unexpected', { status: res.status }), parsed.error.issues);
  }

  private async send(method: Method, path: string, body: unknown, answerStatuses: readonly number[] = [], retried = false): Promise<Response> {
    const res = await this.fetchOnce(method, path, body);
    if (res.ok || answerStatuses.includes(res.status)) return res;
    const error = errorFromPayload(res.status, await res.json().catch(() => undefined));
    if (error.code === 'auth.csrf' && method !== 'GET' && !retried && (await this.refreshCsrfToken())) {
      // Signed in again (another tab) since this page got its token: one retry with the new one.
      return this.send(method, path, body, answerStatuses, true);
    }
    if (res.status === 401 && path !== LOGIN_PATH) this.options.onUnauthorized();
    throw error;
  }

  private async fetchOnce(method: Method, path: string, body: unknown): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const raw = body instanceof RawBody ? body : null;
    if (raw) headers['content-type'] = raw.contentType;
    else if (body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET' && this.csrfToken) headers['x-csrf-token'] = this.csrfToken;
    try {
      return await this.fetchImpl(path, {
        method,
        headers,
        credentials: 'same-origin',
        body: raw ? raw.raw : body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new ApiError(0, 'panel.network', bilingual('panel.error.network'), err);
    }
  }

  /** True when the edge gave this session's current token. */
  private async refreshCsrfToken(): Promise<boolean> {
    try {
      const session = await this.get(SESSION_PATH, sessionSchema);
      this.csrfToken = session.csrfToken;
      return true;
    } catch {
      return false;
    }
  }
}

/** A request body that is not JSON. */
class RawBody {
  constructor(
    readonly raw: Blob,
    readonly contentType: string,
  ) {}
}

function errorFromPayload(status: number, payload: unknown): ApiError {
  const parsed = errorBodySchema.safeParse(payload);
  if (parsed.success) {
    const { code, message, details } = parsed.data.error;
    return new ApiError(status, code, message, details);
  }
  return new ApiError(status, 'panel.unexpected', bilingual('panel.error.unexpected', { status }));
}
