import { defineMessages } from '@campus/protocol/i18n';

/** What staff read about reader problems: bad frames and reader health. */
export const readerMessages = defineMessages({
  'reader.frame.overlong': {
    'zh-CN': '读卡器 {readerId} 发来的数据过长（{bytes} 字节），已丢弃',
    en: 'Reader {readerId} sent an overlong line ({bytes} bytes); discarded',
  },
  'reader.frame.no_suffix': {
    'zh-CN': '读卡器 {readerId} 的数据缺少结束符（{bytes} 字节），已丢弃；请检查读头的后缀设置（CR/LF）',
    en: 'Reader {readerId} sent a line without its suffix ({bytes} bytes); discarded. Check the module suffix setting (CR/LF)',
  },
  'reader.frame.garbage': {
    'zh-CN': '读卡器 {readerId} 发来无法识别的数据（{bytes} 字节），已丢弃；请检查波特率和接线',
    en: 'Reader {readerId} sent unreadable bytes ({bytes} bytes); discarded. Check baud rate and wiring',
  },
  'reader.frame.truncated': {
    'zh-CN': '读卡器 {readerId} 连接中断，未读完的数据（{bytes} 字节）已丢弃',
    en: 'Reader {readerId} link dropped mid-line; {bytes} bytes discarded',
  },
});
