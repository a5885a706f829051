import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { existsSync, readFileSync, statSync, type Stats } from 'node:fs';
import { extname, resolve, sep } from 'node:path';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';

/**
 * The built panel's files, sent the way a slow phone on the school's Wi-Fi needs them:
 * - `assets/*` carry a content hash in their names (Vite), so they are cached for a year
 *   and never asked for again; index.html is `no-cache` (revalidated by its ETag), so a
 *   new build reaches every browser on its next load;
 * - text files go out brotli- or gzip-compressed, as the browser accepts: the build's
 *   precompressed `<file>.br` / `<file>.gz` when present and current, else compressed
 *   here once per file version and kept in memory (the panel is a few MB at most).
 * Anything else (and any path that is not a file of the panel) is left to the next handler.
 */
export const ASSET_CACHE = 'public, max-age=31536000, immutable';
export const INDEX_CACHE = 'no-cache';
const OTHER_CACHE = 'public, max-age=3600';

const COMPRESSIBLE = new Set(['.js', '.mjs', '.css', '.html', '.svg', '.json', '.map', '.txt', '.webmanifest']);
const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

type Encoding = 'br' | 'gzip' | 'identity';

interface Version {
  key: string;
  bodies: Partial<Record<Encoding, Buffer>>;
}

/** The encoding to send: brotli before gzip, honouring q=0 ("not this one"). */
export function chooseEncoding(acceptEncoding: string | undefined): Encoding {
  const accepted = new Map<string, number>();
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    accepted.set(name, q === undefined ? 1 : Number(q));
  }
  const ok = (name: string) => (accepted.get(name) ?? accepted.get('*') ?? 0) > 0;
  if (ok('br')) return 'br';
  if (ok('gzip')) return 'gzip';
  return 'identity';
}

export function panelStatic(dir: string): RequestHandler {
  const root = resolve(dir);
  const cache = new Map<string, Version>();

  function fileOf(req: Request): { file: string; stats: Stats } | null {
    let path: string;
    try {
      path = decodeURIComponent(req.path);
    } catch {
      return null;
    }
    if (path.includes('\0')) return null;
    const file = resolve(root, `.${path.endsWith('/') ? `${path}index.html` : path}`);
    if (file !== root && !file.startsWith(root + sep)) return null;
    try {
      const stats = statSync(file);
      return stats.isFile() ? { file, stats } : null;
    } catch {
      return null;
    }
  }

  function body(file: string, stats: Stats, encoding: Encoding): Buffer {
    const key = `${stats.size}:${stats.mtimeMs}`;
    let version = cache.get(file);
    if (!version || version.key !== key) {
      version = { key, bodies: {} };
      cache.set(file, version);
    }
    const known = version.bodies[encoding];
    if (known) return known;
    const made = encoding === 'identity' ? readFileSync(file) : (precompressed(file, stats, encoding) ?? compress(readFileSync(file), encoding));
    version.bodies[encoding] = made;
    return made;
  }

  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const found = fileOf(req);
    if (!found) return next();
    const { file, stats } = found;
    const rel = file.slice(root.length + 1).split(sep).join('/');
    res.setHeader('Cache-Control', rel.startsWith('assets/') ? ASSET_CACHE : rel === 'index.html' ? INDEX_CACHE : OTHER_CACHE);
    const ext = extname(file).toLowerCase();
    if (!COMPRESSIBLE.has(ext)) return next();
    const etag = `W/"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`;
    res.setHeader('ETag', etag);
    res.setHeader('Vary', 'Accept-Encoding');
    res.setHeader('Last-Modified', stats.mtime.toUTCString());
    if (req.headers['if-none-match'] === etag) {
      res.status(304).end();
      return;
    }
    const encoding = chooseEncoding(req.headers['accept-encoding']);
    const data = body(file, stats, encoding);
    res.setHeader('Content-Type', TYPES[ext] ?? 'application/octet-stream');
    if (encoding !== 'identity') res.setHeader('Content-Encoding', encoding);
    res.setHeader('Content-Length', data.length);
    if (req.method === 'HEAD') res.end();
    else res.end(data);
  };
}

/** The build's `<file>.br` / `<file>.gz`, if it is at least as new as the file itself. */
function precompressed(file: string, stats: Stats, encoding: 'br' | 'gzip'): Buffer | null {
  const alt = `${file}.${encoding === 'br' ? 'br' : 'gz'}`;
  if (!existsSync(alt)) return null;
  try {
    return statSync(alt).mtimeMs >= stats.mtimeMs ? readFileSync(alt) : null;
  } catch {
    return null;
  }
}

function compress(data: Buffer, encoding: 'br' | 'gzip'): Buffer {
  // A middle quality: once per file version, fast enough for the first request.
  return encoding === 'br'
    ? brotliCompressSync(data, { params: { [zlib.BROTLI_PARAM_QUALITY]: 6, [zlib.BROTLI_PARAM_SIZE_HINT]: data.length } })
    : gzipSync(data, { level: 6 });
}
