import { Gauge, type Registry } from 'prom-client';
import type { FieldBuses } from './field/field-buses.js';

/**
 * Per-device Modbus counters as Prometheus metrics, read from the buses at
 * scrape time (no bookkeeping between scrapes).
 */
export function registerModbusMetrics(registry: Registry, field: () => FieldBuses | null): void {
  const labelNames = ['bus', 'unit', 'device'] as const;
  const counters: Array<[string, string, (s: NonNullable<ReturnType<FieldBuses['devices']>[number]['stats']>) => number]> = [
    ['campus_edge_modbus_requests', 'Modbus frames sent to a device (retries included)', (s) => s.requests],
    ['campus_edge_modbus_responses', 'Valid Modbus replies from a device', (s) => s.responses],
    ['campus_edge_modbus_timeouts', 'Modbus requests a device did not answer in time', (s) => s.timeouts],
    ['campus_edge_modbus_crc_errors', 'Modbus replies with a bad CRC', (s) => s.crcErrors],
    ['campus_edge_modbus_frame_errors', 'Short, overlong or garbled Modbus replies', (s) => s.frameErrors],
    ['campus_edge_modbus_exceptions', 'Modbus exception replies (all codes)', (s) => Object.values(s.exceptions).reduce((a, b) => a + b, 0)],
    ['campus_edge_modbus_last_good_read_seconds', 'Unix time of the last good read from a device', (s) => (s.lastGoodReadAt ?? 0) / 1000],
  ];
  for (const [name, help, pick] of counters) {
    if (registry.getSingleMetric(name)) continue;
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        for (const d of field()?.devices() ?? []) {
          if (d.stats) this.set({ bus: d.busId, unit: String(d.unit), device: d.deviceId }, pick(d.stats));
        }
      },
    });
  }
  if (!registry.getSingleMetric('campus_edge_modbus_device_up')) {
    new Gauge({
      name: 'campus_edge_modbus_device_up',
      help: '1 when a Modbus device answers, 0 when it does not',
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        for (const d of field()?.devices() ?? []) if (d.reachable !== null) this.set({ bus: d.busId, unit: String(d.unit), device: d.deviceId }, d.reachable ? 1 : 0);
      },
    });
  }
}
