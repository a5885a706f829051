import { afterEach, describe, expect, it } from 'vitest';
import { DOMAINS } from '../../src/domains.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestEdge, tempDir } from '../helpers/edge.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function healthz(url: string): Promise<{ status: number; json: { status: string; checks: Record<string, string | null> } }> {
  const r = await fetch(`${url}/healthz`);
  return { status: r.status, json: (await r.json()) as never };
}

describe('/healthz and the registered domains', () => {
  it('lists every enabled domain and answers 200 once all have started', async () => {
    const edge = await startTestEdge();
    cleanups.push(() => edge.cleanup());
    const h = await healthz(edge.httpUrl);
    expect(h.status).toBe(200);
    expect(h.json.checks).toMatchObject({ 'domain:access': null, 'domain:endpoints': null, 'domain:sync': null });
    // Energy and the school bus are off in this configuration: not started, not listed.
    expect('domain:energy' in h.json.checks).toBe(false);
    expect('domain:bus' in h.json.checks).toBe(false);
    // Every domain is registered; only the enabled ones are loaded (a disabled one when first needed).
    expect(DOMAINS.map((d) => d.name)).toEqual(['endpoints', 'access', 'energy', 'bus', 'facilities', 'sync']);
    expect([...edge.domains.keys()]).toEqual(['endpoints', 'access', 'sync']);
  });

  it('a domain that fails to start is named (503) while the others keep running', async () => {
    const d = tempDir('healthz-');
    cleanups.push(() => d.remove());
    // The USB guard's signing key path is a folder: that domain cannot start.
    const keyDir = join(d.path, 'not-a-key.pem');
    mkdirSync(keyDir);
    writeFileSync(join(keyDir, 'x'), 'x');
    const edge = await startTestEdge({ endpoints: { signingKeyFile: keyDir } });
    cleanups.push(() => edge.cleanup());
    const h = await healthz(edge.httpUrl);
    expect(h.status).toBe(503);
    expect(h.json.checks['domain:endpoints']).toMatch(/^failed: /);
    expect(h.json.checks['domain:access']).toBeNull();
    // The gate API still answers.
    expect((await fetch(`${edge.httpUrl}/api/access/gates`)).status).toBe(401);
  });
});
