import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { filterWithin, isPublishableTopic, mayPublish, maySubscribe, topicMatches, topics } from '../src/topics.js';
import { UuidV7Generator, isUuidV7, uuidV7Time } from '../src/ids.js';
import { defineMessages, pickLocale, translate, bilingual } from '../src/i18n/index.js';
import { allowMissingMessages } from '@campus/testkit/i18n';

describe('topic matching (MQTT 3.1.1 §4.7)', () => {
  it.each([
    ['campus/#', 'campus', true],
    ['campus/#', 'campus/dev/a/state', true],
    ['campus/+/a', 'campus/dev/a', true],
    ['campus/+/a', 'campus/dev/b', false],
    ['campus/dev/+', 'campus/dev/a/b', false],
    ['#', 'anything/at/all', true],
  ])('%s matches %s: %s', (f, t, want) => expect(topicMatches(f, t)).toBe(want));

  it('filterWithin is consistent with topicMatches on random topics', () => {
    const level = fc.constantFrom('campus', 'dev', 'a', 'b', 'state');
    const topic = fc.array(level, { minLength: 1, maxLength: 5 }).map((l) => l.join('/'));
    const filterLevel = fc.constantFrom('campus', 'dev', 'a', 'b', 'state', '+');
    const filter = fc
      .tuple(fc.array(filterLevel, { minLength: 1, maxLength: 4 }), fc.boolean())
      .map(([l, hash]) => (hash ? [...l, '#'] : l).join('/'));
    fc.assert(
      fc.property(filter, filter, topic, (inner, outer, t) => {
        if (filterWithin(inner, outer) && topicMatches(inner, t)) expect(topicMatches(outer, t)).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('ACL', () => {
  it('a device publishes only under its own subtree, never to cmd', () => {
    expect(mayPublish('device', 'r1', 'campus/dev/r1/event/scan')).toBe(true);
    expect(mayPublish('device', 'r1', 'campus/dev/r1/telemetry/power/a')).toBe(true);
    expect(mayPublish('device', 'r1', 'campus/dev/r2/event/scan')).toBe(false);
    expect(mayPublish('device', 'r1', 'campus/dev/r1/cmd/open')).toBe(false);
    expect(mayPublish('device', 'r1', 'campus/events/access/decision')).toBe(false);
  });
  it('a PC agent cannot write its own policy', () => {
    expect(mayPublish('pc-agent', 'pc1', topics.agentAck('pc1'))).toBe(true);
    expect(mayPublish('pc-agent', 'pc1', topics.agentPolicy('pc1'))).toBe(false);
    expect(maySubscribe('pc-agent', 'pc1', topics.agentPolicy('pc1'))).toBe(true);
    expect(maySubscribe('pc-agent', 'pc1', topics.agentPolicy('pc2'))).toBe(false);
    expect(maySubscribe('pc-agent', 'pc1', 'campus/pc/+/policy')).toBe(false);
  });
  it('observers read but never write; wildcards never publish', () => {
    expect(maySubscribe('observer', 'o', 'campus/events/#')).toBe(true);
    expect(maySubscribe('observer', 'o', 'campus/#')).toBe(false);
    expect(maySubscribe('observer', 'o', 'campus/pc/+/policy')).toBe(false);
    expect(mayPublish('observer', 'o', 'campus/energy/circuit/c1/set')).toBe(false);
    expect(mayPublish('operator', 'o', 'campus/energy/circuit/c1/set')).toBe(true);
    expect(isPublishableTopic('campus/+/x')).toBe(false);
    expect(mayPublish('device', 'r1', 'campus/dev/r1/telemetry/#')).toBe(false);
  });
  it('refuses ids that would break the topic tree', () => {
    expect(() => topics.deviceState('a/b')).toThrow();
    expect(() => topics.deviceState('+')).toThrow();
    expect(() => topics.deviceState('')).toThrow();
  });
});

describe('UUIDv7', () => {
  it('is monotonic even when the clock stands still or goes back', () => {
    let t = 1_700_000_000_000;
    const g = new UuidV7Generator(() => t);
    const ids: string[] = [];
    for (let i = 0; i < 1000; i++) {
      if (i === 500) t -= 60_000;
      ids.push(g.next());
    }
    expect(ids.every(isUuidV7)).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(uuidV7Time(ids[0]!)).toBe(1_700_000_000_000);
  });
});

describe('i18n', () => {
  it('formats zh-CN first, English on request, and refuses conflicting ids', () => {
    defineMessages({ 'test.hello': { 'zh-CN': '你好，{name}', en: 'Hello, {name}' } });
    expect(translate('zh-CN', 'test.hello', { name: '王' })).toBe('你好，王');
    expect(bilingual('test.hello', { name: 'Li' }).en).toBe('Hello, Li');
    allowMissingMessages(); // the fallback itself is under test
    expect(translate('en', 'no.such.id')).toBe('no.such.id');
    expect(() => defineMessages({ 'test.hello': { 'zh-CN': '别的', en: 'other' } })).toThrow(/twice/);
    expect(pickLocale('en-US,en;q=0.9')).toBe('en');
    expect(pickLocale('zh-TW')).toBe('zh-CN');
    expect(pickLocale(undefined)).toBe('zh-CN');
  });
});

describe('compiled ACL', () => {
  it('decides exactly like the uncompiled rules on random topics and filters', async () => {
    const { compileAcl, BROKER_ROLES } = await import('../src/topics.js');
    const level = fc.constantFrom('campus', 'dev', 'pc', 'r1', 'r2', 'cmd', 'event', 'telemetry', 'state', 'policy', 'energy', 'circuit', 'set', 'events', '+', '#');
    const path = fc.array(level, { minLength: 1, maxLength: 6 }).map((l) => l.join('/'));
    fc.assert(
      fc.property(fc.constantFrom(...BROKER_ROLES), fc.constantFrom('r1', 'r2'), path, (role, self, t) => {
        const acl = compileAcl(role, self);
        expect(acl.mayPublish(t)).toBe(mayPublish(role, self, t));
        expect(acl.maySubscribe(t)).toBe(maySubscribe(role, self, t));
      }),
      { numRuns: 20_000 },
    );
  });
});
