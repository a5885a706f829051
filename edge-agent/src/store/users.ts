import { z } from 'zod';
import type { Db } from './open.js';

/** 'staff': any staff member (submits work orders, walks rounds); 'contractor': an outside firm, sees only its own orders. */
export const USER_ROLES = ['admin', 'security', 'facility', 'it', 'staff', 'contractor'] as const;
export type UserRole = (typeof USER_ROLES)[number];
export const UserRoleSchema = z.enum(USER_ROLES);

export interface User {
  id: number;
  username: string;
  displayName: string;
  roles: UserRole[];
  locale: 'zh-CN' | 'en';
  disabled: boolean;
}

interface UserRow {
  id: number;
  username: string;
  display_name: string;
  password_hash: string;
  roles: string;
  locale: string;
  disabled: number;
}

function toUser(r: UserRow): User {
  return {
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    roles: JSON.parse(r.roles) as UserRole[],
    locale: r.locale === 'en' ? 'en' : 'zh-CN',
    disabled: r.disabled === 1,
  };
}

export class UserRepo {
  constructor(
    private readonly db: Db,
    private readonly now: () => number,
  ) {}

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n;
  }

  create(u: { username: string; displayName: string; passwordHash: string; roles: UserRole[]; locale?: 'zh-CN' | 'en' }): User {
    const t = this.now();
    const info = this.db
      .prepare(
        'INSERT INTO users (username, display_name, password_hash, roles, locale, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(u.username, u.displayName, u.passwordHash, JSON.stringify(u.roles), u.locale ?? 'zh-CN', t, t);
    return this.byId(Number(info.lastInsertRowid))!;
  }

  byId(id: number): User | undefined {
    const r = this.db.prepare('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
    return r && toUser(r);
  }

  /** Returns the user and the stored hash, for sign-in only. */
  credentials(username: string): { user: User; passwordHash: string } | undefined {
    const r = this.db.prepare('SELECT * FROM users WHERE username = ?').get(username) as UserRow | undefined;
    return r && { user: toUser(r), passwordHash: r.password_hash };
  }

  list(): User[] {
    return (this.db.prepare('SELECT * FROM users ORDER BY id').all() as UserRow[]).map(toUser);
  }

  update(id: number, patch: { displayName?: string; roles?: UserRole[]; locale?: 'zh-CN' | 'en'; disabled?: boolean; passwordHash?: string }): User | undefined {
    const cur = this.db.prepare('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
    if (!cur) return undefined;
    this.db
      .prepare('UPDATE users SET display_name = ?, roles = ?, locale = ?, disabled = ?, password_hash = ?, updated_at = ? WHERE id = ?')
      .run(
        patch.displayName ?? cur.display_name,
        patch.roles ? JSON.stringify(patch.roles) : cur.roles,
        patch.locale ?? cur.locale,
        patch.disabled === undefined ? cur.disabled : patch.disabled ? 1 : 0,
        patch.passwordHash ?? cur.password_hash,
        this.now(),
        id,
      );
    return this.byId(id);
  }
}
