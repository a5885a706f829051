import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const CLOUD_BIN = new URL('../../../cloud-sync/dist/bin/campus-cloud.js', import.meta.url).pathname;

export interface CloudLink {
  cloudUrl: string;
  adminToken: string;
  schoolId: string;
  credentials: { edgeId: string; keyId: string; privateKey: string };
}

/**
 * A real cloud process (PGlite in `dir`, or PostgreSQL with `env.DATABASE_URL`), with a
 * demo school and this edge provisioned (link file written). `env` adds to its
 * environment (e.g. CAMPUS_CLOUD_PUSH_CA_FILE); `output()` is what it logged so far
 * (in demo mode that includes parent sign-in codes).
 */
export async function startCloudProcess(dir: string, site: string, env: Record<string, string> = {}, config?: Record<string, unknown>) {
  const linkFile = join(dir, 'cloud-link.json');
  const args = [CLOUD_BIN, 'start'];
  if (config) {
    const file = join(dir, 'cloud-config.json');
    writeFileSync(file, JSON.stringify(config));
    args.push('--config', file);
  }
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, args, {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', CAMPUS_CLOUD_DATA_DIR: join(dir, 'cloud'), CAMPUS_CLOUD_DEMO: '1', CAMPUS_CLOUD_DEMO_SITE: site, CAMPUS_CLOUD_DEMO_FILE: linkFile, ...env },
  });
  let out = '';
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('"listening"')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`cloud exited ${code}: ${out}`)));
  });
  const link = JSON.parse(readFileSync(linkFile, 'utf8')) as CloudLink;
  const admin = (path: string, init: RequestInit = {}) =>
    fetch(`${link.cloudUrl}${path}`, { ...init, headers: { authorization: `Bearer ${link.adminToken}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });
  return {
    link,
    linkFile,
    admin,
    output: () => out,
    /** Writes records (all or nothing) and expects the cloud to take them. */
    async write(records: Array<{ kind: string; key: string; data?: unknown; delete?: true }>): Promise<void> {
      const r = await admin(`/api/admin/schools/${link.schoolId}/records`, { method: 'POST', body: JSON.stringify({ records }) });
      if (r.status !== 200) throw new Error(`cloud write ${r.status}: ${await r.text()}`);
    },
    async stop(): Promise<void> {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
  };
}
