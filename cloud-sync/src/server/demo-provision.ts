import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { RunningCloud } from './cloud.js';

/** What the demo edge reads to connect to the local cloud. */
export interface DemoLink {
  cloudUrl: string;
  /** Provisioning only (schools, edges, first admins). */
  adminToken: string;
  /** The demo school's open-data key (records:read, records:write, sensitive): how the demo roster is written. */
  recordsKey: string;
  schoolId: string;
  site: string;
  credentials: { edgeId: string; keyId: string; privateKey: string };
}

/**
 * For `npm start`: makes sure a demo school with a campus for `site` and one edge exist,
 * and writes the link (URL, admin token, records key, edge credentials) to `file` for the
 * edge-agent. An existing file whose edge key is still valid is kept, so restarts reuse
 * the same edge (and its records key while that is valid).
 */
export async function provisionDemo(cloud: RunningCloud, site: string, file: string, schoolName = '演示学校'): Promise<DemoLink> {
  if (existsSync(file)) {
    const link = JSON.parse(readFileSync(file, 'utf8')) as DemoLink;
    const key = await cloud.tenancy.edgeKey(link.credentials.edgeId, link.credentials.keyId);
    if (key && !key.revoked && link.site === site) {
      const fresh = { ...link, cloudUrl: cloud.url, adminToken: cloud.adminToken, recordsKey: await validRecordsKey(cloud, link.schoolId, link.recordsKey) };
      writeFileSync(file, JSON.stringify(fresh, null, 2), { mode: 0o600 });
      return fresh;
    }
  }
  const known = await cloud.db.query<{ school_id: string; id: string }>('SELECT school_id, id FROM campuses WHERE site = $1', [site]);
  let schoolId: string;
  let campusId: string;
  if (known.rows[0]) {
    schoolId = known.rows[0].school_id;
    campusId = known.rows[0].id;
  } else {
    const school = await cloud.tenancy.createSchool({ name: schoolName });
    const campus = await cloud.tenancy.createCampus(school.id, { name: `${schoolName}主校区`, site });
    schoolId = school.id;
    campusId = campus.id;
  }
  const edge = await cloud.tenancy.createEdge(schoolId, { name: `${site} 演示网关`, campusId });
  const link: DemoLink = { cloudUrl: cloud.url, adminToken: cloud.adminToken, recordsKey: await validRecordsKey(cloud, schoolId, undefined), schoolId, site, credentials: edge.credentials };
  writeFileSync(file, JSON.stringify(link, null, 2), { mode: 0o600 });
  return link;
}

/**
 * The demo school's key for its roster: the same one while it still opens the school's
 * records, otherwise a new one — made as a school admin would make it in the console.
 */
async function validRecordsKey(cloud: RunningCloud, schoolId: string, known: string | undefined): Promise<string> {
  if (known) {
    const p = await cloud.openData.keys.authenticate(`Bearer ${known}`).catch(() => null);
    if (p && p.schoolId === schoolId && p.scopes.includes('records:write') && p.scopes.includes('records:read')) return known;
  }
  const made = await cloud.openData.keys.create(cloud.db, schoolId, { name: '演示名册同步 / demo roster', scopes: ['records:read', 'records:write', 'sensitive'] }, { id: null, name: 'demo' });
  return made.key;
}
