import type { AntiPassbackMode, Direction, PersonRole, ZoneKind } from '@campus/protocol/access/index';

/**
 * The hot records the gate decides on, held in memory (loaded from SQLite, kept in
 * sync on every write). Small and flat: 20,000 of them must fit in a few MB.
 */
export interface PersonEntry {
  readonly id: string;
  name: string;
  roles: readonly PersonRole[];
  classId: number | null;
  boarder: boolean;
  dormitoryZone: string | null;
  phone: string | null;
  active: boolean;
  cardVersion: number;
  minCardVersion: number;
  hasPhoto: boolean;
}

export interface GradeEntry {
  id: number;
  name: string;
  sort: number;
}

export interface ClassEntry {
  id: number;
  gradeId: number;
  name: string;
}

export interface Zone {
  id: string;
  no: number;
  name: string;
  kind: ZoneKind;
  antiPassback: AntiPassbackMode;
  passbackResetHour: number;
  roles: ReadonlySet<PersonRole>;
}

export interface Gate {
  id: string;
  no: number;
  name: string;
  zone: Zone;
  directions: ReadonlySet<Direction>;
}

export const DEFAULT_ZONE_ROLES: Record<ZoneKind, PersonRole[]> = {
  campus: ['student', 'teacher', 'staff'],
  building: ['student', 'teacher', 'staff'],
  dormitory: ['student', 'staff'],
};

export function isStudentOnly(p: PersonEntry): boolean {
  return p.roles.includes('student') && !p.roles.includes('teacher') && !p.roles.includes('staff');
}
