import type { Statement } from 'better-sqlite3';
import type { Db } from '../store/open.js';

/**
 * Prepared statements, made once per SQL text: a push to a thousand PCs runs the same
 * few statements thousands of times, and preparing them each time cost more than running them.
 */
export function statementCache(db: Db): (sql: string) => Statement {
  const cache = new Map<string, Statement>();
  return (sql) => {
    let s = cache.get(sql);
    if (!s) cache.set(sql, (s = db.prepare(sql)));
    return s;
  };
}
