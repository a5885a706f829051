import { fileURLToPath } from 'node:url';
import express, { type Router } from 'express';

/** cloud-sync/public/parent: the same depth from src/server/parent and dist/server/parent. */
export const PARENT_APP_DIR = fileURLToPath(new URL('../../../public/parent/', import.meta.url));

/** The parent PWA's static files; the service worker may control all of /parent/. */
export function parentStatic(): Router {
  const r = express.Router();
  r.use(
    express.static(PARENT_APP_DIR, {
      index: 'index.html',
      setHeaders: (res, path) => {
        if (path.endsWith('sw.js')) {
          res.setHeader('Service-Worker-Allowed', '/parent/');
          res.setHeader('Cache-Control', 'no-cache');
        }
        if (path.endsWith('.webmanifest')) res.setHeader('Content-Type', 'application/manifest+json');
      },
    }),
  );
  return r;
}
