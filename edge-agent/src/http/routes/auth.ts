import { z } from 'zod';
import { NoContent, type ApiRouter } from '../router.js';
import { ApiError } from '../errors.js';
import { SESSION_COOKIE, parseCookies } from '../cookies.js';
import type { LoginLimiter } from '../login-limiter.js';
import type { Store } from '../../store/index.js';
import { verifyPassword, DUMMY_HASH } from '../../security/password.js';
import { SYSTEM_EVENTS } from '@campus/protocol';
import { SessionAnswerSchema, type PublicUser } from '@campus/protocol/admin/api';
import type { User } from '../../store/users.js';

export const LoginBody = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
});

export function publicUser(u: Pick<User, 'username' | 'displayName' | 'roles' | 'locale'>): PublicUser {
  return { username: u.username, displayName: u.displayName, roles: u.roles, locale: u.locale };
}

export function authRoutes(api: ApiRouter, deps: { store: Store; limiter: LoginLimiter; sessionTtlMs: number; secureCookies: boolean }): void {
  const { store, limiter } = deps;

  api.add({
    method: 'post',
    owner: 'edge',
    path: '/api/auth/login',
    summary: 'Sign in; sets the session cookie and returns the CSRF token',
    tag: 'auth',
    access: 'public',
    body: LoginBody,
    response: SessionAnswerSchema,
    handler: async ({ req, res, body }) => {
      const address = req.ip ?? 'unknown';
      const wait = limiter.retryAfter(body.username, address);
      if (wait > 0) {
        store.events.append({ type: SYSTEM_EVENTS.login, reason: 'login.locked', severity: 'warning', source: 'http', subject: body.username, data: { username: body.username, address } });
        res.setHeader('Retry-After', String(wait));
        throw new ApiError(429, 'auth.locked', { retryAfterSec: wait }, { retryAfterSec: wait });
      }
      const creds = store.users.credentials(body.username);
      const ok = await verifyPassword(body.password, creds?.passwordHash ?? DUMMY_HASH);
      if (!creds || !ok || creds.user.disabled) {
        limiter.fail(body.username, address);
        store.events.append({ type: SYSTEM_EVENTS.login, reason: 'login.failed', severity: 'notice', source: 'http', subject: body.username, data: { username: body.username, address } });
        throw new ApiError(401, 'auth.invalid');
      }
      limiter.succeed(body.username, address);
      const { token, session } = store.sessions.create(creds.user.id, deps.sessionTtlMs, address);
      res.cookie(SESSION_COOKIE, token, {
        httpOnly: true,
        sameSite: 'strict',
        secure: deps.secureCookies,
        path: '/',
        maxAge: deps.sessionTtlMs,
      });
      store.audit.record({ actor: creds.user.username, action: 'auth.login', address });
      store.events.append({ type: SYSTEM_EVENTS.login, reason: 'login.ok', source: 'http', subject: creds.user.username, data: { username: creds.user.username, address } });
      return { user: publicUser(creds.user), csrfToken: session.csrfToken };
    },
  });

  api.add({
    method: 'get',
    path: '/api/auth/me',
    summary: 'The signed-in user and the CSRF token',
    tag: 'auth',
    access: 'any',
    response: SessionAnswerSchema,
    handler: ({ req, user }) => {
      const token = parseCookies(req.headers.cookie)[SESSION_COOKIE]!;
      return { user: publicUser(user!), csrfToken: store.sessions.get(token)!.csrfToken };
    },
  });

  api.add({
    method: 'post',
    owner: 'edge',
    path: '/api/auth/logout',
    summary: 'Sign out',
    tag: 'auth',
    access: 'any',
    audit: 'auth.logout',
    response: NoContent,
    handler: ({ req, res }) => {
      const token = parseCookies(req.headers.cookie)[SESSION_COOKIE];
      if (token) store.sessions.delete(token);
      res.clearCookie(SESSION_COOKIE, { path: '/' });
      return undefined;
    },
  });
}
