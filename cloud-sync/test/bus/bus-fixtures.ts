import zlib from 'node:zlib';
import { INGEST_PATH } from '@campus/protocol/sync/ingest';
import { BUS_POSITION_EVENT } from '@campus/protocol/bus/positions';
import type { EventEnvelope } from '@campus/protocol';
import type { TestCloud } from '../helpers/cloud.js';
import { makeEvent } from '../helpers/events.js';
import { signedSend } from '../helpers/signed-request.js';

/** 1 km of latitude in degrees. */
export const KM = 1 / 111.195;
export const ROUTE = {
  name: '1号线',
  vehicleId: 'v1',
  stops: [
    { id: 'a', name: '幸福小区北门', lat: 31.2, lon: 121.4, morningAt: '07:10' },
    { id: 'b', name: '人民公园', lat: 31.2 + 2 * KM, lon: 121.4, morningAt: '07:20', handover: true },
    { id: 'school', name: '学校', lat: 31.2 + 4 * KM, lon: 121.4, morningAt: '07:40', depot: true },
  ],
};
export const today = (at = Date.now()) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);

/** What a bus box uploads, built through the event envelope schema. */
export class BusBox {
  constructor(
    readonly cloud: TestCloud,
    readonly site: string,
    readonly credentials: Parameters<typeof signedSend>[1],
  ) {}
  async send(events: EventEnvelope[]): Promise<void> {
    const r = await signedSend(this.cloud.url, this.credentials, 'POST', INGEST_PATH, JSON.stringify({ events }));
    if (r.status !== 200) throw new Error(`ingest ${r.status} ${JSON.stringify(r.json)}`);
  }
  event(type: string, reason: string, data: Record<string, unknown>, over: Partial<EventEnvelope> = {}): EventEnvelope {
    return makeEvent(this.site, { type, reason, source: 'bus', priority: 2, data, ...over });
  }
  open(tripId: string, routeId: string, direction: 'morning' | 'afternoon', date = today()) {
    return this.send([this.event('bus.trip', 'bus.trip.opened', { tripId, routeId, routeName: ROUTE.name, direction, date, expected: 2 })]);
  }
  close(tripId: string, routeId: string) {
    return this.send([this.event('bus.trip', 'bus.trip.closed', { tripId, routeId, routeName: ROUTE.name, direction: 'morning', date: today(), boarded: 1, checkedAt: Date.now() })]);
  }
  ride(kind: 'board' | 'alight', tripId: string, personId: string, stopId: string, stopName: string, at = Date.now()) {
    const type = kind === 'board' ? 'bus.boarding' : 'bus.alighting';
    return this.send([this.event(type, kind === 'board' ? 'bus.boarded' : 'bus.alighted', { tripId, routeId: 'r1', direction: 'morning', stopId, personName: '张小明', stopName, routeName: ROUTE.name }, { subject: personId, occurredAt: at, priority: 1 })]);
  }
  arrived(tripId: string, stopId: string, stopName: string) {
    return this.send([this.event('bus.stop', 'bus.stop.arrived', { tripId, stopId, stopName, routeId: 'r1', scheduledAt: null, last: false })]);
  }
  positions(plate: string, fixes: { at: number; lat: number; lon: number; speedKmh: number }[], tripId: string | null = null) {
    return this.send([this.event(BUS_POSITION_EVENT, 'bus.position', { plate, tripId, fixes }, { source: 'gps' })]);
  }
}

/** A real (tiny, one-colour) PNG as a data URL: what a phone's photo picker hands the parent app, only smaller. */
export function tinyPng(rgb: [number, number, number] = [200, 80, 40], size = 8): string {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: size }, () => rgb).flat())]);
  const raw = Buffer.concat(Array.from({ length: size }, () => row));
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
  return `data:image/png;base64,${png.toString('base64')}`;
}
