import express, { type Request, type Response, type NextFunction, type IRouter, type Router } from 'express';
import { z } from 'zod';
import { ApiError, ResponseContractError } from './errors.js';
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
/** What a handler returns: the response schema's input type (it is sent as returned). */
type Reply<R extends Schema> = z.input<R>;

/**
 * The response of a route that answers with no body (204) or writes the response itself
 * (a file, a photo, a 422 report): the handler returns undefined.
 */
export const NoContent = z.undefined().meta({ description: 'No JSON body' });
/** A route that writes a non-JSON body itself (res.type(...).send(...)); the handler returns undefined. */
export function rawBody(contentType: string): z.ZodUndefined {
  return z.undefined().meta({ description: 'Raw body', 'x-content-type': contentType });
}

export interface RouteSpec<B extends Schema | undefined, Q extends Schema | undefined, P extends Schema | undefined, R extends Schema = Schema> {
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
  /**
   * The JSON body of a successful answer (NoContent or rawBody(...) when there is none).
   * Shown in /api/openapi.json; the handler must return its input type. Under test
   * (NODE_ENV=test, or the router option validateResponses) every answer is checked against
   * it and a mismatch fails the request, so drift between handler and contract shows up in
   * tests; in production answers are sent unchecked.
   */
  response: R;
  handler: (ctx: RequestContext<Out<B>, Out<Q>, Out<P>>) => Reply<R> | Promise<Reply<R>>;
}

export interface ApiRouterOptions {
  /** Check every answer against its route's response schema (default: NODE_ENV === 'test'). */
  validateResponses?: boolean;
  /** Every route must live under this path (a domain's `/api/<name>`). */
  prefix?: string;
}

/** Routes declared when first needed (lazy): `load` declares them on `api` once. */
interface LazyRoutes {
  prefix: string;
  load: (api: ApiRouter) => Promise<void>;
  api: ApiRouter | null;
  loading: Promise<void> | null;
  router: Router;
}

const isUnder = (path: string, prefix: string): boolean => path === prefix || path.startsWith(`${prefix}/`);

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
  private readonly specs: Array<AnySpec> = [];
  private readonly lazySlots: LazyRoutes[] = [];
  private readonly validateResponses: boolean;
  private readonly prefix: string | undefined;

  constructor(
    private readonly hooks: AuthHooks,
    opts: ApiRouterOptions = {},
  ) {
    this.validateResponses = opts.validateResponses ?? process.env.NODE_ENV === 'test';
    this.prefix = opts.prefix;
  }

  add<B extends Schema | undefined = undefined, Q extends Schema | undefined = undefined, P extends Schema | undefined = undefined, R extends Schema = Schema>(
    spec: RouteSpec<B, Q, P, R>,
  ): void {
    if (spec.method !== 'get' && !spec.owner) throw new Error(`route ${spec.method.toUpperCase()} ${spec.path} must declare its owner ('edge' or { cloud })`);
    if (this.prefix && !isUnder(spec.path, this.prefix)) throw new Error(`route ${spec.method.toUpperCase()} ${spec.path} must live under ${this.prefix}/`);
    this.specs.push(spec as unknown as AnySpec);
  }

  /**
   * Routes under `prefix` that `load` declares when they are first needed (a domain whose
   * implementation is loaded on demand): at the first request under the prefix, at
   * `loadAll()` (the OpenAPI document), or when the returned function is called. `load`
   * runs once (again only after it failed); its routes then answer as if declared here.
   */
  lazy(prefix: string, load: (api: ApiRouter) => Promise<void>): () => Promise<void> {
    const slot: LazyRoutes = { prefix, load, api: null, loading: null, router: express.Router() };
    this.lazySlots.push(slot);
    return () => this.ensure(slot);
  }

  /** Loads every lazy route group (for the OpenAPI document, which shows all of them). */
  async loadAll(): Promise<void> {
    await Promise.all(this.lazySlots.map((s) => this.ensure(s)));
  }

  private ensure(slot: LazyRoutes): Promise<void> {
    if (!slot.loading) {
      const api = new ApiRouter(this.hooks, { validateResponses: this.validateResponses, prefix: slot.prefix });
      slot.loading = slot.load(api).then(
        () => {
          slot.api = api;
          api.mount(slot.router);
        },
        (err: unknown) => {
          slot.loading = null;
          throw err;
        },
      );
    }
    return slot.loading;
  }

  mount(app: IRouter): void {
    for (const spec of this.specs) {
      app[spec.method](spec.path, (req: Request, res: Response, next: NextFunction) => {
        this.run(spec, req, res).catch(next);
      });
    }
    for (const slot of this.lazySlots) {
      app.use((req: Request, res: Response, next: NextFunction) => {
        if (!isUnder(req.path, slot.prefix)) return next();
        this.ensure(slot).then(() => slot.router(req, res, next), next);
      });
    }
  }

  /** Every declared route: this router's and those of the lazy groups loaded so far. */
  private allSpecs(): AnySpec[] {
    return [...this.specs, ...this.lazySlots.flatMap((s) => s.api?.allSpecs() ?? [])];
  }

  private async run(spec: AnySpec, req: Request, res: Response): Promise<void> {
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
    if (this.validateResponses) {
      const checked = spec.response.safeParse(result);
      if (!checked.success) throw new ResponseContractError(`${spec.method.toUpperCase()} ${spec.path}`, checked.error.issues);
    }
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
    for (const s of this.allSpecs()) {
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
          [String(s.status ?? (s.response === NoContent ? 204 : 200))]: successResponse(s),
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

type AnySpec = RouteSpec<Schema | undefined, Schema | undefined, Schema | undefined, Schema>;

function successResponse(s: AnySpec): object {
  const meta = z.globalRegistry.get(s.response) as { description?: string; 'x-content-type'?: string } | undefined;
  if (s.response === NoContent) return { description: 'No content' };
  const type = meta?.['x-content-type'];
  if (type) return { description: 'OK', content: { [type]: { schema: { type: 'string', format: 'binary' } } } };
  return { description: 'OK', content: { 'application/json': { schema: z.toJSONSchema(s.response, { io: 'input', unrepresentable: 'any' }) } } };
}

export const jsonBody = (limit: number) => express.json({ limit, strict: true, type: ['application/json', 'application/*+json'] });
