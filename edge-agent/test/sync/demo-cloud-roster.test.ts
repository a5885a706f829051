import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, startTestEdge, waitFor } from '../helpers/edge.js';
import { demoCloudRoster, postDemoRoster, readDemoCloudLink } from '../../src/demo/cloud-roster.js';
import { startCloudProcess } from './cloud-process.js';

/** The demo posts its roster to the local cloud on every start: only what the cloud lacks is written. */
describe('demo cloud roster', () => {
  const dir = tempDir('campus-demo-roster-');
  let cloud: Awaited<ReturnType<typeof startCloudProcess>>;

  beforeAll(async () => {
    cloud = await startCloudProcess(dir.path, 'demo-roster');
  }, 120_000);

  afterAll(async () => {
    await cloud?.stop();
    dir.remove();
  });

  it('writes the roster once; a restart writes nothing; a record changed in the cloud is put back', async () => {
    const link = readDemoCloudLink(cloud.linkFile);
    const roster = demoCloudRoster();
    expect(roster.some((r) => r.kind === 'guardianship' && r.data.receivesNotices === true)).toBe(true);
    expect(roster.filter((r) => r.kind === 'person' && typeof r.data.phone === 'string').length).toBeGreaterThanOrEqual(2);

    const first = await postDemoRoster(link);
    expect(first).toEqual({ written: roster.length, total: roster.length });
    expect(await postDemoRoster(link)).toEqual({ written: 0, total: roster.length });

    await cloud.write([{ kind: 'person', key: 'P0002', data: { name: '改过的名字', roles: ['guardian'] } }]);
    expect(await postDemoRoster(link)).toEqual({ written: 1, total: roster.length });
    expect(await cloud.read('person', 'P0002')).toMatchObject({ name: '李妈妈', phone: '13800000002' });
    // Written with the school's records key, never the provisioning token; audited as that key.
    expect(link.recordsKey).toMatch(/^ok_/);
    expect((await cloud.admin(`/api/admin/schools/${link.schoolId}/records/person/P0002`)).status).toBe(404);
  }, 60_000);

  it('the posted roster reaches a linked edge: classes, guardians receiving notices, the lost card', async () => {
    const edge = await startTestEdge({ site: { id: 'demo-roster', name: '演示' }, cloud: { enabled: true, linkFile: cloud.linkFile } });
    try {
      const link = await waitFor(() => edge.access.people.guardiansOf('2026010102').find((l) => l.guardianId === 'P0002'), 20_000, 50);
      expect(link).toMatchObject({ relation: 'mother', receivesNotices: true });
      const s = edge.access.people.get('2026010102')!;
      expect(edge.access.people.className(s.classId)).toBe('初一 1班');
      expect(edge.access.people.get('P0002')!.phone).toBe('13800000002');
      expect(edge.access.people.get('2026010104')!.minCardVersion).toBe(2);
    } finally {
      await edge.cleanup();
    }
  }, 60_000);
});
