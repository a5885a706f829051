import { describe, expect, it } from 'vitest';
import { PhoneSchema, canonicalPhone } from '../src/phone.js';
import { RECORD_SCHEMAS } from '../src/sync/records.js';

describe('phone numbers in one form', () => {
  it('drops spaces, dashes, dots, brackets, full-width digits and a mainland mobile’s country code', () => {
    const same = ['13812345678', '138 1234 5678', '138-1234-5678', '+86 138 1234 5678', '+86-13812345678', '008613812345678', '8613812345678', '(+86) 138.1234.5678', '１３８１２３４５６７８', '138\u00a01234\u30005678'];
    expect(new Set(same.map(canonicalPhone))).toEqual(new Set(['13812345678']));
  });

  it('keeps landlines, foreign numbers and anything it does not recognise as they are (digits only)', () => {
    expect(canonicalPhone('010-6275 1234')).toBe('01062751234');
    expect(canonicalPhone('+852 9123 4567')).toBe('+85291234567');
    // 86 before something that is not a mobile number is not a country code.
    expect(canonicalPhone('86 755 1234')).toBe('867551234');
    expect(canonicalPhone('+86 10 6275 1234')).toBe('+861062751234');
  });

  it('validates after making the number canonical, in records and bodies alike', () => {
    expect(PhoneSchema.parse(' +86 139-0000-1111 ')).toBe('13900001111');
    expect(PhoneSchema.safeParse('call me').success).toBe(false);
    expect(PhoneSchema.safeParse('138-00').success).toBe(false);
    expect(PhoneSchema.safeParse('1'.repeat(16)).success).toBe(false);
    expect(RECORD_SCHEMAS.person.parse({ name: '王芳', roles: ['guardian'], phone: '+86 138 1234 5678' }).phone).toBe('13812345678');
    expect(RECORD_SCHEMAS.visitor_pass.parse({ name: '李四', phone: '138-1234-5678', validFrom: 0, validUntil: 1 }).phone).toBe('13812345678');
  });
});

describe('phone fields of the edge’s forms', () => {
  it('take an empty or blank field as no number and make a typed one canonical', async () => {
    const { NewPersonSchema, NewVisitorPassSchema } = await import('../src/access/api.js');
    const person = { id: 'G1', name: '王芳', roles: ['guardian'] };
    expect(NewPersonSchema.parse({ ...person, phone: ' ' }).phone).toBeNull();
    expect(NewPersonSchema.parse({ ...person, phone: '' }).phone).toBeNull();
    expect(NewPersonSchema.parse(person).phone).toBeNull();
    expect(NewPersonSchema.parse({ ...person, phone: '+86 138 1234 5678' }).phone).toBe('13812345678');
    expect(NewPersonSchema.safeParse({ ...person, phone: '见备注' }).success).toBe(false);
    const pass = { kind: 'visitor', visitorName: '李四', hostPersonId: 'T1', validFrom: 0, validUntil: 1 };
    expect(NewVisitorPassSchema.parse({ ...pass, phone: '138-1234-5678' }).phone).toBe('13812345678');
  });
});
