import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileOutbox } from '../../src/client/reference/file-outbox.js';
import { MemoryOutbox } from '../../src/client/reference/memory-outbox.js';
import { MemoryChangeApplier } from '../../src/client/reference/memory-applier.js';
import { changeApplierContract, outboxContract } from '../../src/client/testing.js';

outboxContract('MemoryOutbox', async () => {
  const outbox = new MemoryOutbox();
  return { outbox, append: (events) => void outbox.append(events), close: () => undefined };
});

outboxContract('FileOutbox', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'campus-outbox-'));
  let outbox = new FileOutbox(dir);
  return {
    outbox,
    append: (events) => void outbox.append(events),
    reopen: () => {
      outbox.close();
      outbox = new FileOutbox(dir);
      return outbox;
    },
    close: () => {
      outbox.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

changeApplierContract('MemoryChangeApplier', async () => {
  const applier = new MemoryChangeApplier();
  return { applier, read: (kind, key) => applier.get(kind, key), close: () => undefined };
});
