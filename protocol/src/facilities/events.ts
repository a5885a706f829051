import { defineMessages } from '../i18n/index.js';

/**
 * Event types and reason codes of the facilities domain (后勤: inspection rounds and
 * work orders). Texts are `reason.<code>`; event data carries the placeholders as
 * top-level fields. Errors a user meets are `error.<code>`.
 */
export const FACILITIES_EVENTS = {
  /** An inspector answered a checkpoint's checklist (result red/yellow/green). */
  checkpointInspected: 'facilities.inspection.checkpoint',
  /** A round window opened (scheduled or an extra round). */
  roundOpened: 'facilities.inspection.round_opened',
  /** A round window closed, with its summary. */
  roundClosed: 'facilities.inspection.round_closed',
  /** A missed, late or out-of-order checkpoint, raised at the window's end. */
  roundAlert: 'facilities.inspection.alert',
  /** A work order changed state (the reason names the new state). */
  orderChanged: 'facilities.workorder.changed',
  /** A store item fell below its minimum stock. */
  stockLow: 'facilities.stock.low',
  /** A work order broke its SLA and went to the supervisor. */
  orderEscalated: 'facilities.workorder.escalated',
} as const;

export const FACILITIES_REASONS = {
  checkpointGreen: 'facilities.checkpoint.green',
  checkpointYellow: 'facilities.checkpoint.yellow',
  checkpointRed: 'facilities.checkpoint.red',
  roundOpened: 'facilities.round.opened',
  roundClosed: 'facilities.round.closed',
  missed: 'facilities.round.missed',
  late: 'facilities.round.late',
  outOfOrder: 'facilities.round.out_of_order',
  stockLow: 'facilities.stock.low',
  respondBreached: 'facilities.sla.respond_breached',
  fixBreached: 'facilities.sla.fix_breached',
} as const;

/** Reason of a work-order state change: "facilities.workorder.dispatched". */
export function orderReason(state: string): string {
  return `facilities.workorder.${state}`;
}

export const facilitiesReasonMessages = defineMessages({
  'reason.facilities.checkpoint.green': { 'zh-CN': '巡检点 {checkpointName} 正常', en: 'Checkpoint {checkpointName}: all fine' },
  'reason.facilities.checkpoint.yellow': { 'zh-CN': '巡检点 {checkpointName} 需关注：{items}', en: 'Checkpoint {checkpointName} needs attention: {items}' },
  'reason.facilities.checkpoint.red': { 'zh-CN': '巡检点 {checkpointName} 异常：{items}', en: 'Checkpoint {checkpointName} failed: {items}' },
  'reason.facilities.round.opened': { 'zh-CN': '巡检 {roundName} 开始（{from}–{until}）', en: 'Round {roundName} opened ({from}–{until})' },
  'reason.facilities.round.closed': {
    'zh-CN': '巡检 {roundName} 结束：完成 {done}/{total}，漏检 {missed}，迟到 {late}，顺序错误 {outOfOrder}',
    en: 'Round {roundName} closed: {done}/{total} done, {missed} missed, {late} late, {outOfOrder} out of order',
  },
  'reason.facilities.round.missed': { 'zh-CN': '巡检 {roundName} 漏检：{checkpointName}', en: 'Round {roundName}: checkpoint {checkpointName} missed' },
  'reason.facilities.round.late': { 'zh-CN': '巡检 {roundName} 迟到：{checkpointName}', en: 'Round {roundName}: checkpoint {checkpointName} scanned late' },
  'reason.facilities.round.out_of_order': {
    'zh-CN': '巡检 {roundName} 顺序错误：{checkpointName}（应先巡 {expectedName}）',
    en: 'Round {roundName}: checkpoint {checkpointName} out of order (expected {expectedName})',
  },
  'reason.facilities.stock.low': { 'zh-CN': '库存不足：{name} 剩 {qty}{unit}（下限 {minQty}）', en: 'Low stock: {name} has {qty} {unit} left (minimum {minQty})' },
  'reason.facilities.sla.respond_breached': {
    'zh-CN': '工单 {orderId}（{priorityZh}）超过 {minutes} 分钟未接单，已上报主管',
    en: 'Work order {orderId} ({priorityEn}) not accepted within {minutes} min; escalated to the supervisor',
  },
  'reason.facilities.sla.fix_breached': {
    'zh-CN': '工单 {orderId}（{priorityZh}）超过 {minutes} 分钟未修复，已上报主管',
    en: 'Work order {orderId} ({priorityEn}) not fixed within {minutes} min; escalated to the supervisor',
  },
  'reason.facilities.workorder.submitted': { 'zh-CN': '新工单 {orderId}：{place} {description}', en: 'New work order {orderId}: {place} {description}' },
  'reason.facilities.workorder.dispatched': { 'zh-CN': '工单 {orderId} 已派给 {assignee}', en: 'Work order {orderId} dispatched to {assignee}' },
  'reason.facilities.workorder.accepted': { 'zh-CN': '{by} 已接单 {orderId}', en: '{by} accepted work order {orderId}' },
  'reason.facilities.workorder.in_progress': { 'zh-CN': '{by} 开始维修 {orderId}', en: '{by} started work on {orderId}' },
  'reason.facilities.workorder.done': { 'zh-CN': '{by} 已完成 {orderId}，待报修人确认', en: '{by} finished {orderId}; waiting for the requester to confirm' },
  'reason.facilities.workorder.confirmed': { 'zh-CN': '报修人确认 {orderId}，评分 {rating}', en: 'The requester confirmed {orderId}, rating {rating}' },
  'reason.facilities.workorder.reopened': { 'zh-CN': '报修人退回 {orderId}：{note}', en: 'The requester reopened {orderId}: {note}' },
});

export const facilitiesErrorMessages = defineMessages({
  'error.facilities.not_running': { 'zh-CN': '后勤模块未启用（facilities.enabled）', en: 'The facilities domain is not running (facilities.enabled)' },
  'error.facilities.tag_malformed': { 'zh-CN': '这不是本系统的巡检/资产标签', en: 'This is not a tag of this system' },
  'error.facilities.tag_other_school': {
    'zh-CN': '这是其他学校（{tagSite}）的标签，不能在本校使用',
    en: 'This tag belongs to another school ({tagSite}) and cannot be used here',
  },
  'error.facilities.tag_forged': { 'zh-CN': '标签签名无效（伪造或损坏的标签），已拒绝', en: 'The tag signature is invalid (forged or damaged tag); refused' },
  'error.facilities.unknown_checkpoint': { 'zh-CN': '巡检点 {id} 不存在', en: 'Checkpoint {id} does not exist' },
  'error.facilities.unknown_round': { 'zh-CN': '巡检路线 {id} 不存在', en: 'Round {id} does not exist' },
  'error.facilities.round_unknown_checkpoint': { 'zh-CN': '路线引用了不存在的巡检点 {id}', en: 'The round names checkpoint {id}, which does not exist' },
  'error.facilities.no_open_round': {
    'zh-CN': '巡检点 {checkpointName} 当前没有进行中的巡检（不在巡检时段内）',
    en: 'No round including checkpoint {checkpointName} is open now (outside its window)',
  },
  'error.facilities.run_ambiguous': {
    'zh-CN': '巡检点 {checkpointName} 同时属于多条进行中的巡检，请选择一条（runId）',
    en: 'Checkpoint {checkpointName} is in several open rounds; choose one (runId)',
  },
  'error.facilities.run_not_open': { 'zh-CN': '这次巡检已结束或不存在', en: 'This round run is closed or does not exist' },
  'error.facilities.checkpoint_not_in_round': { 'zh-CN': '巡检点 {checkpointName} 不属于这条巡检路线', en: 'Checkpoint {checkpointName} is not part of this round' },
  'error.facilities.already_scanned': {
    'zh-CN': '巡检点 {checkpointName} 已于 {at} 由 {by} 巡检过，本次不重复记录',
    en: 'Checkpoint {checkpointName} was already inspected at {at} by {by}; not recorded twice',
  },
  'error.facilities.out_of_order': {
    'zh-CN': '巡检顺序错误：应先巡检 {expectedName}，再巡检 {checkpointName}',
    en: 'Out of order: inspect {expectedName} before {checkpointName}',
  },
  'error.facilities.answers_mismatch': { 'zh-CN': '检查项答案不完整或不匹配：{detail}', en: 'Checklist answers incomplete or not matching: {detail}' },
  'error.facilities.photo_required': { 'zh-CN': '检查项“{item}”必须拍照', en: 'Item "{item}" needs a photo' },
  'error.facilities.unknown_photo': { 'zh-CN': '照片 {id} 不存在，请重新上传', en: 'Photo {id} does not exist; upload it again' },
  'error.facilities.photo_not_image': {
    'zh-CN': '上传的文件不是 JPEG 或 PNG 图片',
    en: 'The upload is not a JPEG or PNG image',
  },
  'error.facilities.photo_too_large': {
    'zh-CN': '照片太大（上限 {maxKb} KB）：请在手机上压缩后再上传',
    en: 'The photo is too large (limit {maxKb} KB): resize it on the phone and upload again',
  },
  'error.facilities.photo_budget_full': {
    'zh-CN': '照片存储空间已满（已用 {usedMb} MB，上限 {budgetMb} MB）：请联系管理员清理旧照片或调大 facilities.photoBudgetMb',
    en: 'The photo storage is full ({usedMb} MB used of {budgetMb} MB): ask the administrator to remove old photos or raise facilities.photoBudgetMb',
  },
  'error.facilities.unknown_order': { 'zh-CN': '工单 {id} 不存在', en: 'Work order {id} does not exist' },
  'error.facilities.order_not_yours': {
    'zh-CN': '工单 {id} 不是您报修或派给您的，无权查看或操作',
    en: 'Work order {id} was neither requested by you nor assigned to you',
  },
  'error.facilities.requester_only': { 'zh-CN': '只有报修人 {requester} 可以确认或退回工单', en: 'Only the requester ({requester}) may confirm or reopen the order' },
  'error.facilities.assignee_only': { 'zh-CN': '只有接单人 {assignee} 或后勤主管可以执行这一步', en: 'Only the assignee ({assignee}) or a facility supervisor may do this step' },
  'error.facilities.bad_transition': {
    'zh-CN': '工单当前状态为“{stateZh}”，不能执行“{actionZh}”',
    en: 'The order is "{stateEn}"; "{actionEn}" is not possible now',
  },
  'error.facilities.order_changed': {
    'zh-CN': '工单已被 {by} 于 {at} 改为“{stateZh}”（您看到的是旧版本），请刷新后再操作',
    en: 'The order was changed to "{stateEn}" by {by} at {at} (you saw an older version); reload and try again',
  },
  'error.facilities.tag_font_missing': { 'zh-CN': '打印标签需要中文字体：{detail}', en: 'Printing tags needs a Chinese font: {detail}' },
  'error.facilities.tag_glyphs': { 'zh-CN': '字体缺少这些字，标签会印成方框：{detail}', en: 'The font lacks these characters (they would print as boxes): {detail}' },
  'error.facilities.unknown_stock_item': { 'zh-CN': '库存物品 {id} 不存在', en: 'Store item {id} does not exist' },
  'error.facilities.stock_short': { 'zh-CN': '{name} 库存只有 {qty}{unit}，不够领用 {want}', en: '{name}: only {qty} {unit} in stock, {want} wanted' },
  'error.facilities.unknown_user': { 'zh-CN': '用户 {username} 不存在或已停用', en: 'User {username} does not exist or is disabled' },
  'error.facilities.room_not_in_checklist': {
    'zh-CN': '房间 {room} 不在巡检点 {checkpointId} 的检查项中，不能从巡检关闭它的电路',
    en: 'Room {room} is not named by a checklist item of checkpoint {checkpointId}; its circuits cannot be switched from a round',
  },
  'error.facilities.energy_unavailable': { 'zh-CN': '能耗模块未运行，无法读取或控制房间 {room} 的用电', en: 'The energy module is not running: room {room} can be neither read nor switched' },
  'error.facilities.energy_unknown_room': { 'zh-CN': '能耗模块中没有房间 {room}', en: 'The energy module knows no room {room}' },
});

export const ORDER_STATE_NAMES = {
  submitted: { 'zh-CN': '已提交', en: 'submitted' },
  dispatched: { 'zh-CN': '已派单', en: 'dispatched' },
  accepted: { 'zh-CN': '已接单', en: 'accepted' },
  in_progress: { 'zh-CN': '维修中', en: 'in progress' },
  done: { 'zh-CN': '已完成待确认', en: 'done' },
  confirmed: { 'zh-CN': '已确认', en: 'confirmed' },
  reopened: { 'zh-CN': '已退回', en: 'reopened' },
} as const;

export const ORDER_ACTION_NAMES = {
  dispatch: { 'zh-CN': '派单', en: 'dispatch' },
  accept: { 'zh-CN': '接单', en: 'accept' },
  start: { 'zh-CN': '开始维修', en: 'start' },
  done: { 'zh-CN': '完成', en: 'finish' },
  confirm: { 'zh-CN': '确认', en: 'confirm' },
  reopen: { 'zh-CN': '退回', en: 'reopen' },
  parts: { 'zh-CN': '登记配件', en: 'record parts' },
} as const;

export const PRIORITY_NAMES = {
  urgent: { 'zh-CN': '紧急', en: 'urgent' },
  high: { 'zh-CN': '高', en: 'high' },
  normal: { 'zh-CN': '普通', en: 'normal' },
  low: { 'zh-CN': '低', en: 'low' },
} as const;
