import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bilingual, defineMessages, hasMessage, onMissingMessage, translate } from '@campus/protocol/i18n';
import { allowMissingMessages, missingMessages } from '@campus/testkit/i18n';

defineMessages({ 'testkit.sample': { 'zh-CN': '你好，{name}', en: 'Hello, {name}' } });

describe('missing translation ids in tests', () => {
  it('are reported by the protocol i18n hook, and a known id is not', () => {
    const seen: string[] = [];
    const off = onMissingMessage((id) => seen.push(id));
    try {
      expect(translate('zh-CN', 'testkit.sample', { name: '张三' })).toBe('你好，张三');
      expect(hasMessage('testkit.sample')).toBe(true);
      expect(hasMessage('testkit.nope')).toBe(false);
      allowMissingMessages();
      expect(bilingual('testkit.nope')).toEqual({ 'zh-CN': 'testkit.nope', en: 'testkit.nope' });
    } finally {
      off();
    }
    expect(seen).toEqual(['testkit.nope', 'testkit.nope']);
  });

  it('are recorded for the running test (the setup file fails it after it ran)', () => {
    allowMissingMessages();
    translate('en', 'testkit.missing.on.purpose');
    expect(missingMessages()).toEqual(['testkit.missing.on.purpose']);
  });

  // The failing side: a test that renders a missing id without allowing it must fail.
  // vitest has no "expect this test to fail" for an afterEach error, so a child vitest
  // run of a fixture with the repo's setup file proves it.
  it('fail the test that renders one, and only that test', () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const r = spawnSync(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'testkit/test/fixtures/vitest.fixture.config.ts'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as { testResults: Array<{ assertionResults: Array<{ title: string; status: string; failureMessages: string[] }> }> };
    const results = report.testResults.flatMap((f) => f.assertionResults);
    expect(results.map((t) => `${t.title}: ${t.status}`).sort()).toEqual(['renders an id nobody defined: failed', 'renders only defined ids: passed']);
    expect(results.find((t) => t.status === 'failed')!.failureMessages.join('\n')).toContain('missing translation id(s) rendered: testkit.fixture.never_defined');
  }, 120_000);
});
