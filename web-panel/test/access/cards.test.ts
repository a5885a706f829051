import { describe, expect, it } from 'vitest';
import type { PersonView } from '@campus/protocol/access/index';
import { cardRosterCsv, cardState, nextCardVersion, versionToPrint } from '../../src/pages/access/people/cards';

function person(p: Partial<PersonView>): PersonView {
  return {
    id: '2026010001',
    name: '张三',
    roles: ['student'],
    classId: 1,
    className: '1班',
    gradeId: 1,
    gradeName: '初一',
    boarder: false,
    dormitoryZone: null,
    phone: null,
    active: true,
    cardVersion: 1,
    minCardVersion: 0,
    hasPhoto: false,
    ...p,
  };
}

describe('cardState', () => {
  it('says when nobody has been issued a card yet', () => {
    expect(cardState({ cardVersion: 0, minCardVersion: 0 })).toEqual({ kind: 'none' });
  });

  it('says which version is in hand and valid', () => {
    expect(cardState({ cardVersion: 3, minCardVersion: 3 })).toEqual({ kind: 'valid', version: 3 });
    expect(cardState({ cardVersion: 1, minCardVersion: 0 })).toEqual({ kind: 'valid', version: 1 });
  });

  it('asks for a replacement above the revocation floor after a revocation', () => {
    expect(cardState({ cardVersion: 1, minCardVersion: 2 })).toEqual({ kind: 'reissue', version: 2 });
    expect(cardState({ cardVersion: 1, minCardVersion: 5 })).toEqual({ kind: 'reissue', version: 5 });
    // Revoked before any card was registered: still a replacement to print.
    expect(cardState({ cardVersion: 0, minCardVersion: 3 })).toEqual({ kind: 'reissue', version: 3 });
  });
});

describe('versions', () => {
  it('prints the card in hand again, the replacement, or version 1', () => {
    expect(versionToPrint({ cardVersion: 2, minCardVersion: 2 })).toBe(2);
    expect(versionToPrint({ cardVersion: 2, minCardVersion: 3 })).toBe(3);
    expect(versionToPrint({ cardVersion: 0, minCardVersion: 0 })).toBe(1);
  });

  it('tells the admin the version a revocation will require', () => {
    expect(nextCardVersion({ cardVersion: 1, minCardVersion: 0 })).toBe(2);
    expect(nextCardVersion({ cardVersion: 1, minCardVersion: 4 })).toBe(4);
  });
});

describe('cardRosterCsv', () => {
  it('writes the columns campus-edge cards issue reads, with a BOM and CRLF', () => {
    const csv = cardRosterCsv([person({}), person({ id: 'T001', name: '陈老师', roles: ['teacher'], className: null, gradeName: null, cardVersion: 0 })]);
    expect(csv).toBe('\uFEFF学号,姓名,年级,班级,卡版本\r\n2026010001,张三,初一,1班,1\r\nT001,陈老师,,,1\r\n');
  });

  it('quotes names with commas or quotes, so a row never shifts a column', () => {
    const csv = cardRosterCsv([person({ name: 'Li, "Lily"', minCardVersion: 2 })]);
    expect(csv.split('\r\n')[1]).toBe('2026010001,"Li, ""Lily""",初一,1班,2');
  });
});
