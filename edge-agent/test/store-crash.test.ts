import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { tempDir } from './helpers/edge.js';

const WRITER = new URL('./helpers/crash-writer.mjs', import.meta.url).pathname;

/**
 * kill -9 of the daemon in the middle of a write loop: the database opens and holds
 * every event whose append returned (the writer prints each id after append
 * returns; we kill it at a random moment and check every printed id is there).
 */
describe('store durability under kill -9', () => {
  it('keeps every acknowledged event across 12 random kills', async () => {
    const d = tempDir();
    try {
      for (let trial = 0; trial < 12; trial++) {
        const child = spawn(process.execPath, [WRITER, d.path], { stdio: ['ignore', 'pipe', 'inherit'] });
        const acked: string[] = [];
        let buf = '';
        child.stdout.on('data', (chunk: Buffer) => {
          buf += chunk.toString();
          const lines = buf.split('\n');
          buf = lines.pop()!;
          for (const l of lines) if (l.startsWith('ok ')) acked.push(l.slice(3));
        });
        await new Promise<void>((resolve) => {
          const started = Date.now();
          const iv = setInterval(() => {
            if (acked.length > 50 || Date.now() - started > 8000) {
              clearInterval(iv);
              setTimeout(() => {
                child.kill('SIGKILL');
                resolve();
              }, Math.random() * 150);
            }
          }, 5);
        });
        await new Promise((r) => child.once('exit', r));
        expect(acked.length).toBeGreaterThan(0);
        const db = new Database(join(d.path, 'edge.db'));
        expect(db.pragma('quick_check', { simple: true })).toBe('ok');
        const have = new Set((db.prepare('SELECT id FROM events').all() as Array<{ id: string }>).map((r) => r.id));
        db.close();
        const missing = acked.filter((id) => !have.has(id));
        expect(missing).toEqual([]);
      }
    } finally {
      d.remove();
    }
  }, 120_000);
});
