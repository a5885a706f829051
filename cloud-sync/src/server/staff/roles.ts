import { z } from 'zod';

/** Roles of a school's staff. A head teacher's role is bound to classes. */
export const SCHOOL_ROLES = ['school_admin', 'office', 'head_teacher', 'teacher', 'transport_manager', 'nurse', 'facility_supervisor', 'it'] as const;
/** Roles of an education bureau (教育局) over a set of schools. */
export const DISTRICT_ROLES = ['district_admin', 'district_viewer'] as const;
export const STAFF_ROLES = [...SCHOOL_ROLES, ...DISTRICT_ROLES] as const;
export type SchoolRole = (typeof SCHOOL_ROLES)[number];
export type DistrictRole = (typeof DISTRICT_ROLES)[number];
export type StaffRole = (typeof STAFF_ROLES)[number];

/** Roles that may never write anything (not even with a route that forgets to exclude them). */
export const READ_ONLY_ROLES: readonly StaffRole[] = ['district_viewer'];

export const isSchoolRole = (r: string): r is SchoolRole => (SCHOOL_ROLES as readonly string[]).includes(r);
export const isDistrictRole = (r: string): r is DistrictRole => (DISTRICT_ROLES as readonly string[]).includes(r);

/** Class ids as person records carry them ("三年级2班"). */
export const ClassIdSchema = z.string().min(1).max(64);
