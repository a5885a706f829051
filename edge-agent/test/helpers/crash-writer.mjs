// Child process for the kill -9 test: opens the real store (built code) and appends
// events in a loop, printing each id only after append returned.
import { Store } from '../../dist/store/index.js';
import { TrustedClock } from '../../dist/core/clock.js';
import { ALL_MIGRATIONS } from '../../dist/migrations.js';
import { writeSync } from 'node:fs';

const dir = process.argv[2];
const store = Store.open({ migrations: ALL_MIGRATIONS, dataDir: dir, file: 'edge.db', backupDir: 'backups', synchronous: 'full', site: 'crash', clock: new TrustedClock({ mode: 'always' }) });
for (;;) {
  const batch = Math.random() < 0.3;
  if (batch) {
    const evs = store.events.appendMany(Array.from({ length: 20 }, (_, i) => ({ type: 'test.crash', reason: 'test', source: 'writer', data: { i } })));
    for (const e of evs) writeSync(1, `ok ${e.id}\n`);
  } else {
    const e = store.events.append({ type: 'test.crash', reason: 'test', source: 'writer', data: { pad: 'x'.repeat(200) } });
    writeSync(1, `ok ${e.id}\n`);
  }
}
