import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { encodeCredential, toCredentialMinute } from '@campus/protocol/credentials/index';
import type { AccessConfigInput } from '../../src/access/config.js';
import type { EdgeConfigInput } from '../../src/edge-config.js';
import type { StartEdgeOptions } from '../../src/edge.js';
import { FakeClock } from '@campus/testkit';
import { ADMIN, ApiClient, startTestEdge, tempDir } from '../helpers/edge.js';

/** An issuer key pair; the public half goes into the edge's keys dir as issuer-<kid>.pub. */
export class TestIssuer {
  readonly privateKey: KeyObject;
  readonly publicPem: string;

  constructor(readonly kid = 'K1') {
    const pair = generateKeyPairSync('ed25519');
    this.privateKey = pair.privateKey;
    this.publicPem = pair.publicKey.export({ format: 'pem', type: 'spki' }).toString();
  }

  install(keysDir: string): void {
    mkdirSync(keysDir, { recursive: true });
    writeFileSync(join(keysDir, `issuer-${this.kid}.pub`), this.publicPem);
  }

  card(personId: string, cardVersion = 1): string {
    return encodeCredential({ kind: 'card', personId, cardVersion }, this.privateKey, this.kid);
  }

  visitor(p: { passId: number; from: number; until: number; oneUse?: boolean; host?: string; gates?: number[]; zones?: number[] }): string {
    return encodeCredential(
      {
        kind: 'visitor',
        passId: p.passId,
        validFrom: toCredentialMinute(p.from, 'floor'),
        validUntil: toCredentialMinute(p.until, 'ceil'),
        oneUse: p.oneUse ?? true,
        hostPersonId: p.host ?? 'T001',
        gates: p.gates ?? [],
        zones: p.zones ?? [1],
      },
      this.privateKey,
      this.kid,
    );
  }
}

/** A settable wall clock for the edge (the school's time rules run on it): the shared test kit's. */
export { FakeClock };

export const ZONES: AccessConfigInput['zones'] = [
  { id: 'campus', no: 1, name: '校园', kind: 'campus', antiPassback: 'strict', passbackResetHour: 3 },
  { id: 'dorm-a', no: 2, name: '宿舍A栋', kind: 'dormitory', antiPassback: 'soft' },
];

export const GATES: AccessConfigInput['gates'] = [
  { id: 'east', no: 1, name: '东门', zone: 'campus' },
  { id: 'north', no: 2, name: '北门', zone: 'campus' },
  { id: 'dorm-a-door', no: 3, name: '宿舍A栋门', zone: 'dorm-a' },
];

/** A real edge with access config, a fake clock and an issuer key installed; signed in as admin. */
export async function startAccessEdge(
  access: Partial<AccessConfigInput> = {},
  opts: {
    clock?: FakeClock;
    issuer?: TestIssuer;
    edge?: StartEdgeOptions;
    /** Kept across restarts; the caller removes it. */ dataDir?: string;
    /** More of the edge's config (site, cloud, ...). */ config?: Omit<EdgeConfigInput, 'access' | 'dataDir'>;
  } = {},
) {
  const issuer = opts.issuer ?? new TestIssuer();
  const keysDir = opts.dataDir ? { path: join(opts.dataDir, 'keys'), remove: () => undefined } : tempDir('campus-keys-');
  issuer.install(keysDir.path);
  const clock = opts.clock ?? new FakeClock(Date.parse('2026-09-07T00:00:00Z'));
  const edge = await startTestEdge(
    { ...opts.config, ...(opts.dataDir ? { dataDir: opts.dataDir } : {}), access: { zones: ZONES, gates: GATES, keysDir: keysDir.path, ...access } },
    { wallNow: clock.now, logger: pino({ level: 'silent' }), ...opts.edge },
  );
  const admin = new ApiClient(edge.httpUrl);
  const login = await admin.login(ADMIN.username, ADMIN.password);
  if (login.status !== 200) throw new Error(`admin login failed: ${login.status}`);
  return {
    edge,
    admin,
    issuer,
    clock,
    async cleanup() {
      if (opts.dataDir) await edge.stop();
      else await edge.cleanup();
      keysDir.remove();
    },
  };
}

export const ROSTER_CSV = [
  '学号,姓名,身份,年级,班级,住校,宿舍,子女学号,关系,可接送',
  '2026010001,张三,学生,初一,1班,否,,,,',
  '2026010002,李四,学生,初一,1班,否,,,,',
  '2026010003,王五,学生,初一,1班,是,宿舍A栋,,,',
  '2026010004,赵六,学生,初一,2班,否,,,,',
  'T001,陈老师,教师,,,,,,,',
  'P001,张爸爸,家长,,,,,2026010001,父亲,是',
].join('\r\n');

export function b64(text: string | Uint8Array): string {
  return Buffer.from(text).toString('base64');
}

/** Imports ROSTER_CSV and a timetable for 初一 (07:00 entry, late after 07:30, dismissal 16:30). */
export async function seedSchool(admin: ApiClient): Promise<{ gradeId: number; class1: number; class2: number }> {
  const imp = await admin.req('POST', '/api/access/roster/import', { fileName: 'roster.csv', contentBase64: b64(ROSTER_CSV) });
  if (imp.status !== 200) throw new Error(`roster import failed: ${JSON.stringify(imp.json)}`);
  const classes = await admin.req('GET', '/api/access/classes');
  const grade = classes.json.grades[0];
  const tt = await admin.req('PUT', '/api/access/timetables', {
    timetables: [{ gradeId: grade.id, entryStart: '07:00', lateAfter: '07:30', dismissalStart: '16:30', dismissalEnd: '18:00', lunch: [{ start: '12:00', end: '13:00', mayLeave: 'day_students' }] }],
  });
  if (tt.status !== 200) throw new Error(`timetable failed: ${JSON.stringify(tt.json)}`);
  return { gradeId: grade.id, class1: grade.classes[0].id, class2: grade.classes[1].id };
}
