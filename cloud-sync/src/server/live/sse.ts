import type { Request, Response } from 'express';
import { bilingual } from '@campus/protocol';
import { HttpError } from '../http/errors.js';
import type { LiveHub } from './hub.js';
import './messages.js';

export interface LiveStreamOptions {
  hub: LiveHub;
  topics: readonly string[];
  /** The view's current state, read with the caller's access rules (called on connect and on every change). */
  render: () => Promise<unknown>;
  /** At most one render per this many ms (a bus reporting every second costs one read a second, not one per fix). */
  minIntervalMs?: number;
  /** A comment line this often keeps proxies from closing an idle stream. */
  heartbeatMs?: number;
  /** The stream ends after this long; EventSource reconnects by itself (bounded server state, re-checked access). */
  maxMs?: number;
}

export const LIVE_DEFAULTS = { minIntervalMs: 500, heartbeatMs: 15_000, maxMs: 10 * 60_000 };

/** Open live streams in this process, at most MAX_STREAMS (a 503 beyond, the client retries). */
let open = 0;
export const MAX_STREAMS = 5_000;
export const openStreams = () => open;

/**
 * Serves a live view as server-sent events: `event: update` with the rendered JSON on
 * connect and after every change of its topics (from any cloud process, see LiveHub),
 * coalesced; a render that fails sends `event: error` (both languages) and the stream
 * stays open. Resolves when the stream ends (client gone, or `maxMs` over); rejects with
 * 503 before anything is written when this process already holds MAX_STREAMS.
 */
export async function streamLive(req: Request, res: Response, opts: LiveStreamOptions): Promise<void> {
  const minInterval = opts.minIntervalMs ?? LIVE_DEFAULTS.minIntervalMs;
  if (open >= MAX_STREAMS) throw new HttpError(503, 'live.error.busy', undefined, { 'retry-after': '5' });
  open++;
  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Connection', 'keep-alive');
  res.setHeader('X-Accel-Buffering', 'no'); // nginx: do not buffer the stream
  res.flushHeaders();
  res.write('retry: 2000\n\n');

  return await new Promise<void>((resolve) => {
    let closed = false;
    let rendering = false;
    let again = false;
    let last = 0;
    let timer: NodeJS.Timeout | null = null;
    let seq = 0;
    const send = async () => {
      timer = null;
      if (closed) return;
      if (rendering) {
        again = true;
        return;
      }
      rendering = true;
      last = Date.now();
      try {
        const view = await opts.render();
        if (!closed) res.write(`id: ${++seq}\nevent: update\ndata: ${JSON.stringify(view)}\n\n`);
      } catch {
        // The client keeps its last view; the next change (or a reconnect) reads again.
        if (!closed) res.write(`event: error\ndata: ${JSON.stringify({ code: 'live.error.render', message: bilingual('live.error.render') })}\n\n`);
      } finally {
        rendering = false;
      }
      if (again) {
        again = false;
        schedule();
      }
    };
    const schedule = () => {
      if (closed || timer) return;
      if (rendering) {
        again = true;
        return;
      }
      timer = setTimeout(() => void send(), Math.max(0, last + minInterval - Date.now()));
    };
    const off = opts.hub.subscribe(opts.topics, schedule);
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), opts.heartbeatMs ?? LIVE_DEFAULTS.heartbeatMs);
    const end = setTimeout(() => finish(true), opts.maxMs ?? LIVE_DEFAULTS.maxMs);
    const finish = (endResponse: boolean) => {
      if (closed) return;
      closed = true;
      open--;
      off();
      clearInterval(heartbeat);
      clearTimeout(end);
      if (timer) clearTimeout(timer);
      if (endResponse) res.end();
      resolve();
    };
    req.on('close', () => finish(false));
    res.on('close', () => finish(false));
    void send();
  });
}
