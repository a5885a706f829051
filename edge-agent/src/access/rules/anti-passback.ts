import type { Direction } from '@campus/protocol/access/index';
import type { Zone } from '../model.js';
import type { Passback } from '../passback.js';
import type { SchoolTime } from '../../school/time.js';

/**
 * Anti-passback period: state recorded before the zone's reset hour today (school time)
 * no longer counts, so a card held by a boarder overnight never locks them out at dawn.
 */
export function periodStart(time: SchoolTime, now: number, resetHour: number): number {
  const local = time.local(now);
  const resetToday = time.instant(local.date, resetHour * 60);
  return now >= resetToday ? resetToday : resetToday - 86_400_000;
}

/** 'repeat' when the person's last passage in this zone, in this period, went the same way. */
export function passbackCheck(passback: Passback, time: SchoolTime, zone: Zone, personId: string, direction: Direction, now: number): 'ok' | 'repeat' {
  if (zone.antiPassback === 'off') return 'ok';
  const last = passback.last(zone.id, personId);
  if (!last || last.direction !== direction) return 'ok';
  return last.at >= periodStart(time, now, zone.passbackResetHour) ? 'repeat' : 'ok';
}
