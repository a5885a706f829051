import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Router } from 'express';
import { HttpError } from '../http/errors.js';
import '../staff/messages.js';

/**
 * The console's build (`npm run build -w web-panel` writes web-panel/dist-console): the
 * same depth from src/server/console and dist/server/console. Read as files, never imported.
 */
export const CONSOLE_APP_DIR = fileURLToPath(new URL('../../../../web-panel/dist-console/', import.meta.url));

/**
 * The school and district console (学校管理后台) under /console/: index.html is never
 * cached (a new build is picked up at the next load), the hashed files under assets/ are
 * cached for a year. Any other path under /console/ is a page of the app: index.html.
 */
export function consoleStatic(dir: string = CONSOLE_APP_DIR): Router {
  const r = express.Router();
  const index = join(dir, 'index.html');
  const noCache = (res: express.Response) => res.setHeader('Cache-Control', 'no-cache');
  r.use(
    express.static(dir, {
      index: false,
      setHeaders: (res, path) => {
        if (path.includes(`${join(dir, 'assets')}`)) res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
        else noCache(res);
      },
    }),
  );
  r.get('/assets/*rest', (_req, _res, next) => next(new HttpError(404, 'sync.error.not_found')));
  r.get('/{*rest}', (_req, res, next) => {
    if (!existsSync(index)) return next(new HttpError(404, 'staff.error.console_missing'));
    noCache(res);
    res.sendFile(index, (err) => err && next(err));
  });
  return r;
}
