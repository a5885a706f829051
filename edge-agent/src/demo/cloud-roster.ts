import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { DEMO_ROSTER } from '../access/demo-school.js';

/**
 * What the demo's local cloud wrote for us: where it is, the demo school, and the school's
 * open-data key with `records:write` — how a school's own systems write its roster (the
 * cloud's admin token only provisions schools and edges).
 */
export const DemoCloudLinkSchema = z.object({ cloudUrl: z.string().url(), recordsKey: z.string().min(1), schoolId: z.string().min(1) });
export type DemoCloudLink = z.infer<typeof DemoCloudLinkSchema>;

export function readDemoCloudLink(file: string): DemoCloudLink {
  return DemoCloudLinkSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

interface CloudRecord {
  kind: 'person' | 'guardianship' | 'card';
  key: string;
  data: Record<string, unknown>;
}

/** 刘洋's first card was lost: the cloud's card record is his replacement, version 2. */
const LOST_CARD = '2026010104';

const ROLES: Record<string, string> = { 学生: 'student', 教师: 'teacher', 职工: 'staff', 家长: 'guardian' };

/** Parents with phone numbers (sign in to the parent app with them) and whose child they are. */
export const DEMO_GUARDIANS = [
  { id: 'P0001', name: '王爸爸', phone: '13800000001', child: '2026010101', relation: '父亲' },
  { id: 'P0002', name: '李妈妈', phone: '13800000002', child: '2026010102', relation: '母亲' },
  { id: 'P0003', name: '张奶奶', phone: '13800000003', child: '2026010103', relation: '奶奶' },
  { id: 'P0004', name: '赵爸爸', phone: '13800000004', child: '2026010201', relation: '父亲' },
];

/**
 * The demo school's roster as the cloud owns it: the same students, teacher and staff as
 * the local demo roster (classes as "<年级>-<班级>"), guardians with phone numbers, their
 * guardianships (receiving notices), and everyone's card (刘洋 carries a replacement for a lost one).
 */
export function demoCloudRoster(): CloudRecord[] {
  const out: CloudRecord[] = [];
  for (const line of DEMO_ROSTER.split('\n').slice(1)) {
    const [id, name, role, grade, cls] = line.split(',');
    if (!id || !name || !role || ROLES[role] === undefined || ROLES[role] === 'guardian') continue;
    out.push({ kind: 'person', key: id, data: { name, roles: [ROLES[role]], ...(grade && cls ? { classId: `${grade}-${cls}` } : {}), active: true } });
  }
  for (const g of DEMO_GUARDIANS) {
    out.push({ kind: 'person', key: g.id, data: { name: g.name, roles: ['guardian'], phone: g.phone, active: true } });
    out.push({
      kind: 'guardianship',
      key: `${g.child}:${g.id}`,
      data: { studentId: g.child, guardianId: g.id, relation: g.relation, mayPickUp: true, receivesNotices: true },
    });
  }
  // The card office issued everyone on the roster a card (version 1); 刘洋 lost his and carries the replacement (version 2).
  for (const r of out.filter((x) => x.kind === 'person' && !(x.data.roles as string[]).includes('guardian'))) {
    out.push({ kind: 'card', key: r.key, data: { personId: r.key, version: r.key === LOST_CARD ? 2 : 1, revoked: false } });
  }
  return out;
}

/**
 * Writes the demo roster through the local cloud's open-data API, only the records the
 * cloud does not already hold exactly (every write is a new change in the feed, so a
 * restart that rewrote everything would make every edge re-apply it). Returns how many
 * were written.
 */
export async function postDemoRoster(link: DemoCloudLink, records: CloudRecord[] = demoCloudRoster()): Promise<{ written: number; total: number }> {
  const base = `${link.cloudUrl}/api/open/v1/schools/${encodeURIComponent(link.schoolId)}/records`;
  const headers = { authorization: `Bearer ${link.recordsKey}`, 'content-type': 'application/json' };
  const held = new Map<string, unknown>();
  for (const kind of new Set(records.map((r) => r.kind))) {
    let cursor: string | null = null;
    do {
      const res = await httpJson('GET', `${base}/${kind}?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, headers);
      if (res.status !== 200) throw new Error(`云端读取失败 / cloud read failed: ${res.status} ${res.text}`);
      const page = JSON.parse(res.text) as { items: { key: string; data: unknown }[]; next: string | null };
      for (const item of page.items) held.set(`${kind}/${item.key}`, item.data);
      cursor = page.next;
    } while (cursor);
  }
  const writes = records.filter((r) => !isDeepStrictEqual(held.get(`${r.kind}/${r.key}`), r.data));
  if (writes.length) {
    const res = await httpJson('POST', base, headers, JSON.stringify({ records: writes }));
    if (res.status < 200 || res.status >= 300) throw new Error(`云端写入失败 / cloud write failed: ${res.status} ${res.text}`);
  }
  return { written: writes.length, total: records.length };
}

/** One request to the local (plain HTTP, loopback) cloud; node:http, since global fetch costs the edge ~13 MB of RSS. */
function httpJson(method: 'GET' | 'POST', url: string, headers: Record<string, string>, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout after 10 s')));
    req.on('error', reject);
    req.end(body);
  });
}
