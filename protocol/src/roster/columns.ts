import type { GuardianRelation, PersonRole } from '../access/model.js';
import { bilingual, defineMessages } from '../i18n/index.js';

/**
 * The columns of a people roster (人员名单) and the words schools write in them. Headers
 * are matched after normalising (case, spaces, "*" marks, a trailing "（说明）").
 */
export type RosterField =
  | 'personId'
  | 'name'
  | 'roles'
  | 'grade'
  | 'className'
  | 'boarder'
  | 'dormitory'
  | 'phone'
  | 'status'
  | 'cardVersion'
  | 'children'
  | 'relation'
  | 'mayPickUp'
  | 'receivesNotices';

export const ROSTER_FIELDS: Record<RosterField, { required: boolean; aliases: readonly string[]; max?: number }> = {
  personId: { required: true, aliases: ['学号/工号', '学号', '工号', '编号', '人员编号', 'person_id', 'id', 'student_id', 'staff_id'] },
  name: { required: true, aliases: ['姓名', '名字', 'name'], max: 32 },
  roles: { required: false, aliases: ['身份', '角色', '人员类型', '类型', 'roles', 'role'] },
  grade: { required: false, aliases: ['年级', 'grade'], max: 16 },
  className: { required: false, aliases: ['班级', '班', 'class', 'class_name'], max: 32 },
  boarder: { required: false, aliases: ['住校', '是否住校', '住宿', '走读/住校', 'boarder'] },
  dormitory: { required: false, aliases: ['宿舍', '宿舍楼', '宿舍区', 'dormitory'], max: 64 },
  phone: { required: false, aliases: ['电话', '手机', '手机号', '联系电话', 'phone'], max: 20 },
  status: { required: false, aliases: ['状态', '在校状态', 'status'] },
  cardVersion: { required: false, aliases: ['卡版本', '卡片版本', 'card_version', 'version'] },
  children: { required: false, aliases: ['子女学号', '学生学号', '孩子学号', 'children', 'student_ids'], max: 200 },
  relation: { required: false, aliases: ['关系', '与学生关系', '亲属关系', 'relation'] },
  mayPickUp: { required: false, aliases: ['可接送', '是否可接送', '允许接送', 'may_pick_up'] },
  receivesNotices: { required: false, aliases: ['接收通知', '是否接收通知', '接收消息', 'receives_notices'] },
};

export function normalizeHeader(h: string): string {
  return h
    .trim()
    .replace(/[（(][^）)]*[）)]$/, '')
    .replace(/[*＊]/g, '')
    .toLowerCase()
    .replace(/[\s_-]/g, '');
}

export const HEADER_LOOKUP = new Map<string, RosterField>();
for (const [field, spec] of Object.entries(ROSTER_FIELDS) as Array<[RosterField, (typeof ROSTER_FIELDS)[RosterField]]>) {
  for (const alias of spec.aliases) HEADER_LOOKUP.set(normalizeHeader(alias), field);
}

const ROLE_WORDS: Record<string, PersonRole> = {
  学生: 'student',
  student: 'student',
  家长: 'guardian',
  监护人: 'guardian',
  guardian: 'guardian',
  parent: 'guardian',
  教师: 'teacher',
  老师: 'teacher',
  班主任: 'teacher',
  teacher: 'teacher',
  职工: 'staff',
  员工: 'staff',
  教职工: 'staff',
  后勤: 'staff',
  保安: 'staff',
  宿管: 'staff',
  staff: 'staff',
  访客: 'visitor',
  visitor: 'visitor',
};

/** "学生、家长" → ['student', 'guardian']; null when a word is unknown. */
export function parseRoles(text: string): { roles: PersonRole[] } | { unknown: string } {
  const roles = new Set<PersonRole>();
  for (const word of text.split(/[、,，;；/\s]+/).filter(Boolean)) {
    const role = ROLE_WORDS[word.toLowerCase()];
    if (!role) return { unknown: word };
    roles.add(role);
  }
  return { roles: [...roles] };
}

const YES = new Set(['是', '有', 'y', 'yes', 'true', '1', '住校', '住宿', '可以', '允许', '√']);
const NO = new Set(['否', '无', 'n', 'no', 'false', '0', '走读', '不住校', '不可以', '不允许', '×']);

export function parseYesNo(text: string): boolean | null {
  const t = text.trim().toLowerCase();
  if (YES.has(t)) return true;
  if (NO.has(t)) return false;
  return null;
}

const ACTIVE = new Set(['在校', '在职', '正常', '启用', '有效', 'active', '1']);
const INACTIVE = new Set(['停用', '离校', '毕业', '离职', '休学', '退学', '注销', 'inactive', '0']);

export function parseStatus(text: string): boolean | null {
  const t = text.trim().toLowerCase();
  if (ACTIVE.has(t)) return true;
  if (INACTIVE.has(t)) return false;
  return null;
}

const RELATIONS: Record<string, GuardianRelation> = {
  父亲: 'father',
  爸爸: 'father',
  父: 'father',
  father: 'father',
  母亲: 'mother',
  妈妈: 'mother',
  母: 'mother',
  mother: 'mother',
  爷爷: 'grandfather',
  祖父: 'grandfather',
  外公: 'grandfather',
  姥爷: 'grandfather',
  grandfather: 'grandfather',
  奶奶: 'grandmother',
  祖母: 'grandmother',
  外婆: 'grandmother',
  姥姥: 'grandmother',
  grandmother: 'grandmother',
  监护人: 'guardian',
  guardian: 'guardian',
  其他: 'other',
  其它: 'other',
  other: 'other',
};

export function parseRelation(text: string): GuardianRelation | null {
  return RELATIONS[text.trim().toLowerCase()] ?? null;
}

/** What each roster column holds, for `campus-edge roster import --help`. */
export const rosterColumnMessages = defineMessages({
  'access.roster.column.personId': { 'zh-CN': '学生学号或教职工工号（字母、数字）', en: 'student or staff number (letters, digits)' },
  'access.roster.column.name': { 'zh-CN': '姓名', en: 'full name' },
  'access.roster.column.roles': { 'zh-CN': '身份，多个用顿号分隔；不填为学生', en: 'role(s), several separated by 、; empty means student' },
  'access.roster.column.grade': { 'zh-CN': '年级（学生必填）', en: 'grade (required for students)' },
  'access.roster.column.className': { 'zh-CN': '班级（学生必填）', en: 'class (required for students)' },
  'access.roster.column.boarder': { 'zh-CN': '是否住校', en: 'boarder or day student' },
  'access.roster.column.dormitory': { 'zh-CN': '宿舍区（配置中宿舍区的 id 或名称，住校生）', en: 'dormitory zone (id or name from the config; boarders)' },
  'access.roster.column.phone': { 'zh-CN': '电话（加密保存）', en: 'phone number (stored encrypted)' },
  'access.roster.column.status': { 'zh-CN': '在校状态；不填为在校', en: 'status; empty means active' },
  'access.roster.column.cardVersion': { 'zh-CN': '已打印卡片的版本（补卡后递增）', en: 'version of the printed card (raised after a replacement)' },
  'access.roster.column.children': { 'zh-CN': '家长行：子女学号，多个用顿号分隔', en: 'guardian rows: the children\'s numbers, several separated by 、' },
  'access.roster.column.relation': { 'zh-CN': '家长行：与学生的关系', en: 'guardian rows: relation to the child' },
  'access.roster.column.mayPickUp': { 'zh-CN': '家长行：可否接送', en: 'guardian rows: may pick the child up' },
  'access.roster.column.receivesNotices': { 'zh-CN': '家长行：是否接收通知', en: 'guardian rows: receives notices' },
  'access.roster.column.values': { 'zh-CN': '可填', en: 'values' },
  'access.roster.column.required': { 'zh-CN': '必填', en: 'required' },
  'access.roster.column.also': { 'zh-CN': '也可写作', en: 'also' },
});

const VALUE_WORDS: Partial<Record<RosterField, readonly string[]>> = {
  roles: Object.keys(ROLE_WORDS),
  boarder: [...YES, ...NO],
  status: [...ACTIVE, ...INACTIVE],
  relation: Object.keys(RELATIONS),
  mayPickUp: [...YES, ...NO],
  receivesNotices: [...YES, ...NO],
};

/**
 * The roster columns as help text, from ROSTER_FIELDS: the Chinese header, the English
 * one, whether it is required, what it holds and the words it accepts.
 */
export function rosterColumnsHelp(): string[] {
  const label = (id: string) => {
    const t = bilingual(id);
    return `${t['zh-CN']} / ${t.en}`;
  };
  const lines: string[] = [];
  for (const [field, spec] of Object.entries(ROSTER_FIELDS) as Array<[RosterField, (typeof ROSTER_FIELDS)[RosterField]]>) {
    const zh = spec.aliases[0]!;
    const en = spec.aliases.find((a) => /^[a-z_]+$/.test(a)) ?? field;
    const others = spec.aliases.filter((a) => a !== zh && a !== en);
    lines.push(`  ${zh} (${en})${spec.required ? `  [${label('access.roster.column.required')}]` : ''}`);
    lines.push(`      ${label(`access.roster.column.${field}`)}`);
    if (others.length) lines.push(`      ${label('access.roster.column.also')}: ${others.join(', ')}`);
    const values = VALUE_WORDS[field];
    if (values) lines.push(`      ${label('access.roster.column.values')}: ${values.join(' ')}`);
  }
  return lines;
}
