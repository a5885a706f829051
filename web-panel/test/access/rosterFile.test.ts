import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAX_ROSTER_BYTES, rosterFileProblem, toBase64 } from '../../src/pages/access/people/rosterFile';

describe('rosterFileProblem', () => {
  it('takes .csv and .xlsx files that fit into one request', () => {
    expect(rosterFileProblem({ name: '初一名单.CSV', size: 10 })).toBeNull();
    expect(rosterFileProblem({ name: 'roster.xlsx', size: MAX_ROSTER_BYTES })).toBeNull();
  });

  it('refuses other types and files too big for the edge’s body limit', () => {
    expect(rosterFileProblem({ name: 'roster.xls', size: 10 })).toBe('wrongType');
    expect(rosterFileProblem({ name: 'roster.csv.txt', size: 10 })).toBe('wrongType');
    expect(rosterFileProblem({ name: 'roster.csv', size: MAX_ROSTER_BYTES + 1 })).toBe('tooBig');
  });

  it('keeps the base64 of the largest file inside the edge’s default 1 MB JSON body', () => {
    expect(Math.ceil(MAX_ROSTER_BYTES / 3) * 4 + 200).toBeLessThan(1_048_576);
  });
});

describe('toBase64', () => {
  it('matches Node’s encoding for empty, small and larger-than-a-slice files', () => {
    for (const size of [0, 1, 2, 3, 0x8000 - 1, 0x8000, 0x8000 * 3 + 7]) {
      const bytes = randomBytes(size);
      expect(toBase64(new Uint8Array(bytes))).toBe(bytes.toString('base64'));
    }
  });
});
