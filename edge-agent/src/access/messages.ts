import { defineMessages } from '@campus/protocol/i18n';

/**
 * Texts of the access domain that are not event reasons: the roster import report
 * (row-level, Chinese first) and API errors (`error.<code>`, rendered by the HTTP layer).
 */
export const accessMessages = defineMessages({
  'access.roster.not_text': {
    'zh-CN': '文件既不是 UTF-8 也不是 GBK 编码的文本，无法读取',
    en: 'The file is neither UTF-8 nor GBK text and cannot be read',
  },
  'access.roster.read_as_gbk': {
    'zh-CN': '文件按 GBK 编码读取；建议在 Excel/WPS 中“另存为 CSV UTF-8”',
    en: 'The file was read as GBK; saving it as "CSV UTF-8" in Excel/WPS is recommended',
  },
  'access.roster.bad_csv': { 'zh-CN': '第 {row} 行的引号没有闭合，文件格式不正确', en: 'Row {row}: a quoted field is not closed; the file is malformed' },
  'access.roster.empty': { 'zh-CN': '名单没有数据行', en: 'The roster has no data rows' },
  'access.roster.missing_column': {
    'zh-CN': '缺少必填列「{column}」（可用列名：{aliases}）',
    en: 'Required column "{column}" is missing (accepted names: {aliases})',
  },
  'access.roster.duplicate_column': {
    'zh-CN': '列「{column}」出现了两次（第 {first} 列和第 {second} 列）',
    en: 'Column "{column}" appears twice (columns {first} and {second})',
  },
  'access.roster.ignored_column': { 'zh-CN': '不认识的列「{column}」，已忽略', en: 'Unknown column "{column}" ignored' },
  'access.roster.column_count': {
    'zh-CN': '第 {row} 行有 {count} 列，表头有 {expected} 列',
    en: 'Row {row} has {count} fields; the header has {expected}',
  },
  'access.roster.missing_person_id': { 'zh-CN': '第 {row} 行缺少学号/工号', en: 'Row {row}: the person id is missing' },
  'access.roster.bad_person_id': {
    'zh-CN': '第 {row} 行的学号/工号「{value}」不合法：只能包含数字、大写字母、- 和 _，最长 16 位',
    en: 'Row {row}: person id "{value}" is invalid: digits, capital letters, - and _, at most 16',
  },
  'access.roster.duplicate_person_id': {
    'zh-CN': '第 {row} 行的学号/工号「{value}」与第 {firstRow} 行重复',
    en: 'Row {row}: person id "{value}" repeats row {firstRow}',
  },
  'access.roster.missing_name': { 'zh-CN': '第 {row} 行缺少姓名', en: 'Row {row}: the name is missing' },
  'access.roster.too_long': { 'zh-CN': '第 {row} 行「{column}」超过 {max} 个字符', en: 'Row {row}: "{column}" is longer than {max} characters' },
  'access.roster.bad_role': {
    'zh-CN': '第 {row} 行的身份「{value}」不认识：可填 学生、家长、教师、职工、访客（多个用顿号分隔）',
    en: 'Row {row}: role "{value}" is unknown: use 学生 (student), 家长 (guardian), 教师 (teacher), 职工 (staff), 访客 (visitor)',
  },
  'access.roster.bad_yes_no': { 'zh-CN': '第 {row} 行「{column}」应填 是 或 否，而不是「{value}」', en: 'Row {row}: "{column}" must be yes or no, not "{value}"' },
  'access.roster.bad_status': {
    'zh-CN': '第 {row} 行的状态「{value}」不认识：可填 在校、在职、停用、离校、毕业',
    en: 'Row {row}: status "{value}" is unknown: use active or inactive (在校/停用)',
  },
  'access.roster.bad_version': {
    'zh-CN': '第 {row} 行的卡版本「{value}」不合法：应为 1 到 {max} 的整数',
    en: 'Row {row}: card version "{value}" is invalid: a whole number from 1 to {max}',
  },
  'access.roster.student_needs_class': { 'zh-CN': '第 {row} 行是学生，必须填写年级和班级', en: 'Row {row}: a student needs a grade and a class' },
  'access.roster.class_without_grade': { 'zh-CN': '第 {row} 行填写了班级但没有年级', en: 'Row {row}: a class without a grade' },
  'access.roster.unknown_dormitory': {
    'zh-CN': '第 {row} 行的宿舍「{value}」不是已配置的宿舍区（可填：{known}）',
    en: 'Row {row}: dormitory "{value}" is not a configured dormitory zone (known: {known})',
  },
  'access.roster.dormitory_needs_boarder': { 'zh-CN': '第 {row} 行填写了宿舍，但不是住校生', en: 'Row {row}: a dormitory is given but the person is not a boarder' },
  'access.roster.bad_relation': {
    'zh-CN': '第 {row} 行的关系「{value}」不认识：可填 父亲、母亲、爷爷、奶奶、外公、外婆、监护人、其他',
    en: 'Row {row}: relation "{value}" is unknown: use father, mother, grandfather, grandmother, guardian, other',
  },
  'access.roster.unknown_student': {
    'zh-CN': '第 {row} 行的子女学号「{value}」既不在本文件中，也不在已有名单中',
    en: 'Row {row}: child id "{value}" is neither in this file nor on the roster',
  },
  'access.roster.child_not_student': { 'zh-CN': '第 {row} 行的子女「{value}」不是学生', en: 'Row {row}: child "{value}" is not a student' },
  'access.roster.children_need_guardian': {
    'zh-CN': '第 {row} 行填写了子女学号，身份中应包含“家长”',
    en: 'Row {row}: children are listed, so the roles must include 家长 (guardian)',
  },
  'access.roster.relation_needs_children': { 'zh-CN': '第 {row} 行填写了关系，但没有子女学号', en: 'Row {row}: a relation is given without children' },

  'error.access.pass_cloud_owned': {
    'zh-CN': '通行证 {passId} 由云端签发，请在云端取消（本机取消会被云端数据恢复）；在此之前保安可拒绝放行',
    en: 'Pass {passId} was issued in the cloud; cancel it there (a local cancellation would be undone by the cloud). Until then the guard may refuse entry',
  },
  'error.access.not_ready': { 'zh-CN': '门禁模块正在启动，请稍后再试', en: 'Gate access is starting; try again shortly' },
  'error.access.unknown_gate': { 'zh-CN': '没有这个闸机：{gate}', en: 'No such gate: {gate}' },
  'error.access.unknown_zone': { 'zh-CN': '没有这个区域：{zone}', en: 'No such zone: {zone}' },
  'error.access.unknown_person': { 'zh-CN': '名单中没有此人：{personId}', en: 'No such person on the roster: {personId}' },
  'error.access.unknown_class': { 'zh-CN': '没有这个班级：{classId}', en: 'No such class: {classId}' },
  'error.access.unknown_grade': { 'zh-CN': '没有这个年级：{gradeId}', en: 'No such grade: {gradeId}' },
  'error.access.person_exists': { 'zh-CN': '学号/工号 {personId} 已存在', en: 'Person id {personId} already exists' },
  'error.access.not_student': { 'zh-CN': '{personId} 不是学生', en: '{personId} is not a student' },
  'error.access.not_dormitory': { 'zh-CN': '{zone} 不是宿舍区', en: '{zone} is not a dormitory zone' },
  'error.access.bad_time': { 'zh-CN': '时间「{value}」无法识别', en: 'Cannot read the time "{value}"' },
  'error.access.bad_window': {
    'zh-CN': '结束时间必须晚于开始时间，且最长 {maxDays} 天',
    en: 'The end must be after the start, and at most {maxDays} days later',
  },
  'error.access.no_places': { 'zh-CN': '访客通行证至少要指定一个闸机或区域', en: 'A visitor pass needs at least one gate or zone' },
  'error.access.no_pass_key': {
    'zh-CN': '本网关未配置通行证密钥（access.visitorKeyId），不能签发通行证',
    en: 'This edge has no pass key (access.visitorKeyId) and cannot issue passes',
  },
  'error.access.pass_ids_exhausted': { 'zh-CN': '本网关可用的通行证编号已用完', en: 'This edge has used up its pass numbers' },
  'error.access.pass_too_long': { 'zh-CN': '通行证内容过长：{detail}', en: 'The pass does not fit on a QR code: {detail}' },
  'error.access.no_turnstile': { 'zh-CN': '闸机 {gate} 没有接入可控制的闸机继电器', en: 'Gate {gate} has no turnstile relay to open' },
  'error.access.card_version_below_floor': {
    'zh-CN': '卡版本 {version} 低于当前有效的最低版本 {minCardVersion}',
    en: 'Card version {version} is below the lowest valid version {minCardVersion}',
  },
  'error.access.no_photo': { 'zh-CN': '{personId} 没有照片', en: '{personId} has no photo' },
  'error.access.bad_photo': { 'zh-CN': '照片必须是 JPEG 或 PNG，且不超过 {maxKb} KB', en: 'A photo must be JPEG or PNG, at most {maxKb} KB' },
});

export type AccessMessageId = keyof typeof accessMessages;
