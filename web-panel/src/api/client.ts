import { bilingual } from '@campus/protocol/i18n';
import type * as z from 'zod/mini';
import { errorBodySchema } from './schemas';
import type { BilingualText } from './types';
// Registers the panel catalogue, so bilingual() below knows the panel.error.* ids.
import '../i18n/messages';

/** A failed call, with a message in both languages so the UI can show the current one. */
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

  post<T>(path: string, schema: z.ZodMiniType<T>, body?: unknown): Promise<T> {
    return this.request('POST', path, schema, body);
  }

  /** A write whose answer has no body (204). */
  async postNoContent(path: string, body?: unknown): Promise<void> {
    await this.send('POST', path, body);
  }

  private async request<T>(method: string, path: string, schema: z.ZodMiniType<T>, body?: unknown): Promise<T> {
    const res = await this.send(method, path, body);
    const payload: unknown = await res.json().catch(() => undefined);
    const parsed = schema.safeParse(payload);
    if (!parsed.success) {
      throw new ApiError(res.status, 'panel.unexpected', bilingual('panel.error.unexpected', { status: res.status }), parsed.error.issues);
    }
    return parsed.data;
  }

  private async send(method: string, path: string, body: unknown): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET' && this.csrfToken) headers['x-csrf-token'] = this.csrfToken;
    let res: Response;
    try {
      res = await this.fetchImpl(path, {
        method,
        headers,
        credentials: 'same-origin',
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new ApiError(0, 'panel.network', bilingual('panel.error.network'), err);
    }
    if (res.ok) return res;
    const error = await toApiError(res);
    if (res.status === 401 && path !== LOGIN_PATH) this.options.onUnauthorized();
    throw error;
  }
}

export const LOGIN_PATH = '/api/auth/login';

async function toApiError(res: Response): Promise<ApiError> {
  const payload: unknown = await res.json().catch(() => undefined);
  const parsed = errorBodySchema.safeParse(payload);
  if (parsed.success) {
    const { code, message, details } = parsed.data.error;
    return new ApiError(res.status, code, message, details);
  }
  return new ApiError(res.status, 'panel.unexpected', bilingual('panel.error.unexpected', { status: res.status }));
}
