import type { HoursSpec, TimeWindow } from '../config.js';
import type { Topology } from '../topology.js';
import { parseTimeOfDay, type SchoolTime } from '../../school/time.js';
import type { RoomBookings } from './bookings.js';
import type { SchoolCalendar } from '../../school/calendar.js';

/**
 * Whether a building (or room) is in use at a moment: inside its operating
 * hours for that kind of day, or a room of it is booked. Energy used outside
 * is after-hours waste. Answers are cached per building and minute, because the
 * telemetry asks once per meter and minute.
 */
export class OperatingHours {
  private cacheMinute = -1;
  private readonly cache = new Map<string, boolean>();

  constructor(
    private readonly campus: HoursSpec,
    private readonly topology: Topology,
    private readonly calendar: SchoolCalendar,
    private readonly bookings: RoomBookings,
    private readonly zone: SchoolTime,
  ) {}

  /** Call after calendar or booking edits. */
  invalidate(): void {
    this.cache.clear();
    this.cacheMinute = -1;
  }

  buildingInHours(building: string, at: number): boolean {
    const minute = Math.floor(at / 60_000);
    if (minute !== this.cacheMinute) {
      this.cache.clear();
      this.cacheMinute = minute;
    }
    let v = this.cache.get(building);
    if (v === undefined) {
      v = this.computeBuilding(building, at);
      this.cache.set(building, v);
    }
    return v;
  }

  roomInHours(room: string, at: number): boolean {
    const r = this.topology.rooms.get(room);
    if (!r) return false;
    if (this.bookings.bookingAt(room, at)) return true;
    return this.withinSpec(this.specOf(r.building), at);
  }

  private computeBuilding(building: string, at: number): boolean {
    if (this.withinSpec(this.specOf(building), at)) return true;
    for (const r of this.topology.rooms.values()) if (r.building === building && this.bookings.bookingAt(r.id, at)) return true;
    return false;
  }

  private specOf(building: string): HoursSpec | 'always' {
    return this.topology.buildings.get(building)?.hours ?? this.campus;
  }

  private withinSpec(spec: HoursSpec | 'always', at: number): boolean {
    if (spec === 'always') return true;
    const p = this.zone.parts(at);
    const day = this.calendar.day(p.date);
    const windows: TimeWindow[] = day.exam ? (spec.exam ?? spec.school) : day.school ? spec.school : spec.nonSchool;
    return windows.some((w) => parseTimeOfDay(w.from) <= p.minuteOfDay && p.minuteOfDay < parseTimeOfDay(w.until));
  }
}
