import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock, TestIssuer, seedSchool, startAccessEdge } from './helpers.js';

type Env = Awaited<ReturnType<typeof startAccessEdge>>;

/** Shanghai time → ms (UTC+8, no DST). */
const sh = (local: string) => Date.parse(`${local}+08:00`);

describe('access decisions on a real edge (no gate hardware)', () => {
  let env: Env;
  const clock = new FakeClock(sh('2026-09-07T07:10:00')); // a Monday
  const issuer = new TestIssuer('K1');

  beforeAll(async () => {
    env = await startAccessEdge({}, { clock, issuer });
    await seedSchool(env.admin);
  });
  afterAll(async () => env.cleanup());

  const decide = async (gateId: string, direction: 'in' | 'out', text: string) => {
    const s = env.edge.access;
    const e = await s.runtime!.decide(s.gates.get(gateId)!, direction, text, null);
    return e!;
  };

  it('grants a student entering in the morning and records who, where and why', async () => {
    const e = await decide('east', 'in', issuer.card('2026010001'));
    expect(e.type).toBe('access.decision');
    expect(e.reason).toBe('access.granted');
    expect(e.subject).toBe('2026010001');
    expect(e.data).toMatchObject({ granted: true, gate: 'east', direction: 'in', personName: '张三', className: '初一 1班', opened: 'no-turnstile' });
    expect(e.data.explanation).toBe('张三（初一 1班）通过东门');
  });

  it('refuses a second entry in a strict anti-passback zone', async () => {
    const e = await decide('north', 'in', issuer.card('2026010001'));
    expect(e.reason).toBe('access.anti_passback.in');
    expect(e.data.granted).toBe(false);
  });

  it('refuses a student leaving in school hours without leave, grants with an approved leave', async () => {
    clock.set('2026-09-07T02:00:00Z'); // 10:00 Shanghai
    const denied = await decide('east', 'out', issuer.card('2026010001'));
    expect(denied.reason).toBe('access.school_hours');
    const leave = await env.admin.req('POST', '/api/access/leaves', { personId: '2026010001', startsAt: '2026-09-07T09:30', endsAt: '2026-09-07T12:00', reason: '看病', approvedBy: '陈老师' });
    expect(leave.status).toBe(201);
    const granted = await decide('east', 'out', issuer.card('2026010001'));
    expect(granted.reason).toBe('access.granted.leave');
    expect(granted.data.leaveId).toBe(leave.json.leave.id);
  });
});
