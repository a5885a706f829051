import { defineMessages } from '../i18n/index.js';

/**
 * The row-level report of a people roster import (人员名单导入), Chinese first: one text
 * per problem, with its row and column. The edge and the cloud console import rosters
 * with the same parser (this folder) and so report the same problems in the same words.
 */
export const rosterMessages = defineMessages({
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
  'access.roster.bad_phone': {
    'zh-CN': '第 {row} 行的电话「{value}」不是电话号码：填 11 位手机号（可带 +86、空格或短横线）或带区号的座机号',
    en: 'Row {row}: "{value}" is not a phone number: use an 11-digit mobile number (+86, spaces or dashes allowed) or a landline with its area code',
  },
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
});

export type RosterMessageId = keyof typeof rosterMessages;
