import type { Page } from 'playwright-core';

/**
 * What a person would call broken layout, measured in the page:
 * - the document is wider than the viewport (the page scrolls sideways);
 * - a text of two or more characters renders one character per line;
 * - a table header wraps onto a second line ("申请时/长");
 * - two items of the header (site name, live badge, clock, language, user) overlap.
 */
export function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const vw = window.innerWidth;
    const doc = document.documentElement;
    const describe = (el: Element): string => {
      const id = el.getAttribute('data-testid');
      const cls = typeof el.className === 'string' ? el.className.split(/\s+/).filter(Boolean).slice(0, 2).join('.') : '';
      return `${el.tagName.toLowerCase()}${id ? `[data-testid=${id}]` : ''}${cls ? '.' + cls : ''}`;
    };
    const visible = (el: Element): boolean => el.checkVisibility({ opacityProperty: true, visibilityProperty: true });

    if (doc.scrollWidth > vw) {
      // Name the deepest elements that stick out, so the failure says what to fix.
      const wide = [...document.querySelectorAll('body *')].filter((el) => visible(el) && el.getBoundingClientRect().right > vw + 1 && ![...el.children].some((c) => c.getBoundingClientRect().right > vw + 1));
      problems.push(`page is ${doc.scrollWidth}px wide in a ${vw}px viewport (${wide.slice(0, 4).map(describe).join(', ')})`);
    }

    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = (n.textContent ?? '').replace(/\s+/g, '');
      const parent = n.parentElement;
      if (text.length < 2 || !parent || !visible(parent)) continue;
      range.selectNodeContents(n);
      const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0).map((r) => Math.round(r.top)));
      const inHeader = parent.closest('.ant-table-thead th');
      if (inHeader && tops.size > 1) problems.push(`table header "${text}" wraps onto ${tops.size} lines`);
      else if (tops.size > 1 && tops.size >= [...text].length) problems.push(`"${text.slice(0, 20)}" renders one character per line (${describe(parent)})`);
    }

    const header = document.querySelector('.shell-header');
    if (header) {
      const items = [...header.querySelectorAll('[data-testid=site-name], [data-testid=menu-button], [data-testid=live-status], [data-testid=clock-badge], .ant-segmented, [data-testid=user-menu]')].filter(visible);
      const boxes = items.map((el) => ({ el, r: el.getBoundingClientRect() }));
      for (const { el, r } of boxes) if (r.left < -1 || r.right > vw + 1) problems.push(`header item ${describe(el)} is outside the viewport`);
      for (let i = 0; i < boxes.length; i++)
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i]!.r;
          const b = boxes[j]!.r;
          const overlap = Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
          if (overlap) problems.push(`header items overlap: ${describe(boxes[i]!.el)} and ${describe(boxes[j]!.el)}`);
        }
      // Nothing of the page may sit under the header's tools.
      const tools = header.querySelector('.header-tools')?.getBoundingClientRect();
      if (tools && tools.bottom > header.getBoundingClientRect().bottom + 1) problems.push('the header tools spill below the header');
    }
    return problems;
  });
}
