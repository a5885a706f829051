/**
 * The panel's one spacing rule for Chinese text: no space between Chinese characters
 * (郑老师通过东门, not 郑老师 通过 东门); one space between Chinese and a Latin word
 * (USB 设备); numbers sit against their unit (1分钟前). Texts the edge renders are made to
 * follow it where the panel shows them, so every line on a page reads the same way.
 */
const CJK = '\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff';
/** Full-width punctuation: （），：。、「」 and friends. */
const CJK_PUNCT = '\\u3000-\\u303f\\uff01-\\uff0f\\uff1a-\\uff20\\uff3b-\\uff40\\uff5b-\\uff65';
const BETWEEN_CHINESE = new RegExp(`([${CJK}${CJK_PUNCT}])[ \\u00a0]+(?=[${CJK}${CJK_PUNCT}])`, 'g');

export function chineseSpacing(text: string): string {
  return text.replace(BETWEEN_CHINESE, '$1');
}
