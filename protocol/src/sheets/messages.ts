import { defineMessages } from '../i18n/index.js';

/** Why a spreadsheet from outside was refused (before or while it is read). */
export const sheetMessages = defineMessages({
  'sheet.not_xlsx': { 'zh-CN': '文件不是有效的 Excel（.xlsx）文件', en: 'The file is not a valid Excel (.xlsx) file' },
  'sheet.zip64': { 'zh-CN': '文件使用了 ZIP64 格式，名单文件不应这么大，已拒绝', en: 'The file uses ZIP64; a roster file is never that large, refused' },
  'sheet.encrypted': { 'zh-CN': '文件已加密，请在 Excel 中取消密码后再导入', en: 'The file is encrypted; remove the password in Excel and import again' },
  'sheet.too_many_entries': { 'zh-CN': '文件内部包含 {count} 个部件（上限 {limit}），已拒绝', en: 'The file contains {count} parts (limit {limit}), refused' },
  'sheet.bad_entry': { 'zh-CN': '文件内部部件「{name}」的名称或格式不允许，已拒绝', en: 'Part "{name}" of the file has a name or format that is not allowed, refused' },
  'sheet.too_large': {
    'zh-CN': '文件解压后过大（{name}：{size} MB，上限 {limit} MB），已在解压前拒绝',
    en: 'The file is too large once unpacked ({name}: {size} MB, limit {limit} MB); refused before unpacking',
  },
  'sheet.ratio': {
    'zh-CN': '文件部件「{name}」的压缩比异常（{ratio}:1，上限 {limit}:1），疑似压缩炸弹，已拒绝',
    en: 'Part "{name}" is compressed {ratio}:1 (limit {limit}:1), like a zip bomb; refused',
  },
  'sheet.size_mismatch': {
    'zh-CN': '文件部件「{name}」解压后的大小与声明不符，已拒绝',
    en: 'Part "{name}" does not unpack to the size it declares; refused',
  },
  'sheet.no_sheet': { 'zh-CN': '文件中没有工作表', en: 'The file has no worksheet' },
  'sheet.too_many_rows': { 'zh-CN': '工作表有 {count} 行（上限 {limit} 行），请拆分后再导入', en: 'The sheet has {count} rows (limit {limit}); split it and import again' },
  'sheet.too_many_cells': { 'zh-CN': '工作表有超过 {limit} 个单元格，请删除多余的列后再导入', en: 'The sheet has more than {limit} cells; remove the extra columns and import again' },
  'sheet.cell_too_long': {
    'zh-CN': '第 {row} 行第 {column} 列的内容有 {length} 个字符（上限 {limit}），已拒绝',
    en: 'Row {row}, column {column} holds {length} characters (limit {limit}); refused',
  },
  'sheet.unreadable': { 'zh-CN': '无法读取 Excel 文件：{detail}', en: 'Cannot read the Excel file: {detail}' },
});

export type SheetMessageId = keyof typeof sheetMessages;
