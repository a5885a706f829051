import { describe, expect, it, afterEach } from 'vitest';
import { cpSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const ROOT = new URL('../..', import.meta.url).pathname;
const SCRIPT = join(ROOT, 'scripts/check-deps.mjs');
const PACKAGES = ['protocol', 'device-drivers', 'endpoint-guard', 'cloud-sync', 'edge-agent', 'web-panel', 'testkit'];

/** Copies only package.json/tsconfig of each workspace into a scratch tree. */
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'deps-'));
  for (const p of PACKAGES) {
    mkdirSync(join(dir, p, 'src'), { recursive: true });
    cpSync(join(ROOT, p, 'package.json'), join(dir, p, 'package.json'));
    try {
      cpSync(join(ROOT, p, 'tsconfig.json'), join(dir, p, 'tsconfig.json'));
    } catch {
      /* optional */
    }
  }
  return dir;
}

const run = (dir: string) => spawnSync(process.execPath, [SCRIPT, dir + '/'], { encoding: 'utf8' });

describe('dependency-direction check', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('passes on the real repository', () => {
    const r = spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it.each([
    ['device-drivers/src/x.ts', "import { Store } from '@campus/edge-agent';", /may not import edge-agent/],
    ['protocol/src/x.ts', "import { a } from '@campus/device-drivers';", /may not import device-drivers/],
    ['edge-agent/src/x.ts', "import { startCloud } from '@campus/cloud-sync/server/index';", /only use the client part/],
    ['web-panel/src/x.ts', "import { topics } from '@campus/protocol';", /may import only types/],
    ['endpoint-guard/src/x.ts', "import { x } from '../../edge-agent/src/edge.js';", /reaches into edge-agent/],
    ['cloud-sync/src/x.ts', "const m = await import('@campus/web-panel');", /may not import web-panel/],
    ['protocol/src/x.ts', "import left from 'left-pad';", /does not declare/],
    ['edge-agent/src/x.ts', "import { waitFor } from '@campus/testkit';", /only tests \(edge-agent\/test\/\) may import/],
    ['testkit/src/x.ts', "import { AccessEngine } from '@campus/edge-agent/access/engine';", /testkit may not import edge-agent/],
  ])('fails on %s', (file, code, message) => {
    const dir = scratch();
    dirs.push(dir);
    writeFileSync(join(dir, file), code + '\n');
    const r = run(dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(message);
  });

  it('fails when the edge core (core/, store/, http/, config/, …) imports a registered domain', () => {
    const dir = scratch();
    dirs.push(dir);
    writeFileSync(join(dir, 'edge-agent/src/domains.ts'), "import { busDomain } from './bus/domain.js';\nexport const DOMAINS = [busDomain] as const;\n");
    mkdirSync(join(dir, 'edge-agent/src/bus'), { recursive: true });
    writeFileSync(join(dir, 'edge-agent/src/bus/domain.ts'), "import { ApiRouter } from '../http/router.js';\n");
    mkdirSync(join(dir, 'edge-agent/src/http'), { recursive: true });
    writeFileSync(join(dir, 'edge-agent/src/http/router.ts'), 'export class ApiRouter {}\n');
    // A domain importing the core is fine.
    expect(run(dir).status).toBe(0);
    mkdirSync(join(dir, 'edge-agent/src/store'), { recursive: true });
    writeFileSync(join(dir, 'edge-agent/src/store/x.ts'), "import type { BusTrip } from '../bus/domain.js';\n");
    const r = run(dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/edge-agent\/src\/store\/x\.ts: imports "\.\.\/bus\/domain\.js" from the bus domain/);
  });

  it('lets any package\'s tests import the test kit', () => {
    const dir = scratch();
    dirs.push(dir);
    mkdirSync(join(dir, 'cloud-sync/test'), { recursive: true });
    writeFileSync(join(dir, 'cloud-sync/test/x.test.ts'), "import { waitFor } from '@campus/testkit';\n");
    expect(run(dir).status).toBe(0);
  });

  it('allows type imports in web-panel and the i18n catalogue at runtime', () => {
    const dir = scratch();
    dirs.push(dir);
    writeFileSync(join(dir, 'web-panel/src/x.ts'), "import type { EventEnvelope } from '@campus/protocol';\nimport { translate } from '@campus/protocol/i18n';\n");
    expect(run(dir).status).toBe(0);
  });
});
