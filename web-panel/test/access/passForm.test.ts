import { describe, expect, it } from 'vitest';
import { defaultValidity, schoolLocalInput, visitorPassRequest, type VisitorPassForm } from '../../src/pages/access/people/passForm';

const at = Date.parse('2026-09-07T01:05:42.500Z'); // 09:05:42 in Shanghai

describe('schoolLocalInput', () => {
  it('writes an instant as the school’s clocks show it, whatever the machine’s zone', () => {
    expect(schoolLocalInput(at, 'Asia/Shanghai')).toBe('2026-09-07T09:05');
    expect(schoolLocalInput(at, 'UTC')).toBe('2026-09-07T01:05');
    expect(schoolLocalInput(Date.parse('2026-09-07T16:30:00Z'), 'Asia/Shanghai')).toBe('2026-09-08T00:30');
  });
});

describe('defaultValidity', () => {
  it('starts at this minute and lasts four hours', () => {
    expect(defaultValidity(at, 'Asia/Shanghai')).toEqual({ validFrom: '2026-09-07T09:05', validUntil: '2026-09-07T13:05' });
    expect(defaultValidity(at, 'Asia/Shanghai', 10).validUntil).toBe('2026-09-07T19:05');
  });
});

describe('visitorPassRequest', () => {
  const form: VisitorPassForm = {
    visitorName: ' 刘女士 ',
    phone: ' ',
    purpose: '家长会',
    hostPersonId: 'T001',
    validFrom: '2026-09-07T09:00',
    validUntil: '2026-09-07T18:00',
    oneUse: true,
    gates: ['east'],
  };

  it('builds the request the edge expects, empty fields as null', () => {
    expect(visitorPassRequest(form)).toEqual({
      request: {
        kind: 'visitor',
        visitorName: '刘女士',
        phone: null,
        purpose: '家长会',
        hostPersonId: 'T001',
        validFrom: '2026-09-07T09:00',
        validUntil: '2026-09-07T18:00',
        oneUse: true,
        gates: ['east'],
        zones: [],
      },
    });
  });

  it('needs at least one gate or zone', () => {
    expect(visitorPassRequest({ ...form, gates: [], zones: undefined })).toEqual({ problem: 'needPlace' });
    expect('request' in visitorPassRequest({ ...form, gates: undefined, zones: ['campus'] })).toBe(true);
  });

  it('needs the end after the start, across days too', () => {
    expect(visitorPassRequest({ ...form, validUntil: '2026-09-07T09:00' })).toEqual({ problem: 'badWindow' });
    expect(visitorPassRequest({ ...form, validUntil: '2026-09-06T23:00' })).toEqual({ problem: 'badWindow' });
    expect('request' in visitorPassRequest({ ...form, validUntil: '2026-09-10T08:00' })).toBe(true);
  });
});
