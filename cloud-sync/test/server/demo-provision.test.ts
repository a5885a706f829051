import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INGEST_PATH } from '@campus/protocol/sync/ingest';
import { provisionDemo, type DemoLink } from '../../src/server/demo-provision.js';
import { pgliteBackend } from '../helpers/backends.js';
import { startTestCloud, type TestCloud } from '../helpers/cloud.js';
import { makeEvent } from '@campus/testkit';
import { signedSend } from '../helpers/signed-request.js';

describe('demo provisioning', () => {
  let cloud: TestCloud;
  const dir = mkdtempSync(join(tmpdir(), 'campus-demo-'));
  beforeAll(async () => {
    cloud = await startTestCloud(pgliteBackend);
  });
  afterAll(async () => {
    await cloud?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes working edge credentials once and reuses them on the next start', async () => {
    const file = join(dir, 'link.json');
    const first = await provisionDemo(cloud, 'demo-campus', file);
    const stored = JSON.parse(readFileSync(file, 'utf8')) as DemoLink;
    expect(stored).toEqual(first);
    const r = await signedSend(cloud.url, first.credentials, 'POST', INGEST_PATH, JSON.stringify({ events: [makeEvent('demo-campus')] }));
    expect(r.status).toBe(200);
    const again = await provisionDemo(cloud, 'demo-campus', file);
    expect(again.credentials).toEqual(first.credentials);
    await cloud.tenancy.revokeKey(first.credentials.edgeId, first.credentials.keyId);
    const renewed = await provisionDemo(cloud, 'demo-campus', file);
    expect(renewed.credentials.keyId).not.toBe(first.credentials.keyId);
    expect(renewed.schoolId).toBe(first.schoolId);
  });
});
