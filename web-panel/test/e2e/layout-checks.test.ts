import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layoutProblems } from './layout-checks';

/** The layout checks of responsive.test.ts find what they claim to find, in Chromium. */
let browser: Browser;
beforeAll(async () => {
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
});
afterAll(async () => {
  await browser?.close();
});

async function problemsOf(html: string): Promise<string[]> {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  try {
    await page.setContent(`<html lang="zh-CN"><body style="margin:0;font:16px/1.5 'Noto Sans CJK SC',sans-serif">${html}</body></html>`);
    return await layoutProblems(page);
  } finally {
    await page.close();
  }
}

describe('layout checks', () => {
  it('pass a page that fits', async () => {
    expect(await problemsOf('<div class="shell-header" style="display:flex;justify-content:space-between"><h1 data-testid="site-name">示范中学</h1><span data-testid="user-menu">管理员</span></div><p>孙悦在宿舍</p>')).toEqual([]);
  });

  it('find a page wider than the viewport', async () => {
    const p = await problemsOf('<div data-testid="gates" style="width:486px">东门</div>');
    expect(p).toEqual([expect.stringMatching(/page is 486px wide in a 390px viewport \(div\[data-testid=gates\]/)]);
  });

  it('find text wrapped one character per line', async () => {
    const p = await problemsOf('<table><tr><td style="width:1em;padding:0">孙悦在宿舍</td></tr></table>');
    expect(p).toEqual(['"孙悦在宿舍" renders one character per line (td)']);
  });

  it('find a table header that wraps', async () => {
    const p = await problemsOf('<table><thead class="ant-table-thead"><tr><th style="width:3em;padding:0">申请时长</th></tr></thead></table>');
    expect(p).toEqual(['table header "申请时长" wraps onto 2 lines']);
  });

  it('find header items that overlap', async () => {
    const p = await problemsOf(
      '<div class="shell-header" style="position:relative;height:56px"><h1 data-testid="site-name" style="margin:0;display:inline-block">示范中学</h1><span data-testid="live-status" style="position:absolute;right:20px;top:10px">实时连接中</span><button data-testid="user-menu" style="position:absolute;right:0;top:10px">管理员</button></div>',
    );
    expect(p).toEqual([expect.stringMatching(/^header items overlap: span\[data-testid=live-status\] and button\[data-testid=user-menu\]/)]);
  });
});
