import type * as zod from 'zod';
import type {
  AttendanceDay,
  ClassAttendanceDetail,
  FireAlarmView,
  GatesOverview,
  IssuedPass,
  LeaveView,
  NewLeaveSchema,
  NewVisitorPassSchema,
  OpenGateSchema,
  PassView,
  PersonRole,
  PersonView,
} from '@campus/protocol/access/index';
import type { EdgeApi } from './client';
import { fetchEvents } from './endpoints';
import {
  attendanceDaySchema,
  classAttendanceDetailSchema,
  fireAlarmAnswerSchema,
  gatesOverviewSchema,
  gradesSchema,
  issuedPassSchema,
  leaveAnswerSchema,
  leaveListSchema,
  passAnswerSchema,
  passListSchema,
  overrideAnswerSchema,
  peoplePageSchema,
  personAnswerSchema,
  schoolTodaySchema,
  type GradeOption,
  type SchoolToday,
} from './access-schemas';
import type { PanelEvent } from './types';

/** The /api/access routes the panel uses, one function each (docs/access-api.md). */

export type OpenGateRequest = zod.input<typeof OpenGateSchema>;
export type VisitorPassRequest = zod.input<typeof NewVisitorPassSchema>;
export type LeaveRequest = zod.input<typeof NewLeaveSchema>;

export const DECISION_EVENT_TYPE = 'access.decision';

/** The newest gate decisions from the event log, newest first. */
export function fetchDecisions(api: EdgeApi, limit: number): Promise<PanelEvent[]> {
  return fetchEvents(api, { type: DECISION_EVENT_TYPE, limit });
}

export function fetchGatesOverview(api: EdgeApi): Promise<GatesOverview> {
  return api.get('/api/access/gates', gatesOverviewSchema);
}

/** Guard override: opens the gate once; the answer is the `access.decision` event it recorded. */
export async function openGate(api: EdgeApi, gateId: string, request: OpenGateRequest): Promise<PanelEvent> {
  return (await api.post(`/api/access/gates/${encodeURIComponent(gateId)}/open`, overrideAnswerSchema, request)).decision;
}

export async function setFireAlarm(api: EdgeApi, active: boolean, why: string): Promise<FireAlarmView> {
  return (await api.post('/api/access/fire-alarm', fireAlarmAnswerSchema, { active, why })).fireAlarm;
}

export function fetchSchoolToday(api: EdgeApi): Promise<SchoolToday> {
  return api.get('/api/access/calendar', schoolTodaySchema);
}

export function fetchAttendanceDay(api: EdgeApi, date?: string): Promise<AttendanceDay> {
  return api.get(`/api/access/attendance${date ? `?date=${encodeURIComponent(date)}` : ''}`, attendanceDaySchema);
}

export function fetchClassAttendance(api: EdgeApi, classId: number, date?: string): Promise<ClassAttendanceDetail> {
  const query = date ? `?date=${encodeURIComponent(date)}` : '';
  return api.get(`/api/access/attendance/classes/${classId}${query}`, classAttendanceDetailSchema);
}

export interface PeopleQuery {
  q?: string;
  classId?: number;
  role?: PersonRole;
  limit: number;
  offset: number;
}

export function fetchPeople(api: EdgeApi, query: PeopleQuery): Promise<{ total: number; people: PersonView[] }> {
  const params = new URLSearchParams({ limit: String(query.limit), offset: String(query.offset) });
  if (query.q) params.set('q', query.q);
  if (query.classId !== undefined) params.set('classId', String(query.classId));
  if (query.role) params.set('role', query.role);
  return api.get(`/api/access/people?${params.toString()}`, peoplePageSchema);
}

export async function fetchGrades(api: EdgeApi): Promise<GradeOption[]> {
  return (await api.get('/api/access/classes', gradesSchema)).grades;
}

/** The card in hand stops working everywhere; the answer carries the new minimum version. */
export async function revokeCard(api: EdgeApi, personId: string, why: string): Promise<PersonView> {
  return (await api.post(`/api/access/people/${encodeURIComponent(personId)}/cards/revoke`, personAnswerSchema, { why })).person;
}

export function issueVisitorPass(api: EdgeApi, request: VisitorPassRequest): Promise<IssuedPass> {
  return api.post('/api/access/passes', issuedPassSchema, request);
}

/** Where the guard view loads a person's photo from (404 when there is none). */
export function photoUrl(personId: string): string {
  return `/api/access/people/${encodeURIComponent(personId)}/photo`;
}

/** The most leaves the edge lists in one answer (LeavesQuerySchema). */
export const MAX_LEAVES = 500;

/** Approved leaves that have not ended before school day `from` (YYYY-MM-DD), newest start first. */
export async function fetchLeaves(api: EdgeApi, from: string): Promise<LeaveView[]> {
  return (await api.get(`/api/access/leaves?from=${encodeURIComponent(from)}&limit=${MAX_LEAVES}`, leaveListSchema)).leaves;
}

export async function registerLeave(api: EdgeApi, request: LeaveRequest): Promise<LeaveView> {
  return (await api.post('/api/access/leaves', leaveAnswerSchema, request)).leave;
}

export async function cancelLeave(api: EdgeApi, leaveId: number, why: string): Promise<LeaveView> {
  return (await api.post(`/api/access/leaves/${leaveId}/cancel`, leaveAnswerSchema, { why })).leave;
}

/** Passes not cancelled, visitor and pickup alike. */
export async function fetchPasses(api: EdgeApi): Promise<PassView[]> {
  return (await api.get('/api/access/passes?status=active&limit=500', passListSchema)).passes;
}

export async function cancelPass(api: EdgeApi, passId: number, why: string): Promise<PassView> {
  return (await api.post(`/api/access/passes/${passId}/cancel`, passAnswerSchema, { why })).pass;
}

export async function fetchPerson(api: EdgeApi, personId: string): Promise<PersonView> {
  return (await api.get(`/api/access/people/${encodeURIComponent(personId)}`, personAnswerSchema)).person;
}
