import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUS_POSITION_EVENT } from '@campus/protocol/bus/positions';
import { pgliteBackend } from '../helpers/backends.js';
import { startTestCloud, type TestCloud } from '../helpers/cloud.js';
import { makeEvent } from '../helpers/events.js';
import { signedSend } from '../helpers/signed-request.js';
import { location, register, TestTerminal } from './jt808-terminal.js';

const T = Date.UTC(2026, 8, 7, 0, 0, 0);
const SITE = 'bus-box-1';

/**
 * Bus positions from a bus box (bus.position events through the signed edge API) and from
 * a JT/T 808 terminal land in the one bus_positions table, once each.
 */
describe('bus positions from bus boxes and JT/T 808 in one place', () => {
  let cloud: TestCloud;
  let school: string;
  let creds: Awaited<ReturnType<TestCloud['provisionEdge']>>['credentials'];
  const post = (events: unknown[]) => signedSend(cloud.url, creds, 'POST', '/api/edge/v1/events', JSON.stringify({ events }));
  const posEvent = (data: Record<string, unknown>) => makeEvent(SITE, { type: BUS_POSITION_EVENT, reason: 'bus.position', priority: 2, source: 'gps', occurredAt: T, data });

  beforeAll(async () => {
    cloud = await startTestCloud(pgliteBackend, { jt808: { port: 0 } });
    const edge = await cloud.provisionEdge({ schoolName: '校车位置学校', site: SITE });
    school = edge.schoolId;
    creds = edge.credentials;
    await cloud.records.write(school, [
      { kind: 'bus_vehicle', key: 'v1', data: { plate: '沪A12345', seats: 40, terminalPhone: '13912345678' } },
      { kind: 'bus_vehicle', key: 'v2', data: { plate: '沪B22222', seats: 40 } },
    ]);
    await cloud.bus.terminals.reload();
  }, 120_000);
  afterAll(async () => {
    await cloud?.dispose();
  });

  it('stores a bus box’s fixes under the vehicle of its plate, once even when the batch is resent', async () => {
    const fixes = [0, 1, 2].map((k) => ({ at: T + k * 5000, lat: 31.2 + k * 1e-4, lon: 121.4, speedKmh: 20 + k, heading: 90 }));
    const batch = [posEvent({ plate: '沪A12345', tripId: 'trip-1', fixes }), posEvent({ vehicleId: 'v2', fixes: [{ at: T, lat: 31.3, lon: 121.5, speedKmh: 0 }] })];
    const r1 = await post(batch);
    expect(r1.status, JSON.stringify(r1.json)).toBe(200);
    const r2 = await post(batch);
    expect(r2.json).toEqual({ accepted: 0, duplicates: 2 });
    const v1 = await cloud.bus.positions.recent(school, 'v1');
    expect(v1.map((p) => [p.at, p.source, p.speedKmh, p.tripId])).toEqual([
      [T + 10_000, 'edge', 22, 'trip-1'],
      [T + 5000, 'edge', 21, 'trip-1'],
      [T, 'edge', 20, 'trip-1'],
    ]);
    expect((await cloud.bus.positions.recent(school, 'v2')).map((p) => p.lat)).toEqual([31.3]);
  });

  it('keeps events naming an unknown vehicle or carrying bad fixes, without positions, and counts them', async () => {
    const before = { ...cloud.bus.edgePositions };
    const r = await post([
      posEvent({ plate: '沪Z99999', fixes: [{ at: T, lat: 31, lon: 121, speedKmh: 1 }] }),
      posEvent({ plate: '沪A12345', fixes: [{ at: T + 60_000, lat: 200, lon: 121, speedKmh: 1 }] }),
      posEvent({ fixes: [{ at: T + 61_000, lat: 31, lon: 121, speedKmh: 1 }] }),
    ]);
    expect(r.json).toEqual({ accepted: 3, duplicates: 0 });
    expect(cloud.bus.edgePositions.unknownVehicle - before.unknownVehicle).toBe(1);
    expect(cloud.bus.edgePositions.invalid - before.invalid).toBe(2);
    const stored = await cloud.db.query('SELECT count(*)::int AS n FROM events WHERE school_id = $1 AND type = $2', [school, BUS_POSITION_EVENT]);
    expect(stored.rows[0]).toEqual({ n: 5 });
    expect((await cloud.bus.positions.recent(school, 'v1')).map((p) => p.at)).toEqual([T + 10_000, T + 5000, T]);
  });

  it('puts a JT/T 808 terminal’s fixes beside the bus box’s for the same vehicle', async () => {
    const t = await TestTerminal.connect(cloud.bus.jt808!.port, '13912345678');
    try {
      const reg = (await t.ask(register('沪A12345'))) as { authCode: string };
      await t.ask({ msgId: 0x0102, code: reg.authCode });
      await t.ask(location(T + 15_000, 31.2004, 121.4, 25));
      await cloud.bus.positions.flush();
      expect((await cloud.bus.positions.recent(school, 'v1', 2)).map((p) => [p.at, p.source])).toEqual([
        [T + 15_000, 'jt808'],
        [T + 10_000, 'edge'],
      ]);
    } finally {
      t.close();
    }
  });
});
