import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EventOutbox, type OutboxItem } from '../../src/events/event-outbox.js';
import { silentLogger } from '../../src/log/logger.js';
import { waitFor } from '../helpers/wait.js';

const item = (n: number): OutboxItem => ({ topic: 'campus/pc/x/usb', payload: String(n) });

describe('EventOutbox', () => {
  it('holds events while offline, bounded, counting what the bound pushed out', () => {
    const box = new EventOutbox(3, async () => true, () => false, silentLogger);
    for (let i = 0; i < 5; i++) box.push(item(i));
    expect(box.size).toBe(3);
    expect(box.overflowDropped).toBe(2);
  });

  it('sends once connected and retries what the broker did not take', async () => {
    let online = false;
    const attempts: string[] = [];
    const box = new EventOutbox(
      10,
      async (i) => {
        attempts.push(i.payload);
        return attempts.length > 1; // the very first publish fails (connection dropped)
      },
      () => online,
      silentLogger,
    );
    box.push(item(1));
    box.push(item(2));
    expect(attempts).toEqual([]); // nothing goes out while offline
    online = true;
    box.pump();
    await waitFor(() => box.size === 0, 'all delivered');
    expect(attempts.filter((a) => a === '1')).toHaveLength(2);
    expect(attempts.filter((a) => a === '2')).toHaveLength(1);
  });

  it('saves and reloads queued events across a restart, ignoring junk', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'outbox-'));
    try {
      const path = join(dir, 'events.json');
      const a = new EventOutbox(10, async () => true, () => false, silentLogger);
      a.push(item(1));
      a.push(item(2));
      await a.save(path);
      const b = new EventOutbox(10, async () => true, () => false, silentLogger);
      await b.load(path);
      expect(b.size).toBe(2);
      await writeFile(path, '[{"topic":1},"x",{"topic":"t","payload":"p"}]');
      const c = new EventOutbox(10, async () => true, () => false, silentLogger);
      await c.load(path);
      expect(c.size).toBe(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
