import type { Db } from '../../store/index.js';
import type { SchoolCalendar } from '../../school/calendar.js';
import { parseTimeOfDay, type SchoolTime } from '../../school/time.js';

export interface Booking {
  id: number;
  room: string;
  fromDate: string;
  toDate: string;
  /** 'school': only on school days of the range (evening study 晚自习); 'all': every day. */
  days: 'school' | 'all';
  fromTime: string;
  untilTime: string;
  note: string;
  createdBy: string;
  createdAt: number;
}

export type NewBooking = Omit<Booking, 'id' | 'createdAt'>;

interface Row {
  id: number;
  room: string;
  from_date: string;
  to_date: string;
  days: 'school' | 'all';
  from_time: string;
  until_time: string;
  note: string;
  created_by: string;
  created_at: number;
}

/** Room bookings (evening study, meetings): a booked room is in use, so schedules may leave it on. */
export class RoomBookings {
  private all: Booking[] = [];

  constructor(
    private readonly db: Db,
    private readonly calendar: SchoolCalendar,
    private readonly zone: SchoolTime,
    private readonly now: () => number,
  ) {
    this.reload();
  }

  private reload(): void {
    this.all = (this.db.prepare('SELECT * FROM energy_bookings ORDER BY from_date, id').all() as Row[]).map((r) => ({
      id: r.id,
      room: r.room,
      fromDate: r.from_date,
      toDate: r.to_date,
      days: r.days,
      fromTime: r.from_time,
      untilTime: r.until_time,
      note: r.note,
      createdBy: r.created_by,
      createdAt: r.created_at,
    }));
  }

  list(filter: { room?: string; onOrAfter?: string } = {}): Booking[] {
    return this.all.filter((b) => (!filter.room || b.room === filter.room) && (!filter.onOrAfter || b.toDate >= filter.onOrAfter));
  }

  add(b: NewBooking): Booking {
    const info = this.db
      .prepare('INSERT INTO energy_bookings (room, from_date, to_date, days, from_time, until_time, note, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(b.room, b.fromDate, b.toDate, b.days, b.fromTime, b.untilTime, b.note, b.createdBy, this.now());
    this.reload();
    return this.all.find((x) => x.id === Number(info.lastInsertRowid))!;
  }

  remove(id: number): boolean {
    const n = this.db.prepare('DELETE FROM energy_bookings WHERE id = ?').run(id).changes;
    this.reload();
    return n > 0;
  }

  /** The booking that has `room` in use at `at`, if any. */
  bookingAt(room: string, at: number): Booking | undefined {
    if (this.all.length === 0) return undefined;
    const p = this.zone.parts(at);
    return this.all.find(
      (b) =>
        b.room === room &&
        b.fromDate <= p.date &&
        b.toDate >= p.date &&
        parseTimeOfDay(b.fromTime) <= p.minuteOfDay &&
        p.minuteOfDay < parseTimeOfDay(b.untilTime) &&
        (b.days === 'all' || this.calendar.day(p.date).school),
    );
  }

  /** Rooms booked at `at`. */
  bookedRooms(at: number): Set<string> {
    const out = new Set<string>();
    for (const b of this.all) if (!out.has(b.room) && this.bookingAt(b.room, at)) out.add(b.room);
    return out;
  }
}
