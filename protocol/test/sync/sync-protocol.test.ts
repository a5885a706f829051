import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/ids.js';
import { canonicalRequest, SIGNATURE_SCHEME } from '../../src/sync/signing.js';
import { IngestBatchSchema, MAX_BATCH_EVENTS } from '../../src/sync/ingest.js';
import { ChangePageSchema, ChangesQuerySchema } from '../../src/sync/changes.js';
import { RECORD_KINDS, RECORD_SCHEMAS, RecordKeySchema } from '../../src/sync/records.js';
import { translate } from '../../src/i18n/index.js';
import '../../src/sync/messages.js';

const event = () => ({ id: uuidv7(), site: 's', type: 'access.decision', occurredAt: 1, clockTrusted: true, reason: 'access.granted', severity: 'info', priority: 1, source: 'gate', subject: 'stu', data: {} });

describe('sync signing format', () => {
  it('puts every signed field on its own line, method upper-cased', () => {
    const s = canonicalRequest({ method: 'post', path: '/api/edge/v1/events?x=1', timestamp: 1700000000000, nonce: 'n'.repeat(16), bodySha256: 'ab', edgeId: 'edge_1', keyId: 'key_1' });
    expect(s.split('\n')).toEqual([SIGNATURE_SCHEME, 'POST', '/api/edge/v1/events?x=1', '1700000000000', 'n'.repeat(16), 'ab', 'edge_1', 'key_1']);
  });

  it('changes when any field changes', () => {
    const base = { method: 'POST', path: '/p', timestamp: 1, nonce: 'a'.repeat(16), bodySha256: 'h', edgeId: 'e', keyId: 'k' };
    const variants = [{ method: 'GET' }, { path: '/q' }, { timestamp: 2 }, { nonce: 'b'.repeat(16) }, { bodySha256: 'i' }, { edgeId: 'f' }, { keyId: 'l' }];
    for (const v of variants) expect(canonicalRequest({ ...base, ...v })).not.toBe(canonicalRequest(base));
  });
});

describe('ingest batch schema', () => {
  it('accepts valid envelopes and refuses empty, oversized or invalid batches', () => {
    expect(IngestBatchSchema.safeParse({ events: [event()] }).success).toBe(true);
    expect(IngestBatchSchema.safeParse({ events: [] }).success).toBe(false);
    expect(IngestBatchSchema.safeParse({ events: Array.from({ length: MAX_BATCH_EVENTS + 1 }, event) }).success).toBe(false);
    expect(IngestBatchSchema.safeParse({ events: [{ ...event(), id: '00000000-0000-4000-8000-000000000000' }] }).success).toBe(false);
    expect(IngestBatchSchema.safeParse({ events: [{ ...event(), priority: 4 }] }).success).toBe(false);
  });
});

describe('change feed schemas', () => {
  it('coerces and bounds the query', () => {
    expect(ChangesQuerySchema.parse({ after: '12', limit: '5', wait: '3' })).toEqual({ after: 12, limit: 5, wait: 3 });
    expect(ChangesQuerySchema.parse({})).toEqual({ after: 0, limit: 500, wait: 0 });
    expect(ChangesQuerySchema.safeParse({ wait: '31' }).success).toBe(false);
    expect(ChangesQuerySchema.safeParse({ after: '-1' }).success).toBe(false);
  });

  it('validates a page', () => {
    const page = { changes: [{ seq: 1, kind: 'card', key: 'c-1', op: 'upsert', data: { personId: 'p', version: 1, revoked: false }, changedAt: 5 }], cursor: 1, more: false };
    expect(ChangePageSchema.parse(page)).toEqual(page);
    expect(ChangePageSchema.safeParse({ ...page, changes: [{ ...page.changes[0], kind: 'grades' }] }).success).toBe(false);
  });
});

describe('record schemas', () => {
  it('has a schema for every kind the cloud owns', () => {
    expect(Object.keys(RECORD_SCHEMAS).sort()).toEqual([...RECORD_KINDS].sort());
  });

  it('validates guardianships, cards and persons', () => {
    expect(RECORD_SCHEMAS.guardianship.safeParse({ studentId: 's', guardianId: 'g', relation: '母亲', mayPickUp: true, receivesNotices: true }).success).toBe(true);
    expect(RECORD_SCHEMAS.card.safeParse({ personId: 'p', version: -1, revoked: false }).success).toBe(false);
    expect(RECORD_SCHEMAS.person.parse({ name: '张三', roles: ['teacher', 'guardian'] })).toMatchObject({ active: true });
    expect(RECORD_SCHEMAS.person.safeParse({ name: '张三', roles: ['guardian'], phone: '138-00' }).success).toBe(false);
    expect(RecordKeySchema.safeParse('a/b').success).toBe(false);
  });
});

describe('sync error messages', () => {
  it('exist in both languages', () => {
    expect(translate('zh-CN', 'sync.error.cross_school', { site: 'x' })).toContain('x');
    expect(translate('en', 'sync.error.replay')).toMatch(/Replayed/);
  });
});
