import { defineMessages } from '../i18n/index.js';

/** Texts for card issuing: issuer keys, roster validation, card sheets. zh-CN first. */
export const cardMessages = defineMessages({
  'cards.keys.bad_kid': {
    'zh-CN': '密钥编号「{kid}」不合法：应为两个字符（0-9、A-Z），例如 K1',
    en: 'Key id "{kid}" is invalid: two characters 0-9 A-Z, e.g. K1',
  },
  'cards.keys.exists': {
    'zh-CN': '密钥文件 {path} 已存在，不会覆盖。更换密钥请使用新的密钥编号（如 K2），旧卡在补办前仍需旧公钥',
    en: 'Key file {path} already exists and will not be overwritten. To rotate, use a new key id (e.g. K2); old cards need the old public key until reissued',
  },
  'cards.keys.none_found': {
    'zh-CN': '在 {where} 中没有找到签发公钥（issuer-<编号>.pub）',
    en: 'No issuer public keys (issuer-<kid>.pub) found in {where}',
  },
  'cards.keys.bad_file_name': {
    'zh-CN': '密钥文件名 {path} 不符合 issuer-<编号>.pub / issuer-<编号>.key 的格式',
    en: 'Key file name {path} does not match issuer-<kid>.pub / issuer-<kid>.key',
  },
  'cards.keys.unreadable': {
    'zh-CN': '无法读取密钥文件 {path}：{detail}',
    en: 'Cannot read key file {path}: {detail}',
  },
  'cards.keys.private_too_open': {
    'zh-CN': '私钥文件 {path} 的权限为 {mode}，其他用户可读。请执行 chmod 600 {path}',
    en: 'Private key file {path} has mode {mode} and is readable by others. Run chmod 600 {path}',
  },
  'cards.keys.mismatch': {
    'zh-CN': '私钥 {path} 与同编号的公钥不匹配',
    en: 'Private key {path} does not match the public key of the same id',
  },

  'cards.roster.not_utf8': {
    'zh-CN': '名单文件不是 UTF-8 编码（可能是 GBK）。请在 Excel/WPS 中“另存为 CSV UTF-8”后重试',
    en: 'The roster is not UTF-8 (perhaps GBK). Save it as "CSV UTF-8" in Excel/WPS and try again',
  },
  'cards.roster.empty': {
    'zh-CN': '名单文件没有数据行',
    en: 'The roster has no data rows',
  },
  'cards.roster.bad_csv': {
    'zh-CN': '第 {row} 行：引号未闭合，CSV 格式错误',
    en: 'Row {row}: unterminated quote, the CSV is malformed',
  },
  'cards.roster.missing_column': {
    'zh-CN': '缺少必需的列「{column}」（表头可写作：{aliases}）',
    en: 'Required column "{column}" is missing (header may be: {aliases})',
  },
  'cards.roster.duplicate_column': {
    'zh-CN': '列「{column}」出现了两次（第 {first} 列和第 {second} 列）',
    en: 'Column "{column}" appears twice (columns {first} and {second})',
  },
  'cards.roster.column_count': {
    'zh-CN': '第 {row} 行有 {count} 列，但表头有 {expected} 列',
    en: 'Row {row} has {count} columns but the header has {expected}',
  },
  'cards.roster.missing_person_id': {
    'zh-CN': '第 {row} 行：学号/工号为空',
    en: 'Row {row}: person id is empty',
  },
  'cards.roster.bad_person_id': {
    'zh-CN': '第 {row} 行：学号/工号「{value}」不合法，只能包含数字、大写字母、- 和 _，最长 16 位',
    en: 'Row {row}: person id "{value}" is invalid: digits, capital letters, - and _ only, at most 16 characters',
  },
  'cards.roster.duplicate_person_id': {
    'zh-CN': '第 {row} 行：学号/工号「{value}」与第 {firstRow} 行重复',
    en: 'Row {row}: person id "{value}" duplicates row {firstRow}',
  },
  'cards.roster.missing_name': {
    'zh-CN': '第 {row} 行：姓名为空',
    en: 'Row {row}: name is empty',
  },
  'cards.roster.too_long': {
    'zh-CN': '第 {row} 行：「{column}」超过 {max} 个字符',
    en: 'Row {row}: "{column}" is longer than {max} characters',
  },
  'cards.roster.bad_version': {
    'zh-CN': '第 {row} 行：卡版本「{value}」必须是 1 到 {max} 之间的整数',
    en: 'Row {row}: card version "{value}" must be a whole number from 1 to {max}',
  },
  'cards.roster.photo_missing': {
    'zh-CN': '第 {row} 行：照片文件「{value}」不存在或无法读取',
    en: 'Row {row}: photo file "{value}" does not exist or cannot be read',
  },
  'cards.roster.photo_format': {
    'zh-CN': '第 {row} 行：照片「{value}」不是 JPEG 或 PNG 图片',
    en: 'Row {row}: photo "{value}" is not a JPEG or PNG image',
  },
  'cards.roster.photo_large': {
    'zh-CN': '第 {row} 行：照片「{value}」有 {sizeKb} KB，建议缩小到 200 KB 以内，以免 PDF 过大',
    en: 'Row {row}: photo "{value}" is {sizeKb} KB; shrink it below 200 KB to keep the PDF small',
  },
  'cards.roster.ignored_column': {
    'zh-CN': '已忽略无法识别的列「{column}」',
    en: 'Ignored unrecognised column "{column}"',
  },

  'cards.sheet.font_missing': {
    'zh-CN': '找不到中文字体 {path}。请安装 fonts-wqy-microhei（apt-get install fonts-wqy-microhei），或指定 TTF/OTF/TTC 字体文件路径',
    en: 'CJK font {path} not found. Install fonts-wqy-microhei (apt-get install fonts-wqy-microhei) or give the path of a TTF/OTF/TTC font',
  },
  'cards.sheet.font_unusable': {
    'zh-CN': '字体 {path} 无法使用：{detail}',
    en: 'Font {path} cannot be used: {detail}',
  },
  'cards.sheet.font_not_cjk': {
    'zh-CN': '字体 {path} 不含中文字形，打印出来会是方块。请换用中文字体（如 fonts-wqy-microhei）',
    en: 'Font {path} has no Chinese glyphs and would print boxes. Use a CJK font (e.g. fonts-wqy-microhei)',
  },
  'cards.sheet.glyph_missing': {
    'zh-CN': '{personId}（{field}）含字体 {font} 无法显示的字符「{chars}」，请换用更全的字体',
    en: '{personId} ({field}) contains characters "{chars}" that font {font} cannot show; use a fuller font',
  },
  'cards.sheet.photo_unreadable': {
    'zh-CN': '{personId} 的照片 {path} 无法放入卡片：{detail}',
    en: 'Photo {path} of {personId} cannot be placed on the card: {detail}',
  },
  'cards.sheet.no_cards': {
    'zh-CN': '没有要打印的卡片',
    en: 'There are no cards to print',
  },
});

export type CardMessageId = keyof typeof cardMessages;
