import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DemoLink } from '../../src/server/demo-provision.js';
import { REPO_ROOT } from '../helpers/processes.js';

/** Runs `campus-cloud start` until it listens, then stops it; returns everything it printed. */
async function runOnce(dataDir: string, linkFile: string): Promise<string> {
  // The built bin, as the demo starts it (edge-agent/src/demo/local-cloud.ts).
  const child = spawn(process.execPath, ['cloud-sync/dist/bin/campus-cloud.js', 'start'], {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', CAMPUS_CLOUD_DATA_DIR: dataDir, CAMPUS_CLOUD_DEMO: '1', CAMPUS_CLOUD_DEMO_SITE: 'token-site', CAMPUS_CLOUD_DEMO_FILE: linkFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`cloud did not start: ${out}`)), 60_000);
    const onData = (c: Buffer) => {
      out += c.toString('utf8');
      if (out.includes('"listening"')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`cloud exited (${code}): ${out}`)));
  });
  child.kill('SIGTERM');
  await exited;
  return out;
}

describe('the local cloud and its admin token', () => {
  const dir = mkdtempSync(join(tmpdir(), 'campus-token-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the generated admin token on first-run set-up only, and no secret on later starts', async () => {
    const dataDir = join(dir, 'cloud');
    const linkFile = join(dir, 'cloud-link.json');
    const first = await runOnce(dataDir, linkFile);
    const link = JSON.parse(readFileSync(linkFile, 'utf8')) as DemoLink;
    expect(link.adminToken.length).toBeGreaterThanOrEqual(24);
    expect(first).toContain(link.adminToken);
    expect(first).toContain('first-run set-up');

    const second = await runOnce(dataDir, linkFile);
    expect(second).toContain('"listening"');
    expect(second).not.toContain(link.adminToken);
    expect(second).not.toContain('first-run set-up');
    // Nor any other secret: the edge's private key lives only in the link file (mode 0600).
    for (const out of [first, second]) expect(out).not.toContain(link.credentials.privateKey.split('\n').find((l) => l.length > 40) ?? link.credentials.privateKey);
    // The token still works after the restart: it is the same one, kept in the database.
    expect((JSON.parse(readFileSync(linkFile, 'utf8')) as DemoLink).adminToken).toBe(link.adminToken);
  }, 120_000);
});
