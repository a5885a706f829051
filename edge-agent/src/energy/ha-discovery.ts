import { topics } from '@campus/protocol';
import type { Circuit, MeterPlace } from './topology.js';

/**
 * Home Assistant MQTT discovery: retained config messages under
 * homeassistant/<component>/<node>/<object>/config that point HA at our own
 * topics (meter readings, circuit state and set). HA connects as an 'operator'
 * client (it may then switch circuits) or an 'observer' (read only); the broker
 * ACL lets both read homeassistant/#. HA's own birth/will messages on
 * homeassistant/status are not allowed to either role: turn them off in HA's
 * MQTT options (firmware-notes/energy-setup.md).
 */
export interface DiscoveryMessage {
  topic: string;
  payload: string;
}

const DEVICE_CLASS: Record<string, { device_class?: string; state_class: string }> = {
  W: { device_class: 'power', state_class: 'measurement' },
  V: { device_class: 'voltage', state_class: 'measurement' },
  A: { device_class: 'current', state_class: 'measurement' },
  mA: { device_class: 'current', state_class: 'measurement' },
  Hz: { device_class: 'frequency', state_class: 'measurement' },
  '': { device_class: 'power_factor', state_class: 'measurement' },
  kWh: { device_class: 'energy', state_class: 'total_increasing' },
  var: { device_class: 'reactive_power', state_class: 'measurement' },
  VA: { device_class: 'apparent_power', state_class: 'measurement' },
  '°C': { device_class: 'temperature', state_class: 'measurement' },
};

const objectId = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_');

export function discoveryMessages(opts: {
  prefix: string;
  nodeId: string;
  site: string;
  meters: Array<{ meter: MeterPlace; model: { model: string; vendor: string } | undefined; points: Array<{ name: string; unit: string; label: { 'zh-CN': string; en: string } }> }>;
  circuits: Circuit[];
}): DiscoveryMessage[] {
  const out: DiscoveryMessage[] = [];
  const availability = { availability_topic: topics.edgeState(), payload_available: 'online', payload_not_available: 'offline' };
  for (const { meter, model, points } of opts.meters) {
    const device = { identifiers: [`${opts.site}_${meter.id}`], name: meter.name, manufacturer: model?.vendor || undefined, model: model?.model, suggested_area: meter.building };
    for (const p of points) {
      const unit = p.unit === 'kW' ? 'W' : p.unit;
      const cls = DEVICE_CLASS[unit];
      if (!cls) continue;
      const id = objectId(`${meter.id}_${p.name}`);
      out.push({
        topic: `${opts.prefix}/sensor/${opts.nodeId}/${id}/config`,
        payload: JSON.stringify({
          name: p.label['zh-CN'],
          unique_id: `${opts.site}_${id}`,
          object_id: `${opts.nodeId}_${id}`,
          state_topic: topics.meterReading(meter.id),
          value_template: `{{ value_json['values']['${p.name}'] }}`,
          unit_of_measurement: unit === '' ? undefined : unit,
          ...cls,
          ...availability,
          device,
        }),
      });
    }
  }
  for (const c of opts.circuits) {
    const id = objectId(c.id);
    out.push({
      topic: `${opts.prefix}/switch/${opts.nodeId}/${id}/config`,
      payload: JSON.stringify({
        name: c.name,
        unique_id: `${opts.site}_circuit_${id}`,
        object_id: `${opts.nodeId}_circuit_${id}`,
        command_topic: topics.circuitSet(c.id),
        state_topic: topics.circuitState(c.id),
        value_template: "{{ 'ON' if value_json.on else 'OFF' }}",
        payload_on: 'ON',
        payload_off: 'OFF',
        state_on: 'ON',
        state_off: 'OFF',
        ...availability,
        device: { identifiers: [`${opts.site}_${c.board}`], name: c.board, suggested_area: c.room ?? c.building },
      }),
    });
  }
  return out;
}
