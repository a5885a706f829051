import { z } from 'zod';
import { AttendanceDaySchema, AttendanceQuerySchema, ClassAttendanceDetailSchema } from '@campus/protocol/access/index';
import type { ApiRouter } from '../../http/router.js';
import { ApiError } from '../../http/errors.js';
import { GUARD, ready, type AccessRouteDeps } from './shared.js';

export function attendanceRoutes(api: ApiRouter, deps: AccessRouteDeps): void {
  api.add({
    method: 'get',
    path: '/api/access/attendance',
    summary: 'Attendance of a school day (default today) rolled up per class',
    tag: 'access',
    access: GUARD,
    query: AttendanceQuerySchema,
    response: AttendanceDaySchema,
    handler: ({ query }) => {
      const s = ready(deps);
      const now = s.now();
      return s.attendance.day(query.date ?? s.time.local(now).date, now);
    },
  });

  api.add({
    method: 'get',
    path: '/api/access/attendance/classes/:classId',
    summary: 'Attendance of one class, per student',
    tag: 'access',
    access: GUARD,
    params: z.strictObject({ classId: z.coerce.number().int().positive() }),
    query: AttendanceQuerySchema,
    response: ClassAttendanceDetailSchema,
    handler: ({ params, query }) => {
      const s = ready(deps);
      const now = s.now();
      const detail = s.attendance.classDetail(params.classId, query.date ?? s.time.local(now).date, now);
      if (!detail) throw new ApiError(404, 'access.unknown_class', { classId: params.classId });
      return detail;
    },
  });
}
