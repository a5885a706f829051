import express, { type ErrorRequestHandler, type Express } from 'express';
import { ZodError } from 'zod';
import { bilingual } from '@campus/protocol';
import { HttpError } from './errors.js';
import { openApiDocument } from './openapi.js';

export interface AppParts {
  edge: express.Router;
  admin: express.Router;
  parent: express.Router;
  /** The home-school app: one sign-in for every identity of a phone, guardian leave applications. */
  home: express.Router;
  /** Staff API (school and district console): session cookie + CSRF token. */
  staff: express.Router;
  /** OpenAPI paths of the staff API, built from its route declarations. */
  staffOpenApi: Record<string, Record<string, unknown>>;
  parentStatic: express.Router;
  /** Open-data API (per-school API keys), versioned. */
  open: express.Router;
  /** The school and district console's build, under /console/. */
  consoleStatic?: express.Router;
  health: () => Promise<Record<string, unknown>>;
  onError: (err: Error) => void;
  /** Addresses of the load balancers whose X-Forwarded-For is believed (express "trust proxy"). */
  trustProxy?: string[];
}

/** JSON body limits: admin record batches (up to 5,000 records) and the parent app's small forms. The edge API reads raw bytes (signed). */
const ADMIN_JSON_LIMIT = '8mb';
const PARENT_JSON_LIMIT = '64kb';
const STAFF_JSON_LIMIT = '1mb';

export function buildApp(parts: AppParts): Express {
  const app = express();
  app.disable('x-powered-by');
  // Sign-in lockout counts failures per client address: behind a balancer that address is
  // only right when the balancer's X-Forwarded-For is trusted, and only from the balancer.
  app.set('trust proxy', parts.trustProxy?.length ? parts.trustProxy : 'loopback');
  const doc = openApiDocument(parts.staffOpenApi);
  app.get('/api/openapi.json', (_req, res) => void res.json(doc));
  app.get('/api/health', async (_req, res) => {
    res.json(await parts.health());
  });
  app.use('/api/edge/v1', parts.edge);
  app.use('/api/admin', express.json({ limit: ADMIN_JSON_LIMIT }), parts.admin);
  app.use('/api/home', express.json({ limit: PARENT_JSON_LIMIT }), parts.home);
  app.use('/api/parent', express.json({ limit: PARENT_JSON_LIMIT }), parts.parent);
  app.use('/api/staff', express.json({ limit: STAFF_JSON_LIMIT }), parts.staff);
  app.use('/api/open/v1', parts.open);
  app.use('/parent', parts.parentStatic);
  if (parts.consoleStatic) {
    // "/console" → "/console/", so the app's relative asset paths resolve under /console/.
    const bare = (req: express.Request) => /^\/console(\?|$)/.test(req.originalUrl);
    app.use('/console', (req, res, next) => (bare(req) ? res.redirect(301, '/console/') : next()), parts.consoleStatic);
  }
  app.get('/', (_req, res) => res.redirect('/parent/'));
  app.use('/api', (_req, _res, next) => next(new HttpError(404, 'sync.error.not_found')));
  app.use(errorHandler(parts.onError));
  return app;
}

/** Bad input is always a 4xx with a message in both languages, never a 500. */
function errorHandler(onError: (err: Error) => void): ErrorRequestHandler {
  return (err: unknown, _req, res, _next) => {
    if (res.headersSent) return;
    if (err instanceof HttpError) {
      for (const [k, v] of Object.entries(err.headers ?? {})) res.setHeader(k, v);
      res.status(err.status).json(err.body());
      return;
    }
    if (err instanceof ZodError) {
      const detail = err.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
      res.status(400).json(new HttpError(400, 'sync.error.invalid', { detail }).body());
      return;
    }
    const e = err as { type?: string; status?: number; limit?: number; message?: string };
    if (e.type === 'entity.too.large') {
      res.status(413).json(new HttpError(413, 'sync.error.too_large', { limit: e.limit ?? 0 }).body());
      return;
    }
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      res.status(e.status).json(new HttpError(e.status, 'sync.error.invalid', { detail: e.message ?? e.type ?? 'bad request' }).body());
      return;
    }
    onError(err as Error);
    res.status(500).json({ error: { code: 'sync.error.internal', status: 500, message: bilingual('sync.error.internal') } });
  };
}
