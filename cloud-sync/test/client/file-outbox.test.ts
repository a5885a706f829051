import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileOutbox } from '../../src/client/reference/file-outbox.js';
import { contractEvent } from '../../src/client/testing.js';

describe('FileOutbox crash recovery', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('drops a line torn by a crash mid-append and keeps appending after it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'campus-fo-'));
    dirs.push(dir);
    const a = new FileOutbox(dir);
    a.append([contractEvent(3), contractEvent(1)]);
    a.close();
    appendFileSync(join(dir, 'outbox.jsonl'), '{"seq":3,"event":{"id":"0190'); // torn write
    const b = new FileOutbox(dir);
    expect(b.backlog().pendingByLane).toEqual({ 0: 0, 1: 1, 2: 0, 3: 1 });
    const [row] = b.append([contractEvent(3)]);
    expect(row!.seq).toBe(3);
    b.close();
    const lines = readFileSync(join(dir, 'outbox.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(3);
    const c = new FileOutbox(dir);
    expect(c.pending(3, 0, 10).map((e) => e.seq)).toEqual([1, 3]);
    c.close();
  });
});
