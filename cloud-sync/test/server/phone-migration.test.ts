import { afterAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/server/db/migrations.js';
import { openDatabase } from '../../src/server/db/open.js';
import { PHONE_MIGRATION } from '../../src/server/db/phone-migration.js';
import { availableBackends } from '../helpers/backends.js';

for (const backend of await availableBackends()) {
  describe(`phone numbers stored before they were made canonical (${backend.name})`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterAll(async () => {
      for (const c of cleanups.reverse()) await c().catch(() => undefined);
    });

    it('rewrites +86, 0086 and 86 mobile forms everywhere, keeps other numbers, and never merges two rows', async () => {
      const d = await backend.open();
      cleanups.push(d.cleanup);
      const db = await openDatabase(d.options);
      cleanups.push(() => db.close());
      await migrate(db, PHONE_MIGRATION.id - 1);

      await db.query(`INSERT INTO schools (id, name, created_at) VALUES ('s1', '一中', 0)`);
      const person = (key: string, data: unknown) =>
        db.query(`INSERT INTO records (school_id, kind, key, data, seq, changed_at) VALUES ('s1', 'person', $1, $2, 1, 0)`, [key, JSON.stringify(data)]);
      await person('g1', { name: '王芳', roles: ['guardian'], phone: '+8613812345678' });
      await person('g2', { name: '李雷', roles: ['guardian'], phone: '008613900001111' });
      await person('g3', { name: '韩梅', roles: ['guardian'], phone: '01062751234' });
      await person('g4', { name: '张伟', roles: ['guardian'] });
      await db.query(`INSERT INTO records (school_id, kind, key, data, seq, changed_at) VALUES ('s1', 'visitor_pass', 'v1', $1, 2, 0)`, [
        JSON.stringify({ name: '访客', phone: '8613700002222', validFrom: 0, validUntil: 1 }),
      ]);
      // 王芳 signed in with the +86 form; 李雷 signed in both ways (two accounts): neither is lost.
      await db.query(`INSERT INTO guardian_accounts (phone, prefs, created_at) VALUES ('+8613812345678', '{"quiet":true}', 0), ('008613900001111', '{"a":1}', 0), ('13900001111', '{"b":2}', 0)`);
      await db.query(`INSERT INTO parent_sessions (token_hash, phone, created_at, expires_at) VALUES ('t1', '+8613812345678', 0, 9)`);
      await db.query(`INSERT INTO otp_codes (phone, code_hash, sent_at, expires_at) VALUES ('+8613812345678', 'h', 0, 9)`);

      expect(await migrate(db)).toEqual([PHONE_MIGRATION.id]);

      const phones = await db.query<{ key: string; phone: string | null }>(`SELECT key, data->>'phone' AS phone FROM records ORDER BY key`);
      expect(phones.rows).toEqual([
        { key: 'g1', phone: '13812345678' },
        { key: 'g2', phone: '13900001111' },
        { key: 'g3', phone: '01062751234' },
        { key: 'g4', phone: null },
        { key: 'v1', phone: '13700002222' },
      ]);
      expect((await db.query(`SELECT data FROM records WHERE key = 'g1'`)).rows[0]).toEqual({ data: { name: '王芳', roles: ['guardian'], phone: '13812345678' } });
      const accounts = await db.query<{ phone: string; prefs: unknown }>(`SELECT phone, prefs FROM guardian_accounts ORDER BY phone`);
      expect(accounts.rows).toEqual([
        { phone: '008613900001111', prefs: { a: 1 } },
        { phone: '13812345678', prefs: { quiet: true } },
        { phone: '13900001111', prefs: { b: 2 } },
      ]);
      expect((await db.query(`SELECT phone FROM parent_sessions`)).rows).toEqual([{ phone: '13812345678' }]);
      expect((await db.query(`SELECT phone FROM otp_codes`)).rows).toEqual([]);
    }, 120_000);
  });
}
