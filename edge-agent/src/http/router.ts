import express, { type Request, type Response, type NextFunction, type Express } from 'express';
import { z } from 'zod';
import { ApiError } from './errors.js';
import type { User, UserRole } from '../store/users.js';
import { CLOUD_OWNED_WHAT, type CloudOwnedWhat } from './ownership.js';

export interface RequestContext<B, Q, P> {
  req: Request;
  res: Response;
  user: User | null;
  body: B;
  query: Q;
  params: P;
}

type Schema = z.ZodType;
type Out<S> = S extends z.ZodType ? z.infer<S> : undefined;

export interface RouteSpec<B extends Schema | undefined, Q extends Schema | undefined, P extends Schema | undefined> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  summary: string;
  tag: string;
  /** 'public': no sign-in; 'any': any signed-in user; or the roles allowed (admin always is). */
  access: 'public' | 'any' | UserRole[];
  body?: B;
  query?: Q;
  params?: P;
  /** Audit action for writes; every successful non-GET is audited. */
  audit?: string;
  /**
   * Required for writes: who owns what this route writes (DESIGN.md §3: one record, one
   * owner). 'edge': the edge's own records, always writable. `{ cloud }`: records the cloud
   * owns while cloud sync is on — the route answers 409 saying where they are changed;
   * `unless` picks the records of that kind the edge made itself (a leave registered at
   * the gate office, a pass from the edge's own range), which stay writable.
   */
  owner?: 'edge' | { cloud: CloudOwnedWhat; unless?: (ctx: RequestContext<Out<B>, Out<Q>, Out<P>>) => boolean };
  status?: number;
  handler: (ctx: RequestContext<Out<B>, Out<Q>, Out<P>>) => unknown | Promise<unknown>;
}

export interface AuthHooks {
  /** Cloud sync is on: routes whose owner is the cloud refuse writes. */
  cloudOwnsRecords(): boolean;
  /** Resolves the signed-in user (or null) and the session's CSRF token. */
  session(req: Request): { user: User; csrfToken: string } | null;
  audit(entry: { actor: string; action: string; target: string | null; detail: Record<string, unknown>; address: string | null }): void;
}

const SECRET_KEYS = /pass(word)?|secret|token|key/i;
function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEYS.test(k) ? '[HIDDEN]' : redact(v)]));
  }
  return value;
}

/**
 * Declares each API route once: access rule, schemas, audit, handler. The same
 * declarations drive express and the OpenAPI document.
 */
export class ApiRouter {
  private readonly specs: Array<RouteSpec<Schema | undefined, Schema | undefined, Schema | undefined>> = [];

  constructor(private readonly hooks: AuthHooks) {}

  add<B extends Schema | undefined = undefined, Q extends Schema | undefined = undefined, P extends Schema | undefined = undefined>(
    spec: RouteSpec<B, Q, P>,
  ): void {
    if (spec.method !== 'get' && !spec.owner) throw new Error(`route ${spec.method.toUpperCase()} ${spec.path} must declare its owner ('edge' or { cloud })`);
    this.specs.push(spec as unknown as RouteSpec<Schema | undefined, Schema | undefined, Schema | undefined>);
  }

  mount(app: Express): void {
    for (const spec of this.specs) {
      app[spec.method](spec.path, (req: Request, res: Response, next: NextFunction) => {
        this.run(spec, req, res).catch(next);
      });
    }
  }

  private async run(spec: RouteSpec<Schema | undefined, Schema | undefined, Schema | undefined>, req: Request, res: Response): Promise<void> {
    let user: User | null = null;
    if (spec.access !== 'public') {
      const s = this.hooks.session(req);
      if (!s) throw new ApiError(401, 'auth.required');
      user = s.user;
      if (spec.method !== 'get' && req.get('x-csrf-token') !== s.csrfToken) throw new ApiError(403, 'auth.csrf');
      if (Array.isArray(spec.access) && !user.roles.includes('admin') && !spec.access.some((r) => user!.roles.includes(r))) {
        throw new ApiError(403, 'auth.forbidden');
      }
    }
    if (spec.method !== 'get' && spec.body && req.body === undefined && !req.is('application/json')) {
      throw new ApiError(415, 'request.unsupported_type');
    }
    const cloudOwner = typeof spec.owner === 'object' && this.hooks.cloudOwnsRecords() ? spec.owner : null;
    if (cloudOwner && !cloudOwner.unless) throw cloudOwned(cloudOwner.cloud);
    const body = spec.body ? spec.body.parse(req.body ?? {}) : undefined;
    const query = spec.query ? spec.query.parse(req.query) : undefined;
    const params = spec.params ? spec.params.parse(req.params) : undefined;
    const ctx = { req, res, user, body, query, params } as never;
    if (cloudOwner?.unless && !cloudOwner.unless(ctx)) throw cloudOwned(cloudOwner.cloud);
    const result = await spec.handler(ctx);
    if (spec.method !== 'get' && user) {
      this.hooks.audit({
        actor: user.username,
        action: spec.audit ?? `${spec.method.toUpperCase()} ${spec.path}`,
        target: (req.params as Record<string, string>).id ?? null,
        detail: { body: redact(req.body ?? null) as unknown },
        address: req.ip ?? null,
      });
    }
    if (res.headersSent) return;
    if (result === undefined) res.status(spec.status ?? 204).end();
    else res.status(spec.status ?? 200).json(result);
  }

  openapi(info: { title: string; version: string }): object {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const s of this.specs) {
      const p = s.path.replace(/:(\w+)/g, '{$1}');
      const parameters: unknown[] = [];
      for (const m of s.path.matchAll(/:(\w+)/g)) parameters.push({ name: m[1], in: 'path', required: true, schema: { type: 'string' } });
      if (s.query) {
        const js = z.toJSONSchema(s.query, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, unknown>; required?: string[] };
        for (const [name, schema] of Object.entries(js.properties ?? {})) {
          parameters.push({ name, in: 'query', required: js.required?.includes(name) ?? false, schema });
        }
      }
      (paths[p] ??= {})[s.method] = {
        summary: s.summary,
        tags: [s.tag],
        security: s.access === 'public' ? [] : [{ session: [] }],
        'x-roles': s.access,
        ...(s.owner ? { 'x-owner': typeof s.owner === 'string' ? 'edge' : `cloud:${s.owner.cloud}${s.owner.unless ? ' (unless the edge made the record)' : ''}` } : {}),
        parameters,
        ...(s.body
          ? { requestBody: { required: true, content: { 'application/json': { schema: z.toJSONSchema(s.body, { io: 'input', unrepresentable: 'any' }) } } } }
          : {}),
        responses: {
          [String(s.status ?? 200)]: { description: 'OK' },
          '400': { description: 'Malformed JSON or a body that fails its schema', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
          ...(s.access === 'public' ? {} : { '401': { description: 'Not signed in' }, '403': { description: 'Role not allowed or CSRF token missing' } }),
        },
      };
    }
    return {
      openapi: '3.1.0',
      info,
      paths,
      components: {
        securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'campus_sid', description: 'Writes also need the x-csrf-token header from /api/auth/login' } },
        schemas: {
          Error: {
            type: 'object',
            properties: {
              error: {
                type: 'object',
                properties: { code: { type: 'string' }, message: { type: 'object', properties: { 'zh-CN': { type: 'string' }, en: { type: 'string' } } }, details: {} },
                required: ['code', 'message'],
              },
            },
          },
        },
      },
    };
  }
}

function cloudOwned(what: CloudOwnedWhat): ApiError {
  return new ApiError(409, 'sync.cloud_owned', { whatZh: CLOUD_OWNED_WHAT[what]['zh-CN'], whatEn: CLOUD_OWNED_WHAT[what].en });
}

export const jsonBody = (limit: number) => express.json({ limit, strict: true, type: ['application/json', 'application/*+json'] });
