import { defineMessages } from '@campus/protocol/i18n';

/** Why the GPS reader set a sentence or a fix aside (counted; the texts are for logs and screens). */
export const GPS_REFUSALS = ['bad_checksum', 'malformed', 'no_fix', 'poor_hdop', 'bad_clock', 'jump', 'stale', 'bad_frame'] as const;
export type GpsRefusal = (typeof GPS_REFUSALS)[number];

export const gpsMessages = defineMessages({
  'reason.gps.bad_checksum': { 'zh-CN': 'NMEA 语句校验和错误（{detail}）', en: 'NMEA sentence with a bad checksum ({detail})' },
  'reason.gps.malformed': { 'zh-CN': 'NMEA 语句格式错误（{detail}）', en: 'Malformed NMEA sentence ({detail})' },
  'reason.gps.no_fix': { 'zh-CN': 'GPS 未定位', en: 'GPS has no fix' },
  'reason.gps.poor_hdop': { 'zh-CN': 'GPS 精度太差（HDOP {hdop}）', en: 'GPS precision too poor (HDOP {hdop})' },
  'reason.gps.bad_clock': { 'zh-CN': 'GPS 时间不可信：{detail}', en: 'GPS time not credible: {detail}' },
  'reason.gps.jump': { 'zh-CN': 'GPS 位置跳变：{km} km / {seconds} 秒', en: 'GPS position jumped {km} km in {seconds} s' },
  'reason.gps.stale': { 'zh-CN': 'GPS 时间没有前进（重复的旧定位）', en: 'GPS time did not advance (a repeated old fix)' },
  'reason.gps.bad_frame': { 'zh-CN': 'GPS 串口数据无法分行（{detail}）', en: 'GPS serial data could not be cut into lines ({detail})' },
});
