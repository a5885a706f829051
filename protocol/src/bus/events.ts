import { defineMessages } from '../i18n/index.js';

/**
 * Event types of the school bus (校车) domain (the envelope's `type`). Boarding and
 * alighting are recorded on the bus box; the end-of-trip check alarm travels on the
 * safety lane (priority 0) so it reaches the cloud before anything else.
 */
export const BUS_EVENTS = {
  /** A child got on (or a scan at the door was refused: `reason` says why). */
  boarding: 'bus.boarding',
  /** A child got off at a stop. */
  alighting: 'bus.alighting',
  /** The pickup step at a handover stop: waiting, handed over (who, whom, where, when, how), nobody came, refused pass or code. */
  handover: 'bus.handover',
  /** A trip opened or closed. */
  trip: 'bus.trip',
  /** The end-of-trip check: rear checkpoint scanned, refused close, missed-check alarm. */
  check: 'bus.check',
  /** The bus arrived at or left a stop (geofence). */
  stop: 'bus.stop',
  /** Overspeed started or ended. */
  overspeed: 'bus.overspeed',
  /** The GPS receiver: fix lost or regained, refused sentences. */
  gps: 'bus.gps',
  /** A running trip's thinned positions, sent every few seconds (protocol/bus/positions.ts). */
  position: 'bus.position',
} as const;
export type BusEventType = (typeof BUS_EVENTS)[keyof typeof BUS_EVENTS];

/** Why a card was refused at the bus door (the reader shows red). */
export const BUS_REFUSALS = [
  'bus.refused.wrong_bus',
  'bus.refused.wrong_stop',
  'bus.refused.on_leave',
  'bus.refused.absent_today',
  'bus.refused.stop_changed',
  'bus.refused.already_on_board',
  'bus.refused.not_on_board',
  'bus.refused.card_revoked',
  'bus.refused.other_school',
  'bus.refused.bad_card',
  'bus.refused.no_trip',
  'bus.refused.not_assigned',
  'bus.refused.trip_closed',
] as const;
export type BusRefusal = (typeof BUS_REFUSALS)[number];

/** Why a pickup pass or code was refused at the bus door (the child stays on board). */
export const BUS_HANDOVER_REFUSALS = [
  'bus.handover.not_waiting',
  'bus.handover.wrong_child',
  'bus.handover.other_school',
  'bus.handover.bad_pass',
  'bus.handover.unknown_pickup',
  'bus.handover.pass_revoked',
  'bus.handover.pickup_not_valid',
  'bus.handover.bad_code',
  'bus.handover.code_expired',
  'bus.handover.code_locked',
  'bus.handover.no_codes',
] as const;

/** Every reason code the bus domain records. */
export const BUS_REASONS = [
  'bus.boarded',
  'bus.boarded.manual',
  'bus.alighted',
  'bus.alighted.manual',
  'bus.handed_over',
  'bus.handover.waiting',
  'bus.handover.failed',
  ...BUS_HANDOVER_REFUSALS,
  'bus.trip.opened',
  'bus.trip.closed',
  'bus.trip.close_refused',
  'bus.trip.check_required',
  'bus.check.done',
  'bus.check.missed',
  'bus.check.wrong_code',
  'bus.stop.arrived',
  'bus.stop.departed',
  'bus.overspeed.started',
  'bus.overspeed.ended',
  'bus.gps.fix_lost',
  'bus.gps.fix_regained',
  'bus.position',
  ...BUS_REFUSALS,
] as const;
export type BusReason = (typeof BUS_REASONS)[number];

export const busReasonMessages = defineMessages({
  'reason.bus.boarded': { 'zh-CN': '{personName} 在 {stopName} 上车（{routeName}）', en: '{personName} boarded at {stopName} ({routeName})' },
  'reason.bus.boarded.manual': { 'zh-CN': '{personName} 无卡上车，由随车照管人员 {by} 登记：{why}', en: '{personName} boarded without a card, recorded by attendant {by}: {why}' },
  'reason.bus.alighted': { 'zh-CN': '{personName} 在 {stopName} 下车', en: '{personName} got off at {stopName}' },
  'reason.bus.alighted.manual': { 'zh-CN': '{personName} 无卡下车，由随车照管人员 {by} 登记：{why}', en: '{personName} got off without a card, recorded by attendant {by}: {why}' },
  'reason.bus.handed_over': { 'zh-CN': '{personName} 在 {stopName} 交接给 {pickupName}（{relation}）', en: '{personName} handed over to {pickupName} ({relation}) at {stopName}' },
  'reason.bus.handover.waiting': { 'zh-CN': '{personName} 等待接送人：请扫描接送证或输入家长端接送码', en: '{personName} waits for a pickup person: scan their pickup pass or enter the code from the parent app' },
  'reason.bus.handover.failed': { 'zh-CN': '{personName} 在 {stopName} 无授权接送人，留在车上随车返校', en: 'No authorized pickup person for {personName} at {stopName}: the child stays on board and returns to school' },
  'reason.bus.handover.not_waiting': { 'zh-CN': '{personName} 当前不在等待接送', en: '{personName} is not waiting for a pickup' },
  'reason.bus.handover.wrong_child': { 'zh-CN': '这是 {passStudent} 的接送证，不是 {personName} 的', en: 'This pickup pass is for {passStudent}, not {personName}' },
  'reason.bus.handover.other_school': { 'zh-CN': '不是本校签发的接送证', en: 'A pickup pass of another school' },
  'reason.bus.handover.bad_pass': { 'zh-CN': '无法识别的接送证', en: 'Pickup pass not recognised' },
  'reason.bus.handover.unknown_pickup': { 'zh-CN': '{personName} 的授权接送人中没有此接送证的持有人', en: 'The holder of this pass is not among {personName}’s authorized pickup persons' },
  'reason.bus.handover.pass_revoked': { 'zh-CN': '{pickupName} 的接送证已作废（已换发新证）', en: '{pickupName}’s pickup pass is revoked (a newer one was issued)' },
  'reason.bus.handover.pickup_not_valid': { 'zh-CN': '{pickupName} 的接送授权不在有效期内', en: '{pickupName}’s pickup authorization is not valid now' },
  'reason.bus.handover.bad_code': { 'zh-CN': '接送码不正确（还可尝试 {left} 次）', en: 'Wrong pickup code ({left} tries left)' },
  'reason.bus.handover.code_expired': { 'zh-CN': '接送码已过期，请家长刷新家长端后重新出示', en: 'The pickup code has expired: ask for a fresh one from the parent app' },
  'reason.bus.handover.code_locked': { 'zh-CN': '接送码错误次数过多，请扫描接送证或联系学校', en: 'Too many wrong codes: scan the pickup pass or call the school' },
  'reason.bus.handover.no_codes': { 'zh-CN': '{personName} 的接送人没有开通接送码，请扫描接送证', en: 'No pickup person of {personName} has codes: scan the pickup pass' },
  'reason.bus.trip.opened': { 'zh-CN': '{routeName} {date} {direction} 行程开始', en: 'Trip {routeName} {date} {direction} opened' },
  'reason.bus.trip.closed': { 'zh-CN': '{routeName} 行程结束，共 {boarded} 人上车', en: 'Trip {routeName} closed; {boarded} boarded' },
  'reason.bus.trip.close_refused': {
    'zh-CN': '不能结束行程：还有 {count} 名学生未下车（{names}）',
    en: 'The trip cannot be closed: {count} child(ren) still on board ({names})',
  },
  'reason.bus.trip.check_required': {
    'zh-CN': '不能结束行程：请先到车尾扫描检查点二维码，确认车内无人',
    en: 'The trip cannot be closed: scan the rear checkpoint QR first to confirm the bus is empty',
  },
  'reason.bus.check.done': { 'zh-CN': '车尾检查点已扫描，确认车内无人', en: 'Rear checkpoint scanned: bus checked empty' },
  'reason.bus.check.missed': {
    'zh-CN': '到达终点 {minutes} 分钟后仍未完成车内清点检查（{routeName}）',
    en: 'End-of-trip check not done {minutes} minutes after the last stop ({routeName})',
  },
  'reason.bus.check.wrong_code': { 'zh-CN': '扫描的不是本车的车尾检查点二维码', en: 'Not this bus’s rear checkpoint QR code' },
  'reason.bus.stop.arrived': { 'zh-CN': '到达 {stopName}', en: 'Arrived at {stopName}' },
  'reason.bus.stop.departed': { 'zh-CN': '离开 {stopName}', en: 'Left {stopName}' },
  'reason.bus.overspeed.started': { 'zh-CN': '超速：{speedKmh} km/h（限速 {limitKmh} km/h）', en: 'Overspeed: {speedKmh} km/h (limit {limitKmh} km/h)' },
  'reason.bus.overspeed.ended': { 'zh-CN': '超速结束，最高 {maxKmh} km/h', en: 'Overspeed ended; maximum {maxKmh} km/h' },
  'reason.bus.gps.fix_lost': { 'zh-CN': 'GPS 定位丢失', en: 'GPS fix lost' },
  'reason.bus.gps.fix_regained': { 'zh-CN': 'GPS 已重新定位', en: 'GPS fix regained' },
  'reason.bus.position': { 'zh-CN': '校车位置（{count} 个定位点）', en: 'Bus position ({count} fixes)' },
  'reason.bus.refused.wrong_bus': { 'zh-CN': '坐错车：{personName} 应乘坐 {expectedRoute}', en: 'Wrong bus: {personName} rides {expectedRoute}' },
  'reason.bus.refused.wrong_stop': { 'zh-CN': '站点不对：{personName} 的站点是 {expectedStop}', en: 'Wrong stop: {personName}’s stop is {expectedStop}' },
  'reason.bus.refused.on_leave': { 'zh-CN': '{personName} 今天请假', en: '{personName} is on leave today' },
  'reason.bus.refused.absent_today': { 'zh-CN': '{personName} 今天缺勤（未到校）', en: '{personName} is absent today (not at school)' },
  'reason.bus.refused.stop_changed': { 'zh-CN': '{personName} 今天改在 {expectedStop} 上下车', en: '{personName}’s stop is changed to {expectedStop} today' },
  'reason.bus.refused.already_on_board': { 'zh-CN': '{personName} 已在车上（重复刷卡）', en: '{personName} is already on board (scanned twice)' },
  'reason.bus.refused.not_on_board': { 'zh-CN': '{personName} 没有上车记录', en: '{personName} has no boarding on this trip' },
  'reason.bus.refused.card_revoked': { 'zh-CN': '此卡已挂失或作废', en: 'This card is revoked' },
  'reason.bus.refused.other_school': { 'zh-CN': '不是本校签发的卡', en: 'A card of another school' },
  'reason.bus.refused.bad_card': { 'zh-CN': '无法识别的卡：{detail}', en: 'Card not recognised: {detail}' },
  'reason.bus.refused.no_trip': { 'zh-CN': '当前没有进行中的行程', en: 'No trip is running' },
  'reason.bus.refused.not_assigned': { 'zh-CN': '{personName} 没有分配校车路线', en: '{personName} has no bus assignment' },
  'reason.bus.refused.trip_closed': { 'zh-CN': '行程已结束', en: 'The trip is closed' },
});
