import { defineMessages } from '@campus/protocol/i18n';

/** API errors of the school bus domain (ids "error.<code>"). */
export const busErrorMessages = defineMessages({
  'error.bus.not_running': { 'zh-CN': '校车功能未启用（bus.enabled）', en: 'The school bus domain is not running (bus.enabled)' },
  'error.bus.unknown_route': { 'zh-CN': '没有线路 {routeId}', en: 'No route {routeId}' },
  'error.bus.unknown_stop': { 'zh-CN': '线路 {routeId} 没有站点 {stopId}', en: 'Route {routeId} has no stop {stopId}' },
  'error.bus.unknown_person': { 'zh-CN': '名单中没有 {personId}', en: 'No {personId} on the roster' },
  'error.bus.trip_open': { 'zh-CN': '已有进行中的行程（{routeId} {direction}），请先结束', en: 'A trip is already running ({routeId} {direction}); close it first' },
  'error.bus.trip_exists': { 'zh-CN': '{routeId} {date} {direction} 的行程已经存在', en: 'The trip {routeId} {date} {direction} already exists' },
  'error.bus.no_trip': { 'zh-CN': '当前没有进行中的行程', en: 'No trip is running' },
  'error.bus.children_aboard': { 'zh-CN': '不能结束行程：还有 {count} 名学生未下车（{names}）', en: 'The trip cannot be closed: {count} child(ren) still on board ({names})' },
  'error.bus.passes.no_key': { 'zh-CN': '本机不能签发接送证：未配置签发密钥（bus.pickupPassKey）', en: 'This box cannot sign pickup passes: no issuer key configured (bus.pickupPassKey)' },
  'error.bus.passes.bad_key': { 'zh-CN': '接送证签发密钥无法读取：{detail}', en: 'The pickup pass issuer key cannot be read: {detail}' },
  'error.bus.passes.none': { 'zh-CN': '没有可打印的接送人（所选学生没有授权接送人）', en: 'No pickup persons to print (the chosen children have none)' },
  'error.bus.passes.unknown': { 'zh-CN': '没有接送人记录 {key}', en: 'No pickup person record {key}' },
  'error.bus.passes.font_missing': { 'zh-CN': '找不到中文字体，无法打印接送证：{detail}', en: 'No Chinese font to print pickup passes: {detail}' },
  'error.bus.passes.glyphs': { 'zh-CN': '字体缺少这些字，无法打印：{detail}', en: 'The font lacks characters needed: {detail}' },
  'error.bus.check_required': { 'zh-CN': '不能结束行程：请先到车尾扫描检查点二维码', en: 'The trip cannot be closed: scan the rear checkpoint QR first' },
});
