import { randomBytes } from 'node:crypto';
import { quietLogger, startCloud, type CloudOptions, type RunningCloud } from '../../src/server/index.js';
import type { Backend } from './backends.js';

/** Parsed JSON of an API answer; tests check it field by field. */
export type Json = any;

export interface TestCloud extends RunningCloud {
  /** Stops the cloud and drops its database. */
  dispose(): Promise<void>;
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }>;
}

export async function startTestCloud(backend: Backend, extra: CloudOptions = {}): Promise<TestCloud> {
  const db = await backend.open();
  // No school quiet hours unless a test asks for them: notices must not depend on the hour the suite runs.
  // A data key of its own (medical notes): no key file written beside the suite.
  const cloud = await startCloud({ ...db.options, logger: quietLogger, dataKey: randomBytes(32), ...extra, notices: { quietHours: null, ...extra.notices } });
  return Object.assign(cloud, {
    async dispose() {
      await cloud.close();
      await db.cleanup();
    },
    async admin(method: string, path: string, body?: unknown) {
      const res = await fetch(cloud.url + '/api/admin' + path, {
        method,
        headers: { authorization: `Bearer ${cloud.adminToken}`, 'content-type': 'application/json' },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : null };
    },
  });
}

/** A school with one student, two guardians (one receives notices via push) and one edge. */
export async function seedSchool(cloud: RunningCloud, site: string, phones: { mother: string; father: string }, studentKey = 'stu-1') {
  const edge = await cloud.provisionEdge({ schoolName: `${site} 学校`, site });
  await cloud.records.write(edge.schoolId, [
    { kind: 'person', key: studentKey, data: { name: '张小明', roles: ['student'], classId: '三年级2班' } },
    { kind: 'person', key: `${studentKey}-mother`, data: { name: '李芳', roles: ['guardian'], phone: phones.mother } },
    { kind: 'person', key: `${studentKey}-father`, data: { name: '张伟', roles: ['guardian', 'teacher'], phone: phones.father } },
    { kind: 'guardianship', key: `${studentKey}-g1`, data: { studentId: studentKey, guardianId: `${studentKey}-mother`, relation: '母亲', mayPickUp: true, receivesNotices: true } },
    { kind: 'guardianship', key: `${studentKey}-g2`, data: { studentId: studentKey, guardianId: `${studentKey}-father`, relation: '父亲', mayPickUp: true, receivesNotices: true } },
  ]);
  return edge;
}

export { waitFor } from '@campus/testkit';
