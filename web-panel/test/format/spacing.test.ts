import { describe, expect, it } from 'vitest';
import { chineseSpacing } from '../../src/format/spacing';

describe('chineseSpacing', () => {
  it('joins Chinese words the edge separated with spaces', () => {
    expect(chineseSpacing('郑老师 通过 东门')).toBe('郑老师通过东门');
    expect(chineseSpacing('钱师傅通过 东门')).toBe('钱师傅通过东门');
    expect(chineseSpacing('郑老师 通过 东门，但与上一次通行方向相同（防潜回提醒）')).toBe('郑老师通过东门，但与上一次通行方向相同（防潜回提醒）');
    expect(chineseSpacing('张伟（初一 1班） 通过 东门')).toBe('张伟（初一 1班）通过东门');
  });

  it('keeps the space between Chinese and Latin words or numbers', () => {
    expect(chineseSpacing('访客通行证 1000000 通过 东门')).toBe('访客通行证 1000000 通过东门');
    expect(chineseSpacing('USB 设备 Cruzer Blade 已拦截')).toBe('USB 设备 Cruzer Blade 已拦截');
    expect(chineseSpacing('Edge gateway started')).toBe('Edge gateway started');
  });
});
