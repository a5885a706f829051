import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * Real PostgreSQL for tests. Uses TEST_DATABASE_URL when set (CI exports
 * postgres://campus:campus@127.0.0.1:5432/campus_test); otherwise makes sure Debian's
 * cluster runs and a `campus` role exists (as root, through `su postgres`, since peer
 * auth refuses root). Each suite gets its own fresh database, dropped afterwards.
 */
const DEFAULT_URL = 'postgres://campus:campus@127.0.0.1:5432/campus_test';
let prepared: Promise<string | null> | null = null;

function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
}

async function canConnect(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** Each suite creates its own database, so the role needs CREATEDB; grant it when we can. */
async function ensureCreateDb(url: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ ok: boolean; user: string }>('SELECT rolcreatedb AS ok, current_user AS user FROM pg_roles WHERE rolname = current_user');
    if (r.rows[0]?.ok) return;
    const user = r.rows[0]!.user.replace(/"/g, '');
    sh('su', ['postgres', '-c', `psql -v ON_ERROR_STOP=1 -tAc 'ALTER ROLE "${user}" CREATEDB'`]);
  } finally {
    await c.end();
  }
}

async function prepare(): Promise<string | null> {
  const url = process.env.TEST_DATABASE_URL ?? DEFAULT_URL;
  if (await canConnect(url)) {
    await ensureCreateDb(url);
    return url;
  }
  if (process.env.TEST_DATABASE_URL && process.env.CI) throw new Error(`TEST_DATABASE_URL=${url} is not reachable`);
  try {
    // Start the cluster when it is installed but down, then create role and database.
    const clusters = sh('pg_lsclusters', ['--no-header']).trim().split('\n').filter(Boolean);
    for (const line of clusters) {
      const [ver, name, , status] = line.split(/\s+/);
      if (status !== 'online') sh('pg_ctlcluster', [ver!, name!, 'start']);
    }
    const psql = (sql: string) => sh('su', ['postgres', '-c', `psql -v ON_ERROR_STOP=1 -tAc "${sql.replace(/"/g, '\\"')}"`]);
    if (!psql(`SELECT 1 FROM pg_roles WHERE rolname='campus'`).trim()) psql(`CREATE ROLE campus LOGIN PASSWORD 'campus' CREATEDB`);
    if (!psql(`SELECT 1 FROM pg_database WHERE datname='campus_test'`).trim()) psql('CREATE DATABASE campus_test OWNER campus');
  } catch (err) {
    if (process.env.CI) throw new Error(`PostgreSQL is required in CI but could not be prepared: ${(err as Error).message}`);
    return null;
  }
  if (await canConnect(url)) return url;
  if (process.env.CI) throw new Error(`PostgreSQL is required in CI but ${url} is not reachable`);
  return null;
}

/** The admin URL (role with CREATEDB), or null when PostgreSQL is unavailable outside CI. */
export function postgresUrl(): Promise<string | null> {
  prepared ??= prepare();
  return prepared;
}

export interface TempDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh database for one suite. */
export async function createTempDatabase(adminUrl: string): Promise<TempDatabase> {
  const name = `campus_t_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      // WITH (FORCE) must terminate every backend on the database. An autovacuum worker
      // that happens to be working on it has no role, and a role without
      // pg_signal_backend may not terminate it (42501): wait for the worker and try again.
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        for (let attempt = 1; ; attempt++) {
          try {
            await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
            return;
          } catch (err) {
            if ((err as { code?: string }).code !== '42501' || attempt >= 20) throw err;
            await new Promise((r) => setTimeout(r, 250 * attempt));
          }
        }
      } finally {
        await c.end();
      }
    },
  };
}
