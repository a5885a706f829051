import { report } from './lib.js';
import { UuidV7Generator } from '@campus/protocol';

const gen = new UuidV7Generator();
const n = 200_000;
const t0 = performance.now();
for (let i = 0; i < n; i++) gen.next();
const s = (performance.now() - t0) / 1000;
report({ name: 'protocol.uuidv7', metric: 'throughput', value: Math.round(n / s), unit: 'ids/s' });
