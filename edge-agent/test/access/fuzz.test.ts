import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import pino from 'pino';
import { LineFramer, type Frame } from '@campus/device-drivers/qr/index';
import { ACCESS_DENY_REASONS, ACCESS_GRANT_REASONS } from '@campus/protocol/access/index';
import { CREDENTIAL_REASONS } from '@campus/protocol/credentials/index';
import { AccessConfigSchema } from '../../src/access/config.js';
import { AccessService } from '../../src/access/service.js';
import { TrustedClock } from '../../src/core/clock.js';
import { Store } from '../../src/store/index.js';
import { tempDir } from '../helpers/edge.js';
import { FakeClock, TestIssuer } from './helpers.js';
import { SystemTime } from '../../src/core/time.js';
import { SchoolCalendar } from '../../src/school/calendar.js';
import { SchoolTime } from '../../src/school/time.js';
import { ALL_MIGRATIONS } from '../../src/migrations.js';

const KNOWN = new Set<string>([...CREDENTIAL_REASONS, ...ACCESS_DENY_REASONS, ...ACCESS_GRANT_REASONS]);
const LINES_PER_RUN = 100;
const RUNS = 1000; // 100,000 lines

/**
 * 100,000 random lines through the reader's framing, the credential codec and the
 * decision engine, on a real SQLite store: nothing throws, every refusal has a known
 * reason, and only genuine cards of people on the roster are ever granted.
 */
describe('fuzzing framing → parsing → decision', () => {
  const dir = tempDir('campus-fuzz-');
  const issuer = new TestIssuer('K1');
  const clock = new FakeClock(Date.parse('2026-09-07T07:10:00+08:00'));
  let store: Store;
  let access: AccessService;
  const ids = Array.from({ length: 50 }, (_, i) => `20260${String(i).padStart(5, '0')}`);
  const genuine = new Map(ids.map((id) => [issuer.card(id), id]));

  beforeAll(async () => {
    issuer.install(`${dir.path}/keys`);
    const trusted = new TrustedClock({ mode: 'always', wallNow: clock.now });
    store = Store.open({ migrations: ALL_MIGRATIONS, dataDir: dir.path, file: 'edge.db', backupDir: 'backups', synchronous: 'normal', site: 'fuzz', clock: trusted });
    const config = AccessConfigSchema.parse({
      keysDir: `${dir.path}/keys`,
      zones: [{ id: 'campus', no: 1, name: '校园', kind: 'campus' }],
      gates: [{ id: 'east', no: 1, name: '东门', zone: 'campus' }],
    });
    const schoolTime = new SchoolTime('Asia/Shanghai');
    access = new AccessService({
      config,
      dataDir: dir.path,
      store,
      clock: trusted,
      time: new SystemTime(() => trusted.now()),
      school: { time: schoolTime, calendar: new SchoolCalendar(store.db, schoolTime) },
      log: pino({ level: 'silent' }),
      appendEvent: (e) => store.events.append(e),
    });
    await access.start();
    for (const id of ids) {
      access.people.create({ id, name: `学生${id.slice(-2)}`, roles: ['student'], classId: null, boarder: false, dormitoryZone: null, phone: null, active: true, cardVersion: 1 });
    }
  });
  afterAll(async () => {
    await access?.stop();
    store?.close();
    dir.remove();
  });

  const validCards = () => fc.constantFrom(...genuine.keys());
  const mutate = (s: string, at: number, ch: string) => s.slice(0, at % s.length) + ch + s.slice((at % s.length) + 1);
  const line = fc.oneof(
    { weight: 3, arbitrary: fc.uint8Array({ maxLength: 300 }) },
    { weight: 2, arbitrary: fc.string({ maxLength: 200 }).map((s) => Buffer.from(s + '\r\n')) },
    { weight: 2, arbitrary: fc.tuple(validCards(), fc.nat(), fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_')).map(([c, at, ch]) => Buffer.from(mutate(c, at, ch) + '\r\n')) },
    { weight: 1, arbitrary: fc.tuple(validCards(), fc.nat(130)).map(([c, n]) => Buffer.from(c.slice(0, n) + '\n')) },
    { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'), maxLength: 150 }).map((s) => Buffer.from('SC1:' + s + '\r')) },
    { weight: 1, arbitrary: validCards().map((c) => Buffer.from(c + '\r\n')) },
  );

  it('decides 100,000 random lines without throwing, with known reasons, granting only genuine cards', () => {
    const gate = access.gates.get('east')!;
    let lines = 0;
    let granted = 0;
    fc.assert(
      fc.property(fc.array(line, { minLength: LINES_PER_RUN, maxLength: LINES_PER_RUN }), (chunks) => {
        const frames: Frame[] = [];
        const framer = new LineFramer({ terminator: 'auto', maxLineLength: 256 }, (f) => frames.push(f));
        for (const c of chunks) framer.push(c);
        framer.idle();
        for (const f of frames) {
          if (f.kind !== 'line') continue;
          lines++;
          const decision = access.engine!.decide(f.text, gate, 'in', clock.now());
          expect(KNOWN.has(decision.reason), decision.reason).toBe(true);
          if (decision.granted) {
            granted++;
            expect(genuine.get(f.text), `granted ${f.text}`).toBe(decision.personId);
          } else if (genuine.has(f.text)) {
            throw new Error(`genuine card refused: ${decision.reason}`);
          }
        }
      }),
      { numRuns: RUNS },
    );
    // About half the random chunks end in a terminator; the bound only proves lines reached the engine.
    expect(lines).toBeGreaterThan(40_000);
    expect(granted).toBeGreaterThan(1000);
  }, 120_000);
});
