import { defineMessages } from '@campus/protocol/i18n';
import { accessMenuMessages } from './access-messages';
import { endpointsMessages } from './endpoints-messages';
import { energyMenuMessages } from './energy-messages';

/** Every string the panel shows, zh-CN first. Event texts come localized from the edge. */
export const panelMessages = defineMessages({
  'panel.app.title': { 'zh-CN': '智慧校园 Edge', en: 'Smart Campus Edge' },
  'panel.app.loading': { 'zh-CN': '正在加载…', en: 'Loading…' },

  'panel.menu.events': { 'zh-CN': '实时事件', en: 'Live events' },
  'panel.menu.devices': { 'zh-CN': '设备', en: 'Devices' },
  'panel.menu.open': { 'zh-CN': '打开菜单', en: 'Open the menu' },

  'panel.lang.switch': { 'zh-CN': '语言', en: 'Language' },

  'panel.signin.title': { 'zh-CN': '登录管理面板', en: 'Sign in to the panel' },
  'panel.signin.username': { 'zh-CN': '用户名', en: 'Username' },
  'panel.signin.password': { 'zh-CN': '密码', en: 'Password' },
  'panel.signin.submit': { 'zh-CN': '登录', en: 'Sign in' },
  'panel.signin.usernameRequired': { 'zh-CN': '请输入用户名', en: 'Enter your username' },
  'panel.signin.passwordRequired': { 'zh-CN': '请输入密码', en: 'Enter your password' },
  'panel.signin.locked': {
    'zh-CN': '登录尝试过多，请在 {seconds} 秒后重试',
    en: 'Too many sign-in attempts. Try again in {seconds} s',
  },

  'panel.user.signOut': { 'zh-CN': '退出登录', en: 'Sign out' },
  'panel.user.roles': { 'zh-CN': '角色：{roles}', en: 'Roles: {roles}' },
  'panel.role.admin': { 'zh-CN': '管理员', en: 'Administrator' },
  'panel.role.security': { 'zh-CN': '安保', en: 'Security' },
  'panel.role.facility': { 'zh-CN': '后勤', en: 'Facility' },
  'panel.role.it': { 'zh-CN': '信息中心', en: 'IT' },
  'panel.role.staff': { 'zh-CN': '教职工', en: 'Staff' },
  'panel.role.contractor': { 'zh-CN': '外包维修', en: 'Contractor' },
  'panel.role.transport': { 'zh-CN': '随车照管', en: 'Bus attendant' },
  'panel.role.transport_manager': { 'zh-CN': '校车管理', en: 'Transport manager' },

  'panel.clock.trusted': { 'zh-CN': '时钟已同步', en: 'Clock synchronised' },
  'panel.clock.untrusted': { 'zh-CN': '时钟未同步', en: 'Clock not synchronised' },
  'panel.clock.untrustedHint': {
    'zh-CN': '系统时钟未经校准（来源：{source}），事件时间可能不准确',
    en: 'The system clock is not synchronised (source: {source}); event times may be wrong',
  },
  'panel.clock.trustedHint': { 'zh-CN': '时间来源：{source}', en: 'Time source: {source}' },

  'panel.live.connected': { 'zh-CN': '实时连接中', en: 'Live' },
  'panel.live.disconnected': { 'zh-CN': '连接已断开，正在重连…', en: 'Disconnected, reconnecting…' },
  'panel.live.connectedShort': { 'zh-CN': '实时', en: 'Live' },
  'panel.live.disconnectedShort': { 'zh-CN': '断开', en: 'Offline' },

  'panel.events.filter': { 'zh-CN': '按类别筛选，如门禁、用电、USB 拦截', en: 'Filter by kind, e.g. gate access, energy, USB blocked' },
  'panel.events.col.time': { 'zh-CN': '时间', en: 'Time' },
  'panel.events.col.severity': { 'zh-CN': '级别', en: 'Severity' },
  'panel.events.col.type': { 'zh-CN': '类型', en: 'Type' },
  'panel.events.col.text': { 'zh-CN': '内容', en: 'What happened' },
  'panel.events.col.source': { 'zh-CN': '来源', en: 'Source' },
  'panel.events.clockUntrusted': {
    'zh-CN': '记录时时钟未同步，时间可能不准',
    en: 'Recorded while the clock was not synchronised; the time may be wrong',
  },
  'panel.events.empty': { 'zh-CN': '暂无事件', en: 'No events yet' },
  'panel.events.loadMore': { 'zh-CN': '加载更早的事件', en: 'Load older events' },
  'panel.events.noMore': { 'zh-CN': '没有更早的事件了', en: 'No older events' },
  'panel.events.count': { 'zh-CN': '共显示 {count} 条', en: '{count} shown' },

  'panel.severity.info': { 'zh-CN': '信息', en: 'Info' },
  'panel.severity.notice': { 'zh-CN': '提示', en: 'Notice' },
  'panel.severity.warning': { 'zh-CN': '警告', en: 'Warning' },
  'panel.severity.critical': { 'zh-CN': '严重', en: 'Critical' },

  'panel.devices.summary': { 'zh-CN': '在线 {online} / 共 {total}', en: '{online} online of {total}' },
  'panel.devices.col.name': { 'zh-CN': '名称', en: 'Name' },
  'panel.devices.col.clientId': { 'zh-CN': '客户端 ID', en: 'Client ID' },
  'panel.devices.col.role': { 'zh-CN': '类型', en: 'Kind' },
  'panel.devices.col.status': { 'zh-CN': '状态', en: 'Status' },
  'panel.devices.col.lastSeen': { 'zh-CN': '最后在线', en: 'Last seen' },
  'panel.devices.col.address': { 'zh-CN': '地址', en: 'Address' },
  'panel.devices.online': { 'zh-CN': '在线', en: 'Online' },
  'panel.devices.offline': { 'zh-CN': '离线', en: 'Offline' },
  'panel.devices.never': { 'zh-CN': '从未连接', en: 'Never connected' },
  'panel.devices.now': { 'zh-CN': '当前在线', en: 'Now' },
  'panel.devices.empty': { 'zh-CN': '还没有客户端登记到消息代理', en: 'No clients are registered with the broker' },
  'panel.clientRole.device': { 'zh-CN': '现场设备', en: 'Field device' },
  'panel.clientRole.pc-agent': { 'zh-CN': '电脑终端', en: 'PC agent' },
  'panel.clientRole.operator': { 'zh-CN': '操作员', en: 'Operator' },
  'panel.clientRole.observer': { 'zh-CN': '观察者', en: 'Observer' },

  'panel.time.justNow': { 'zh-CN': '刚刚', en: 'just now' },
  'panel.time.secondsAgo': { 'zh-CN': '{n}秒前', en: '{n} seconds ago' },
  'panel.time.secondsLater': { 'zh-CN': '{n}秒后', en: 'in {n} seconds' },

  'panel.error.network': {
    'zh-CN': '无法连接边缘网关，请检查网络后重试',
    en: 'Cannot reach the edge gateway. Check the network and try again',
  },
  'panel.error.unexpected': {
    'zh-CN': '边缘网关返回了无法识别的响应（HTTP {status}）',
    en: 'The edge gateway sent an unexpected response (HTTP {status})',
  },
  'panel.error.fields': {
    'zh-CN': '以下内容不符合要求，请检查后重试：{fields}',
    en: 'Check these fields and try again: {fields}',
  },
  'panel.error.forbidden': { 'zh-CN': '您没有权限查看此页面', en: 'You may not view this page' },
  'panel.error.notFound': { 'zh-CN': '页面不存在', en: 'Page not found' },
  'panel.error.pageLoad': {
    'zh-CN': '页面加载失败，请刷新重试',
    en: 'The page failed to load. Reload and try again',
  },
  'panel.action.retry': { 'zh-CN': '重试', en: 'Retry' },
  'panel.action.reload': { 'zh-CN': '刷新', en: 'Reload' },

  ...endpointsMessages,
  ...accessMenuMessages,
  ...energyMenuMessages,
});

export type PanelMessageId = keyof typeof panelMessages;
