import { ACCESS_EVENTS, CancelSchema, IssuedPassSchema, LeaveAnswerSchema, LeavesAnswerSchema, LeavesQuerySchema, NewLeaveSchema, NewPassSchema, PassAnswerSchema, PassesAnswerSchema, PassesQuerySchema } from '@campus/protocol/access/index';
import type { ApiRouter } from '../../http/router.js';
import { ApiError } from '../../http/errors.js';
import { issuePass, parseInstant } from '../issue-pass.js';
import { isStudentOnly } from '../model.js';
import { addDays } from '../../school/time.js';
import { leaveView, passView } from '../views.js';
import { GUARD, NumericIdParam, ready, type AccessRouteDeps } from './shared.js';

const MAX_LEAVE_DAYS = 366;

export function leaveAndPassRoutes(api: ApiRouter, deps: AccessRouteDeps): void {
  api.add({
    method: 'get',
    path: '/api/access/leaves',
    summary: 'Leave records (请假/离校), newest first',
    tag: 'access',
    access: GUARD,
    query: LeavesQuerySchema,
    response: LeavesAnswerSchema,
    handler: ({ query }) => {
      const s = ready(deps);
      const day = query.date ? { from: s.time.instant(query.date, 0), to: s.time.instant(addDays(query.date, 1), 0) } : {};
      let personIds: string[] | undefined = query.personId ? [query.personId] : undefined;
      if (query.classId !== undefined) {
        const inClass = [...s.people.all()].filter((p) => p.classId === query.classId).map((p) => p.id);
        personIds = personIds ? personIds.filter((id) => inClass.includes(id)) : inClass;
      }
      const endsAfter = query.from ? s.time.instant(query.from, 0) : undefined;
      const leaves = s.leaves.list({ ...day, endsAfter, personIds, includeCancelled: query.includeCancelled === 'true', limit: query.limit });
      return { leaves: leaves.map((l) => leaveView(s, l)) };
    },
  });

  api.add({
    method: 'post',
    owner: 'edge',
    path: '/api/access/leaves',
    summary: 'Record an approved leave: the student may leave during school hours within it',
    tag: 'access',
    access: GUARD,
    body: NewLeaveSchema,
    audit: 'access.leave.create',
    status: 201,
    response: LeaveAnswerSchema,
    handler: ({ body, user }) => {
      const s = ready(deps);
      const p = s.people.get(body.personId);
      if (!p) throw new ApiError(404, 'access.unknown_person', { personId: body.personId });
      if (!isStudentOnly(p)) throw new ApiError(400, 'access.not_student', { personId: body.personId });
      const startsAt = parseInstant(s, body.startsAt);
      const endsAt = parseInstant(s, body.endsAt);
      if (!(endsAt > startsAt) || endsAt - startsAt > MAX_LEAVE_DAYS * 86_400_000) throw new ApiError(400, 'access.bad_window', { maxDays: MAX_LEAVE_DAYS });
      const leave = s.leaves.create({ personId: p.id, startsAt, endsAt, reason: body.reason, approvedBy: body.approvedBy, source: 'local', createdBy: user!.username });
      s.append({
        type: ACCESS_EVENTS.leave,
        reason: 'access.leave.created',
        source: `user:${user!.username}`,
        subject: p.id,
        data: { leaveId: leave.id, personId: p.id, personName: p.name, startsAt, endsAt, approvedBy: body.approvedBy },
      });
      return { leave: leaveView(s, leave) };
    },
  });

  api.add({
    method: 'post',
    // A leave the cloud sent is changed in the cloud; one registered here at the gate office is the edge's own.
    owner: { cloud: 'leaves', unless: ({ params }) => !ready(deps).leaves.get(params.id)?.createdBy.startsWith('cloud:') },
    path: '/api/access/leaves/:id/cancel',
    summary: 'Cancel a leave',
    tag: 'access',
    access: GUARD,
    params: NumericIdParam,
    body: CancelSchema,
    audit: 'access.leave.cancel',
    response: LeaveAnswerSchema,
    handler: ({ params, body, user }) => {
      const s = ready(deps);
      const leave = s.leaves.cancel(params.id, body.why);
      if (!leave) throw new ApiError(404, 'not_found', { what: `leave ${params.id}` });
      s.append({ type: ACCESS_EVENTS.leave, reason: 'access.leave.cancelled', source: `user:${user!.username}`, subject: leave.personId, data: { leaveId: leave.id, why: body.why } });
      return { leave: leaveView(s, leave) };
    },
  });

  api.add({
    method: 'get',
    path: '/api/access/passes',
    summary: 'Visitor and pickup passes with their uses',
    tag: 'access',
    access: GUARD,
    query: PassesQuerySchema,
    response: PassesAnswerSchema,
    handler: ({ query }) => {
      const s = ready(deps);
      return { passes: s.passes.list(query).map((p) => passView(s, p)) };
    },
  });

  api.add({
    method: 'post',
    owner: 'edge',
    path: '/api/access/passes',
    summary: 'Issue a visitor or pickup pass signed by the edge’s pass key; returns the QR text and an SVG',
    tag: 'access',
    access: GUARD,
    body: NewPassSchema,
    audit: 'access.pass.create',
    status: 201,
    response: IssuedPassSchema,
    handler: ({ body, user }) => issuePass(ready(deps), body, user!.username),
  });

  api.add({
    method: 'post',
    // A pass the cloud issued is the cloud's: a local cancellation would be undone by its next
    // update or the replay at start, so the pass would open the gate again. Passes from the
    // edge's own range are the edge's.
    owner: { cloud: 'passes', unless: ({ params }) => !ready(deps).passes.record(params.id)?.createdBy.startsWith('cloud:') },
    path: '/api/access/passes/:id/cancel',
    summary: 'Cancel a pass: refused at every gate from now on',
    tag: 'access',
    access: GUARD,
    params: NumericIdParam,
    body: CancelSchema,
    audit: 'access.pass.cancel',
    response: PassAnswerSchema,
    handler: ({ params, body, user }) => {
      const s = ready(deps);
      const pass = s.passes.cancel(params.id, body.why);
      if (!pass) throw new ApiError(404, 'not_found', { what: `pass ${params.id}` });
      s.append({ type: ACCESS_EVENTS.pass, reason: 'access.pass.cancelled', source: `user:${user!.username}`, subject: `pass:${pass.id}`, data: { passId: pass.id, why: body.why } });
      return { pass: passView(s, pass) };
    },
  });
}
