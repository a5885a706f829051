import { outboxContract, changeApplierContract } from '@campus/cloud-sync/client/testing';
import { Store } from '../../src/store/index.js';
import { TrustedClock } from '../../src/core/clock.js';
import { SqliteOutbox } from '../../src/sync/outbox.js';
import { CloudRecords } from '../../src/sync/cloud-records.js';
import { tempDir } from '../helpers/edge.js';
import { ALL_MIGRATIONS } from '../../src/migrations.js';

// The shared cloud-sync contract suites, run against the edge's real SQLite store.
function openStore(dir: string, site: string) {
  return Store.open({ migrations: ALL_MIGRATIONS, dataDir: dir, file: 'edge.db', backupDir: 'b', synchronous: 'normal', site, clock: new TrustedClock({ mode: 'always' }) });
}

outboxContract('edge SQLite store', async () => {
  const dir = tempDir();
  let store = openStore(dir.path, 'contract-site');
  return {
    outbox: new SqliteOutbox(store.db, 'contract-site'),
    append: (events) => void store.events.ingest(events),
    reopen: () => {
      store.close();
      store = openStore(dir.path, 'contract-site');
      return new SqliteOutbox(store.db, 'contract-site');
    },
    close: () => {
      store.close();
      dir.remove();
    },
  };
});

changeApplierContract('edge SQLite store', async () => {
  const dir = tempDir();
  let store = openStore(dir.path, 's');
  let records = new CloudRecords(store.db, store.vault);
  const read = (kind: string, key: string) => records.get(kind, key) ?? null;
  return {
    applier: records,
    read,
    reopen: () => {
      store.close();
      store = openStore(dir.path, 's');
      records = new CloudRecords(store.db, store.vault);
      return { applier: records, read: (kind: string, key: string) => records.get(kind, key) ?? null };
    },
    close: () => {
      store.close();
      dir.remove();
    },
  };
});
