import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allMessages } from '@campus/protocol/i18n';
import { describe, expect, it } from 'vitest';
import { allowMissingMessages } from '@campus/testkit/i18n';
import { panelTranslate } from '../../src/i18n/translate';
import { relativeTime } from '../../src/format/time';
import '../../src/i18n/messages';
import '../../src/pages/access/messages';
import '../../src/pages/energy/messages';
import '../../src/pages/events/labels';
import '../../src/i18n/bus-messages';
import '../../src/i18n/facilities-messages';
import '../../src/pages/bus/messages';
import '../../src/pages/facilities/messages';

describe('panel translations', () => {
  it('fail the test that renders an id no catalogue has', () => {
    // This test renders a missing id on purpose: the kit's own missing-id check stands aside.
    allowMissingMessages();
    expect(() => panelTranslate('zh-CN', 'panel.access.direction.sideways')).toThrow('i18n: missing message id "panel.access.direction.sideways"');
    expect(panelTranslate('zh-CN', 'panel.time.justNow')).toBe('刚刚');
    // Formatting helpers go through the same check.
    expect(relativeTime('zh-CN', 0, 1_000)).toBe('刚刚');
  });

  it('know every id the panel source names literally', () => {
    const src = fileURLToPath(new URL('../../src/', import.meta.url));
    const known = allMessages();
    const missing: string[] = [];
    let named = 0;
    const walk = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : /\.tsx?$/.test(n) ? [join(dir, n)] : []));
    for (const file of walk(src)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\bt\(\s*'((?:panel|energy)\.[\w.-]+)'/g)) {
        named++;
        if (!(m[1]! in known)) missing.push(`${file.slice(src.length)}: ${m[1]}`);
      }
    }
    expect(named).toBeGreaterThan(300);
    expect(missing).toEqual([]);
  });
});
