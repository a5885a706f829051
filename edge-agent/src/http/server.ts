import express, { type Express, type Request } from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Server as SocketServer } from 'socket.io';
import { ApiRouter, jsonBody } from './router.js';
import { errorBody, errorHandler } from './errors.js';
import { parseCookies, SESSION_COOKIE } from './cookies.js';
import type { Visibility } from './visibility.js';
import { panelEvent } from './routes/events.js';
import { INDEX_CACHE, panelStatic } from './panel-static.js';
import type { Store, StoredEvent, User } from '../store/index.js';
import type { Logger } from '../core/log.js';
import type { Metrics } from '../core/metrics.js';
import './messages.js';

export interface HttpDeps {
  store: Store;
  log: Logger;
  metrics: Metrics;
  maxBodyBytes: number;
  panelDir: string | null;
  version: string;
  /** Extra readiness checks for /healthz (each returns an error text or null). */
  health: () => Record<string, string | null>;
  /** Cloud sync is on: routes declared cloud-owned refuse writes (409). */
  cloudOwnsRecords: boolean;
  /** Who sees which events (core rules plus every domain's). */
  visibility: Visibility;
}

export class HttpApi {
  readonly app: Express;
  readonly api: ApiRouter;
  readonly server: Server;
  readonly io: SocketServer;

  constructor(private readonly deps: HttpDeps) {
    const { store } = deps;
    this.app = express();
    this.app.disable('x-powered-by');
    this.app.set('trust proxy', 'loopback');
    this.api = new ApiRouter({
      cloudOwnsRecords: () => deps.cloudOwnsRecords,
      session: (req) => this.session(req),
      audit: (e) => store.audit.record(e),
    });
    this.server = createServer(this.app);
    this.io = new SocketServer(this.server, { serveClient: false, cors: { origin: false } });
    this.io.use((socket, next) => {
      const token = parseCookies(socket.handshake.headers.cookie)[SESSION_COOKIE];
      const s = token ? store.sessions.get(token) : undefined;
      const user = s && store.users.byId(s.userId);
      if (!user || user.disabled) return next(new Error('auth.required'));
      socket.data.user = user;
      next();
    });
  }

  private session(req: Request): { user: User; csrfToken: string } | null {
    const token = parseCookies(req.headers.cookie)[SESSION_COOKIE];
    if (!token) return null;
    const s = this.deps.store.sessions.get(token);
    if (!s) return null;
    const user = this.deps.store.users.byId(s.userId);
    if (!user || user.disabled) return null;
    return { user, csrfToken: s.csrfToken };
  }

  /** Call after all routes were added. */
  finish(): void {
    const { app, deps } = this;
    app.use((req, res, next) => {
      res.on('finish', () => deps.metrics.httpRequests.inc({ status: `${Math.floor(res.statusCode / 100)}xx` }));
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('X-Frame-Options', 'DENY');
      res.setHeader('Referrer-Policy', 'same-origin');
      next();
    });
    app.get('/healthz', (_req, res) => {
      const checks = deps.health();
      const failing = Object.entries(checks).filter(([, v]) => v !== null);
      res.status(failing.length ? 503 : 200).json({ status: failing.length ? 'unhealthy' : 'ok', checks });
    });
    app.get('/metrics', async (_req, res) => {
      res.setHeader('Content-Type', deps.metrics.registry.contentType);
      res.send(await deps.metrics.registry.metrics());
    });
    app.get('/api/openapi.json', (_req, res, next) => {
      // The document shows every domain's routes, also those of domains loaded only when first needed.
      this.api.loadAll().then(() => res.json(this.api.openapi({ title: '智慧校园 Edge API / Campus Edge API', version: deps.version })), next);
    });
    app.use('/api', jsonBody(deps.maxBodyBytes));
    this.api.mount(app);
    app.use('/api', (req, res) => res.status(404).json(errorBody('not_found', { what: `${req.method} ${req.originalUrl}` })));
    if (deps.panelDir && existsSync(join(deps.panelDir, 'index.html'))) {
      const dir = deps.panelDir;
      // Text files compressed, hashed assets cached for good, index.html revalidated
      // (panel-static.ts); the rest (images) by express.static with the same cache rules.
      app.use(panelStatic(dir));
      app.use(express.static(dir, { index: 'index.html', cacheControl: false }));
      // SPA routes fall back to index.html.
      app.get(/^\/(?!api\/|socket\.io\/|metrics|healthz).*/, (_req, res) => {
        res.setHeader('Cache-Control', INDEX_CACHE);
        res.sendFile(join(dir, 'index.html'), { cacheControl: false });
      });
    } else {
      app.get('/', (_req, res) =>
        res
          .type('text/plain; charset=utf-8')
          .send('面板尚未构建：请运行 npm run build。 / The panel is not built yet: run npm run build.'),
      );
    }
    app.use(errorHandler(deps.log));
  }

  /**
   * Pushes a new event to every signed-in panel whose roles may see it, and to the people
   * it names in `data.notify` (usernames: the worker an order was dispatched to, its
   * requester), who see it whatever their roles.
   */
  broadcastEvent(e: StoredEvent): void {
    const payload = panelEvent(e);
    const notify = notifiedUsers(e);
    for (const socket of this.io.sockets.sockets.values()) {
      const user = socket.data.user as User | undefined;
      if (user && (this.deps.visibility.maySee(user.roles, e.type) || notify.includes(user.username))) socket.emit('event', payload);
    }
  }

  broadcastDevice(d: { clientId: string; online: boolean; lastSeen: number | null }): void {
    for (const socket of this.io.sockets.sockets.values()) {
      const user = socket.data.user as User | undefined;
      if (user && (user.roles.includes('admin') || user.roles.includes('it'))) socket.emit('device', d);
    }
  }

  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.io.close(() => resolve()));
    this.server.closeAllConnections?.();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** The usernames an event is addressed to (`data.notify`), if any. */
export function notifiedUsers(e: StoredEvent): string[] {
  const notify = (e.data as { notify?: unknown } | null)?.notify;
  return Array.isArray(notify) ? notify.filter((u): u is string => typeof u === 'string') : [];
}
