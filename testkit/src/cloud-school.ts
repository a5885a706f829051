/**
 * A school's own hands on a running cloud, the way a school gets them: the cloud's admin
 * token only provisions (here: the school's first admin account); the admin signs in to
 * the staff API (session cookie + CSRF token, as the console does) and makes an open-data
 * API key with `records:write`, through which the school's own systems keep the records
 * the cloud owns. Over HTTP only, so tests of any package and the benchmarks can use it
 * against an in-process cloud, a spawned one or several behind a balancer.
 */
export interface CloudRecordWrite {
  kind: string;
  key: string;
  data?: Record<string, unknown>;
  delete?: true;
}

export interface CloudAnswer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON, checked field by field by the caller
  json: any;
}

export interface CloudSchoolAdmin {
  readonly schoolId: string;
  /** The open-data key (`<id>.<secret>`) with records:read, records:write and sensitive. */
  readonly recordsKey: string;
  /** A staff API call as the signed-in school admin (`path` under /api/staff). */
  staff(method: string, path: string, body?: unknown): Promise<CloudAnswer>;
  /** Writes a batch (all or nothing); throws on anything but 200. Returns the feed cursor. */
  writeRecords(records: CloudRecordWrite[], baseUrl?: string): Promise<number>;
  /** One record's data as stored (sensitive fields included), or null when there is none. */
  getRecord(kind: string, key: string): Promise<Record<string, unknown> | null>;
  /** The open API as this key, for tests of its answers (`path` under /api/open/v1). */
  open(method: string, path: string, body?: unknown, baseUrl?: string): Promise<CloudAnswer>;
}

/** A response's body: its JSON when it parses, else its text; null when empty. */
export async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return text;
  }
}

async function answer(res: Response): Promise<CloudAnswer> {
  return { status: res.status, json: await readBody(res) };
}

/**
 * Creates the school's first admin with the admin token, signs in and makes a records key.
 * Call once per school (a school has one first admin); `baseUrl` of a later write may be
 * another cloud process of the same database.
 */
export async function cloudSchoolAdmin(cloudUrl: string, adminToken: string, schoolId: string, opts: { username?: string; password?: string } = {}): Promise<CloudSchoolAdmin> {
  // Usernames are unique across the cloud: one per school by default.
  const username = opts.username ?? `admin-${schoolId}`.slice(0, 64);
  const password = opts.password ?? 'school-admin-password-1';
  const sid = encodeURIComponent(schoolId);
  const first = await fetch(`${cloudUrl}/api/admin/schools/${sid}/accounts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ username, displayName: '学校管理员', password }),
  });
  if (first.status !== 201) throw new Error(`first admin of ${schoolId}: ${first.status} ${await first.text()}`);
  const session = await fetch(`${cloudUrl}/api/staff/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  const signedIn = await answer(session);
  if (signedIn.status !== 201) throw new Error(`sign-in of ${username}: ${signedIn.status} ${JSON.stringify(signedIn.json)}`);
  const cookie = session.headers.getSetCookie().find((c) => c.startsWith('campus_staff_sid='))?.split(';')[0];
  if (!cookie) throw new Error('sign-in set no session cookie');
  const csrf = String(signedIn.json.csrfToken);
  const staff = async (method: string, path: string, body?: unknown): Promise<CloudAnswer> =>
    answer(
      await fetch(`${cloudUrl}/api/staff${path}`, {
        method,
        headers: { cookie, ...(method !== 'GET' ? { 'x-csrf-token': csrf } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      }),
    );
  const made = await staff('POST', `/schools/${sid}/api-keys`, { name: '名册同步', scopes: ['records:read', 'records:write', 'sensitive'] });
  if (made.status !== 201) throw new Error(`records key of ${schoolId}: ${made.status} ${JSON.stringify(made.json)}`);
  const recordsKey = String(made.json.key);
  const open = async (method: string, path: string, body?: unknown, baseUrl = cloudUrl): Promise<CloudAnswer> =>
    answer(
      await fetch(`${baseUrl}/api/open/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${recordsKey}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      }),
    );
  return {
    schoolId,
    recordsKey,
    staff,
    open,
    async writeRecords(records, baseUrl) {
      const r = await open('POST', `/schools/${sid}/records`, { records }, baseUrl);
      if (r.status !== 200) throw new Error(`writing ${records.length} records to ${schoolId}: ${r.status} ${JSON.stringify(r.json)}`);
      return Number(r.json.cursor);
    },
    async getRecord(kind, key) {
      const r = await open('GET', `/schools/${sid}/records/${encodeURIComponent(kind)}/${encodeURIComponent(key)}`);
      if (r.status === 404) return null;
      if (r.status !== 200) throw new Error(`reading ${kind}/${key}: ${r.status} ${JSON.stringify(r.json)}`);
      return r.json.data as Record<string, unknown>;
    },
  };
}
