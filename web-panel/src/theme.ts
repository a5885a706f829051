import type { ThemeConfig } from 'antd';

/**
 * Large type and touch targets: the panel runs on gate-house tablets and wall screens
 * as much as on desks. CJK faces are listed so Chinese never falls back to a serif.
 */
export const panelTheme: ThemeConfig = {
  token: {
    fontSize: 16,
    controlHeight: 40,
    borderRadius: 8,
    fontFamily:
      "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', sans-serif",
  },
  components: {
    Table: { cellPaddingBlockMD: 14 },
    Menu: { itemHeight: 52, iconSize: 18 },
    Layout: { headerBg: '#ffffff', headerPadding: '0 24px', headerHeight: 64 },
  },
};
