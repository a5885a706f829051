import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { connectMqtt, startTestEdge, waitFor } from '../helpers/edge.js';
import { startSimCampus, type SimCampus } from './helpers/campus-sim.js';

type TestEdge = Awaited<ReturnType<typeof startTestEdge>>;

/** A school's Home Assistant connecting to our broker as an operator: it discovers meters and circuits and switches. */
const HA = { clientId: 'home-assistant', password: 'ha-operator-secret1', role: 'operator' as const };
const VIEWER = { clientId: 'dashboard', password: 'dashboard-secret01', role: 'observer' as const };

let sim: SimCampus;
let edge: TestEdge;
let ha: MqttClient;
const retained = new Map<string, string>();

beforeAll(async () => {
  sim = await startSimCampus({ meters: [{ unit: 1, model: 'chint-ddsu666' }], relays: [{ unit: 10, channels: 4 }] });
  edge = await startTestEdge(
    {
      site: { id: 'no1-school', name: '第一中学' },
      energy: {
        enabled: true,
        buildings: [{ id: 'lib', name: '图书馆' }],
        buses: [
          {
            id: 'bus-a',
            transport: { kind: 'tcp', host: '127.0.0.1', port: sim.slave.port },
            meters: [{ id: 'm-lib', name: '图书馆电表', unit: 1, model: 'chint-ddsu666', building: 'lib', points: ['voltage', 'power_active_total', 'energy_active_import_total'], intervals: { fastMs: 300, slowMs: 300 } }],
            relays: [{ id: 'relay-lib', unit: 10, channels: 4 }],
          },
        ],
        circuits: [{ id: 'lib-light', name: '图书馆照明', building: 'lib', kind: 'lighting', relay: { board: 'relay-lib', channel: 1 } }],
        homeAssistant: { enabled: true },
        control: { stateReadSeconds: 1, retryDelayMs: 0 },
      },
    },
    { mqttClients: [HA, VIEWER], energy: { pollTickMs: 50 } },
  );
  ha = await connectMqtt(edge.mqtt.port, { clientId: HA.clientId, username: HA.clientId, password: HA.password });
  ha.on('message', (topic, payload) => retained.set(topic, payload.toString()));
  await ha.subscribeAsync(['homeassistant/#', 'campus/energy/#']);
}, 30_000);

afterAll(async () => {
  ha?.end(true);
  await edge?.cleanup();
  await sim?.close();
});

describe('Home Assistant MQTT discovery', () => {
  it('publishes retained discovery configs for the meter points and the circuit', async () => {
    await waitFor(() => retained.has('homeassistant/switch/campus_edge/lib-light/config'));
    const power = JSON.parse(retained.get('homeassistant/sensor/campus_edge/m-lib_power_active_total/config')!);
    expect(power).toMatchObject({
      unique_id: 'no1-school_m-lib_power_active_total',
      state_topic: 'campus/energy/meter/m-lib/reading',
      unit_of_measurement: 'W',
      device_class: 'power',
      state_class: 'measurement',
      availability_topic: 'campus/edge/state',
      device: { identifiers: ['no1-school_m-lib'], name: '图书馆电表', model: 'chint-ddsu666' },
    });
    expect(JSON.parse(retained.get('homeassistant/sensor/campus_edge/m-lib_energy_active_import_total/config')!)).toMatchObject({ device_class: 'energy', state_class: 'total_increasing', unit_of_measurement: 'kWh' });
    const sw = JSON.parse(retained.get('homeassistant/switch/campus_edge/lib-light/config')!);
    expect(sw).toMatchObject({ command_topic: 'campus/energy/circuit/lib-light/set', state_topic: 'campus/energy/circuit/lib-light/state', payload_on: 'ON', payload_off: 'OFF' });
  });

  it('the state topics carry what the templates read, and the command topic switches', async () => {
    await waitFor(() => retained.get('campus/energy/meter/m-lib/reading')?.includes('power_active_total'));
    const reading = JSON.parse(retained.get('campus/energy/meter/m-lib/reading')!) as { values: Record<string, number> };
    expect(reading.values.power_active_total).toBeGreaterThan(0);
    expect(reading.values.voltage).toBeGreaterThan(200);
    await ha.publishAsync('campus/energy/circuit/lib-light/set', 'ON');
    await waitFor(() => sim.relay(10).states[0] === true);
    await waitFor(() => JSON.parse(retained.get('campus/energy/circuit/lib-light/state') ?? '{}').on === true);
  });

  it('an observer dashboard may read discovery but never write under homeassistant/', async () => {
    const viewer = await connectMqtt(edge.mqtt.port, { clientId: VIEWER.clientId, username: VIEWER.clientId, password: VIEWER.password });
    const got: string[] = [];
    viewer.on('message', (t) => got.push(t));
    const granted = await viewer.subscribeAsync('homeassistant/#');
    expect(granted[0]!.qos).toBe(0);
    await waitFor(() => got.includes('homeassistant/switch/campus_edge/lib-light/config'));
    viewer.publish('homeassistant/switch/campus_edge/lib-light/config', '');
    await waitFor(() => edge.store.events.list({ typePrefix: 'security.', limit: 20 }).some((e) => e.data.topic === 'homeassistant/switch/campus_edge/lib-light/config'));
    viewer.end(true);
  });
});
