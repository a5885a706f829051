import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { Database, Queryable } from '../db/database.js';
import { HttpError } from '../http/errors.js';
import { redact, type StaffAudit } from './audit.js';
import { READ_ONLY_ROLES, type StaffRole } from './roles.js';
import type { Principal, StaffAuth } from './staff-auth.js';

export const STAFF_COOKIE = 'campus_staff_sid';
export const CSRF_HEADER = 'x-csrf-token';

/**
 * What a route reaches:
 * - public: no session (sign-in);
 * - self: the signed-in account itself (session, own password, own school list);
 * - home: the account's own school or district (its accounts, its audit);
 * - school: the school named by `:schoolId`, which must be the account's school or in its district;
 * - class: as school, and a head teacher only for the classes (`:classId`) they lead.
 */
export type RouteScope = 'public' | 'self' | 'home' | 'school' | 'class';
export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

type Schema = z.ZodType;
type Out<S> = S extends z.ZodType ? z.infer<S> : undefined;

export interface StaffContext<B, Q, P> {
  req: Request;
  res: Response;
  /** Set on every route but public ones. */
  principal: Principal;
  body: B;
  query: Q;
  params: P;
  /** A write's transaction (its audit row joins it), or the database for reads. Use only this inside a handler. */
  q: Queryable;
  /** Names the audit row's target and detail (defaults: the last path parameter, the body without secrets). */
  audited(target: string | null, detail?: Record<string, unknown>): void;
  /** Runs after the write's transaction commits. */
  afterCommit(fn: () => void): void;
}

export interface StaffRouteSpec<B extends Schema | undefined, Q extends Schema | undefined, P extends Schema | undefined> {
  method: Method;
  /** Under /api/staff, e.g. "/accounts/:accountId". */
  path: string;
  summary: string;
  scope: RouteScope;
  /** Roles allowed on home, school and class routes. */
  roles?: readonly StaffRole[];
  body?: B;
  query?: Q;
  params?: P;
  /** Audit action of a write (required for every non-GET route that is not public). */
  audit?: string;
  status?: number;
  handler: (ctx: StaffContext<Out<B>, Out<Q>, Out<P>>) => unknown;
}

type AnySpec = StaffRouteSpec<Schema | undefined, Schema | undefined, Schema | undefined>;

/** The route table as data: what the access-matrix test and the OpenAPI document read. */
export interface RouteInfo {
  method: Method;
  path: string;
  scope: RouteScope;
  roles: readonly StaffRole[];
  audit: string | null;
}

/**
 * THE access decision for every staff route, in one place. Order: signed in (401), CSRF
 * token on writes (403), the school in the path within the account's reach (404: another
 * school's data is indistinguishable from none), read-only roles never write (403), a role
 * the route allows (403), and for class routes a head teacher only for their own classes (403).
 */
export function authorize(route: Pick<RouteInfo, 'method' | 'scope' | 'roles'>, p: Principal | null, params: Record<string, string | undefined>, csrfHeader: string | undefined): void {
  if (route.scope === 'public') return;
  if (!p) throw new HttpError(401, 'staff.error.session');
  const write = route.method !== 'get';
  if (write && (!csrfHeader || csrfHeader !== p.csrfToken)) throw new HttpError(403, 'staff.error.csrf');
  if (route.scope === 'self') return;
  if (route.scope === 'school' || route.scope === 'class') {
    if (!params.schoolId || !p.schools.includes(params.schoolId)) throw new HttpError(404, 'staff.error.not_found');
  }
  const usable = p.roles.filter((r) => route.roles.includes(r) && !(write && READ_ONLY_ROLES.includes(r)));
  if (route.scope === 'class' && !usable.some((r) => r !== 'head_teacher') && usable.includes('head_teacher')) {
    if (params.classId && p.classes.includes(params.classId)) return;
    throw new HttpError(403, 'staff.error.class', { classId: params.classId ?? '' });
  }
  if (!usable.length) throw new HttpError(403, 'staff.error.role');
}

export interface StaffRouterDeps {
  db: Database;
  auth: StaffAuth;
  audit: StaffAudit;
}

/**
 * Declares each staff route once (scope, roles, schemas, audit action, handler). Every
 * request goes through the same steps: bind the principal from the session cookie,
 * `authorize`, parse, run; a write runs in one transaction with its audit row.
 */
export class StaffRouter {
  private readonly specs: AnySpec[] = [];

  constructor(private readonly deps: StaffRouterDeps) {}

  add<B extends Schema | undefined = undefined, Q extends Schema | undefined = undefined, P extends Schema | undefined = undefined>(spec: StaffRouteSpec<B, Q, P>): void {
    const s = spec as unknown as AnySpec;
    const write = s.method !== 'get';
    const where = `${s.method.toUpperCase()} ${s.path}`;
    if (write && s.scope !== 'public' && !s.audit) throw new Error(`staff route ${where}: a write needs an audit action`);
    if (write && s.roles?.some((r) => READ_ONLY_ROLES.includes(r))) throw new Error(`staff route ${where}: read-only roles cannot be allowed to write`);
    if ((s.scope === 'school' || s.scope === 'class') && !s.path.includes(':schoolId')) throw new Error(`staff route ${where}: ${s.scope} scope needs :schoolId`);
    if (s.scope === 'class' && !s.path.includes(':classId')) throw new Error(`staff route ${where}: class scope needs :classId`);
    if ((s.scope === 'home' || s.scope === 'school' || s.scope === 'class') && !s.roles?.length) throw new Error(`staff route ${where}: name the roles allowed`);
    if (this.specs.some((x) => x.method === s.method && x.path === s.path)) throw new Error(`staff route ${where} declared twice`);
    this.specs.push(s);
  }

  routes(): RouteInfo[] {
    return this.specs.map((s) => ({ method: s.method, path: s.path, scope: s.scope, roles: s.roles ?? [], audit: s.audit ?? null }));
  }

  router(): Router {
    const r = express.Router();
    for (const spec of this.specs) {
      r[spec.method](spec.path, (req: Request, res: Response, next: NextFunction) => {
        this.run(spec, req, res).catch(next);
      });
    }
    return r;
  }

  private async principalOf(req: Request): Promise<Principal | null> {
    const token = parseCookies(req.headers.cookie)[STAFF_COOKIE];
    if (!token || !/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
    return this.deps.auth.principal(token);
  }

  private async run(spec: AnySpec, req: Request, res: Response): Promise<void> {
    res.setHeader('Cache-Control', 'no-store');
    const principal = spec.scope === 'public' ? null : await this.principalOf(req);
    authorize({ method: spec.method, scope: spec.scope, roles: spec.roles ?? [] }, principal, req.params as Record<string, string>, req.get(CSRF_HEADER));
    const params = spec.params ? spec.params.parse(req.params) : undefined;
    const query = spec.query ? spec.query.parse(req.query) : undefined;
    const body = spec.body ? spec.body.parse(req.body ?? {}) : undefined;
    const write = spec.method !== 'get';
    const pathParams = Object.values(req.params as Record<string, string>);
    let target: string | null = pathParams.at(-1) ?? null;
    let detail: Record<string, unknown> = req.body && typeof req.body === 'object' ? (redact(req.body) as Record<string, unknown>) : {};
    const after: (() => void)[] = [];
    const ctx = (q: Queryable) => ({
      req,
      res,
      principal: principal!,
      body,
      query,
      params,
      q,
      audited(t: string | null, d?: Record<string, unknown>) {
        target = t;
        if (d) detail = redact(d) as Record<string, unknown>;
      },
      afterCommit: (fn: () => void) => void after.push(fn),
    });
    let result: unknown;
    if (!write || spec.scope === 'public') {
      result = await spec.handler(ctx(this.deps.db) as never);
    } else {
      const p = principal!;
      const schoolId = (req.params as Record<string, string>).schoolId ?? p.schoolId;
      result = await this.deps.db.transaction(async (tx) => {
        const out = await spec.handler(ctx(tx) as never);
        await this.deps.audit.append(tx, { schoolId, districtId: p.districtId, actorId: p.accountId, actorName: p.username, action: spec.audit!, target, detail, address: req.ip ?? null });
        return out;
      });
    }
    for (const fn of after) fn();
    if (res.headersSent) return;
    if (result === undefined) res.status(spec.status ?? 204).end();
    else res.status(spec.status ?? 200).json(result);
  }

  /** OpenAPI paths of the staff API (under /api/staff). */
  openapiPaths(): Record<string, Record<string, unknown>> {
    const paths: Record<string, Record<string, unknown>> = {};
    const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });
    for (const s of this.specs) {
      const parameters: unknown[] = [...s.path.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
      if (s.query) {
        const js = schema(s.query) as { properties?: Record<string, unknown>; required?: string[] };
        for (const [name, sch] of Object.entries(js.properties ?? {})) parameters.push({ name, in: 'query', required: js.required?.includes(name) ?? false, schema: sch });
      }
      if (s.method !== 'get' && s.scope !== 'public' && s.scope !== 'self') parameters.push({ name: CSRF_HEADER, in: 'header', required: true, schema: { type: 'string' } });
      (paths[`/api/staff${s.path.replace(/:(\w+)/g, '{$1}')}`] ??= {})[s.method] = {
        summary: s.summary,
        tags: ['staff'],
        security: s.scope === 'public' ? [] : [{ staffSession: [] }],
        'x-scope': s.scope,
        'x-roles': s.roles ?? 'any signed-in account',
        ...(s.audit ? { 'x-audit': s.audit } : {}),
        parameters,
        ...(s.body ? { requestBody: { required: true, content: { 'application/json': { schema: schema(s.body) } } } } : {}),
        responses: {
          [String(s.status ?? 200)]: { description: 'OK' },
          '400': { description: 'Malformed input (message in zh-CN and en)' },
          ...(s.scope === 'public'
            ? {}
            : { '401': { description: 'Not signed in' }, '403': { description: 'Role not allowed, not head teacher of the class, or CSRF token missing' }, '404': { description: 'Not found, or outside the account\'s schools' } }),
        },
      };
    }
    return paths;
  }
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    const v = part.slice(i + 1).trim();
    try {
      out[part.slice(0, i).trim()] = decodeURIComponent(v);
    } catch {
      out[part.slice(0, i).trim()] = v;
    }
  }
  return out;
}
