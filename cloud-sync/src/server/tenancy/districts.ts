import { z } from 'zod';
import type { Database, Queryable } from '../db/database.js';
import { HttpError, notFound } from '../http/errors.js';
import { newId } from '../ids.js';

export const DistrictInputSchema = z.object({
  id: z.string().regex(/^[a-z0-9_-]{2,40}$/).optional(),
  name: z.string().min(1).max(100),
  schoolIds: z.array(z.string().max(64)).max(5000).default([]),
});
export const DistrictSchoolsSchema = z.object({ schoolIds: z.array(z.string().max(64)).max(5000) });

export interface District {
  id: string;
  name: string;
  schoolIds: string[];
}

/** Education bureaus (教育局) and the schools each oversees; provisioned with the admin token. */
export class Districts {
  constructor(private readonly db: Database) {}

  async create(input: z.input<typeof DistrictInputSchema>): Promise<District> {
    const d = DistrictInputSchema.parse(input);
    const id = d.id ?? newId('dst');
    return this.db.transaction(async (tx) => {
      const r = await tx.query('INSERT INTO districts (id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING', [id, d.name, Date.now()]);
      if (r.rowCount === 0) throw new HttpError(409, 'sync.error.invalid', { detail: `district ${id} exists` });
      await this.replaceSchools(tx, id, d.schoolIds);
      return { id, name: d.name, schoolIds: [...new Set(d.schoolIds)].sort() };
    });
  }

  async setSchools(id: string, schoolIds: string[]): Promise<District> {
    return this.db.transaction(async (tx) => {
      const d = (await tx.query<{ name: string }>('SELECT name FROM districts WHERE id = $1 FOR UPDATE', [id])).rows[0];
      if (!d) throw notFound();
      await this.replaceSchools(tx, id, schoolIds);
      return { id, name: d.name, schoolIds: [...new Set(schoolIds)].sort() };
    });
  }

  async list(): Promise<District[]> {
    const r = await this.db.query<{ id: string; name: string; schools: string[] }>(
      `SELECT d.id, d.name, COALESCE((SELECT json_agg(s.school_id ORDER BY s.school_id) FROM district_schools s WHERE s.district_id = d.id), '[]'::json) AS schools
       FROM districts d ORDER BY d.created_at, d.id`,
    );
    return r.rows.map((x) => ({ id: x.id, name: x.name, schoolIds: x.schools }));
  }

  async get(q: Queryable, id: string): Promise<District> {
    const r = await q.query<{ name: string }>('SELECT name FROM districts WHERE id = $1', [id]);
    if (!r.rows[0]) throw notFound();
    const s = await q.query<{ school_id: string }>('SELECT school_id FROM district_schools WHERE district_id = $1 ORDER BY school_id', [id]);
    return { id, name: r.rows[0].name, schoolIds: s.rows.map((x) => x.school_id) };
  }

  private async replaceSchools(tx: Queryable, id: string, schoolIds: string[]): Promise<void> {
    const ids = [...new Set(schoolIds)];
    const known = await tx.query<{ id: string }>('SELECT id FROM schools WHERE id = ANY($1::text[])', [ids]);
    const missing = ids.filter((s) => !known.rows.some((k) => k.id === s));
    if (missing.length) throw new HttpError(400, 'sync.error.invalid', { detail: `unknown school(s): ${missing.join(', ')}` });
    await tx.query('DELETE FROM district_schools WHERE district_id = $1', [id]);
    await tx.query('INSERT INTO district_schools (district_id, school_id) SELECT $1, unnest($2::text[])', [id, ids]);
  }
}
