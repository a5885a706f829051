import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cloudSchoolAdmin, type CloudSchoolAdmin } from '@campus/testkit';

const CLOUD_BIN = new URL('../../../cloud-sync/dist/bin/campus-cloud.js', import.meta.url).pathname;

export interface CloudLink {
  cloudUrl: string;
  /** Provisioning only. */
  adminToken: string;
  /** The demo school's open-data key with records:read, records:write and sensitive. */
  recordsKey: string;
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
  let staff: Promise<CloudSchoolAdmin> | null = null;
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
  const records = `${link.cloudUrl}/api/open/v1/schools/${encodeURIComponent(link.schoolId)}/records`;
  const asSchool = (url: string, init: RequestInit = {}) => fetch(url, { ...init, headers: { authorization: `Bearer ${link.recordsKey}`, 'content-type': 'application/json' } });
  return {
    link,
    linkFile,
    admin,
    output: () => out,
    /** Writes records (all or nothing) with the school's records key, as its own systems would; returns the answer. */
    async tryWrite(batch: Array<{ kind: string; key: string; data?: unknown; delete?: true }>): Promise<{ status: number; text: string }> {
      const r = await asSchool(records, { method: 'POST', body: JSON.stringify({ records: batch }) });
      return { status: r.status, text: await r.text() };
    },
    /** Writes records (all or nothing) and expects the cloud to take them. */
    async write(batch: Array<{ kind: string; key: string; data?: unknown; delete?: true }>): Promise<void> {
      const r = await asSchool(records, { method: 'POST', body: JSON.stringify({ records: batch }) });
      if (r.status !== 200) throw new Error(`cloud write ${r.status}: ${await r.text()}`);
    },
    /** One record's data as the cloud holds it, or null. */
    async read(kind: string, key: string): Promise<Record<string, unknown> | null> {
      const r = await asSchool(`${records}/${kind}/${encodeURIComponent(key)}`);
      if (r.status === 404) return null;
      if (r.status !== 200) throw new Error(`cloud read ${r.status}: ${await r.text()}`);
      return ((await r.json()) as { data: Record<string, unknown> }).data;
    },
    /** The school's notice log as its office sees it (signs in as the school's first admin on first use). */
    async guardianNotices(): Promise<Array<Record<string, unknown>>> {
      staff ??= cloudSchoolAdmin(link.cloudUrl, link.adminToken, link.schoolId);
      const r = await (await staff).staff('GET', `/schools/${encodeURIComponent(link.schoolId)}/guardian-notices`);
      if (r.status !== 200) throw new Error(`notice log ${r.status}: ${JSON.stringify(r.json)}`);
      return r.json.notices;
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
