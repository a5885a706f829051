import { EventEmitter } from 'node:events';
import { ZodError } from 'zod';
import type { MeterReading, ModbusBusStatus, ModbusDeviceStats } from '@campus/protocol/energy/index';
import { bilingual } from '@campus/protocol/i18n';
import {
  EnergyConfigError,
  MeterMapRegistry,
  MeterPoller,
  RelayBoard,
  type MeterDeviceError,
  type ModbusBus,
  type PointUnsupported,
  type ResolvedMeterDevice,
} from '@campus/device-drivers/modbus/index';
import { ModbusLineConflict, edgeModbusLines, type LineLease, type ModbusLines } from '../../modbus-lines/index.js';
import { energyLineClaims, meterDeviceOf, relayBoardOf, type BusEntry } from '../config.js';
import type { Topology } from '../topology.js';
import { ModbusRelayPort, type RelayPort } from './relay-port.js';

export interface FieldIssue {
  subject: string;
  code: string;
  text: { 'zh-CN': string; en: string };
}

export interface DeviceReachability {
  deviceId: string;
  busId: string;
  unit: number;
  reachable: boolean;
  /** modbus.device_offline, modbus.link_down, modbus.device_online */
  reason: string;
  /** While unreachable: how often the bus tries it again. */
  probeIntervalSeconds: number;
  at: number;
}

export interface FieldEvents {
  readings: [MeterReading[]];
  'device-error': [MeterDeviceError];
  'device-recovered': [{ deviceId: string; at: number }];
  'point-unsupported': [PointUnsupported];
  reachability: [DeviceReachability];
}

export interface DeviceStatus {
  deviceId: string;
  busId: string;
  unit: number;
  kind: 'meter' | 'relay';
  reachable: boolean | null;
  stats: ModbusDeviceStats | null;
  lastError: { reason: string; text: { 'zh-CN': string; en: string }; at: number } | null;
}

interface BusRun {
  /** The config entry's id: what the panel and events call this bus, even on a shared line. */
  busId: string;
  lease: LineLease;
  bus: ModbusBus;
  probeSeconds: number;
  poller: MeterPoller | null;
  units: Map<number, { id: string; kind: 'meter' | 'relay' }>;
}

/**
 * The energy domain's door to the field: a ModbusBus per configured bus (from the
 * edge's line registry, shared with gate relay boards or other entries that name
 * the same physical line), a MeterPoller for its meters and a RelayPort per relay board. A bus, map, meter
 * or board the drivers refuse is reported as an issue and left out; everything
 * else runs. Re-emits the drivers' events in the domain's terms.
 */
export class FieldBuses extends EventEmitter<FieldEvents> {
  readonly issues: FieldIssue[] = [];
  private readonly runs: BusRun[] = [];
  private readonly relays = new Map<string, ModbusRelayPort>();
  private readonly lastErrors = new Map<string, DeviceStatus['lastError']>();
  private readonly reachable = new Map<string, boolean>();
  private readonly meterDevices = new Map<string, ResolvedMeterDevice>();

  constructor(
    buses: readonly BusEntry[],
    maps: readonly unknown[],
    private readonly topology: Topology,
    private readonly opts: { now: () => number; logger: { warn(obj: object, msg: string): void }; pollTickMs?: number; lines?: ModbusLines },
  ) {
    super();
    const registry = MeterMapRegistry.withBuiltIns();
    for (const m of maps) {
      try {
        registry.add(m);
      } catch (e) {
        this.refuse(typeof (m as { model?: unknown })?.model === 'string' ? (m as { model: string }).model : 'map', e);
      }
    }
    const lines = opts.lines ?? edgeModbusLines;
    const claims = energyLineClaims(buses);
    buses.forEach((entry, i) => {
      let lease: LineLease;
      try {
        lease = lines.acquire(claims[i]!, { now: opts.now, logger: opts.logger });
      } catch (e) {
        this.refuse(entry.id, e, 'energy.invalid_bus');
        for (const m of entry.meters) topology.dropMeter(m.id, `bus "${entry.id}" is configured wrongly`);
        return;
      }
      const bus = lease.bus;
      const units = new Map<number, { id: string; kind: 'meter' | 'relay' }>();
      for (const r of entry.relays) {
        if (!topology.relays.has(r.id)) continue;
        try {
          const board = new RelayBoard(bus, relayBoardOf(r));
          this.relays.set(r.id, new ModbusRelayPort(bus, board));
          units.set(board.config.unit, { id: r.id, kind: 'relay' });
        } catch (e) {
          this.refuse(r.id, e);
          topology.relays.delete(r.id);
        }
      }
      const meters = entry.meters.filter((m) => topology.meters.has(m.id)).map(meterDeviceOf);
      let poller: MeterPoller | null = null;
      if (meters.length > 0) {
        poller = new MeterPoller({ bus, devices: meters, registry, now: opts.now, tickMs: opts.pollTickMs });
        for (const r of poller.rejected) {
          this.issues.push({ subject: r.deviceId, code: r.error.code, text: r.error.text });
          topology.dropMeter(r.deviceId, r.error.message);
        }
        for (const d of poller.devices) {
          units.set(d.unit, { id: d.id, kind: 'meter' });
          this.meterDevices.set(d.id, d);
        }
        poller.on('readings', (batch) => this.emit('readings', batch));
        poller.on('device-error', (e) => {
          this.lastErrors.set(e.deviceId, { reason: e.reason, text: e.text, at: e.at });
          this.emit('device-error', e);
        });
        poller.on('device-recovered', (e) => this.emit('device-recovered', { deviceId: e.deviceId, at: e.at }));
        poller.on('point-unsupported', (p) => {
          this.lastErrors.set(p.deviceId, { reason: p.reason, text: p.text, at: p.at });
          this.emit('point-unsupported', p);
        });
      }
      const probe = Math.round(lease.config.offlineProbeIntervalMs / 1000);
      bus.on('device-state', (c) => {
        const d = units.get(c.unit);
        if (d && c.state !== 'unknown') this.setReachable(d.id, entry.id, c.unit, c.state === 'online', c.reason, probe);
      });
      bus.on('state', (s) => this.onBusState(entry.id, s, units, probe));
      this.runs.push({ busId: entry.id, lease, bus, probeSeconds: probe, poller, units });
    });
  }

  private refuse(subject: string, e: unknown, code = 'energy.invalid_device'): void {
    if (e instanceof EnergyConfigError || e instanceof ModbusLineConflict) {
      this.issues.push({ subject, code: e.code, text: e.text });
    } else if (e instanceof ZodError) {
      const detail = e.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      const text = code === 'energy.invalid_bus' ? bilingual('error.energy.invalid_bus', { busId: subject, detail }) : bilingual('error.energy.invalid_device', { deviceId: subject, detail });
      this.issues.push({ subject, code, text });
    } else {
      const detail = e instanceof Error ? e.message : String(e);
      this.issues.push({ subject, code, text: { 'zh-CN': detail, en: detail } });
    }
  }

  private onBusState(busId: string, s: ModbusBusStatus, units: BusRun['units'], probe: number): void {
    if (s.state === 'down') {
      for (const [unit, d] of units) this.setReachable(d.id, busId, unit, false, 'modbus.link_down', probe);
    }
  }

  private setReachable(deviceId: string, busId: string, unit: number, reachable: boolean, reason: string, probeIntervalSeconds: number): void {
    if (this.reachable.get(deviceId) === reachable) return;
    this.reachable.set(deviceId, reachable);
    this.emit('reachability', { deviceId, busId, unit, reachable, reason, probeIntervalSeconds, at: this.opts.now() });
  }

  /** A successful read of a device proves it reachable (after a link came back, the bus reports no change). */
  markAnswered(deviceId: string): void {
    const d = this.locate(deviceId);
    if (d && this.reachable.get(deviceId) === false) this.setReachable(deviceId, d.busId, d.unit, true, 'modbus.device_online', d.probe);
  }

  private locate(deviceId: string): { busId: string; unit: number; probe: number } | undefined {
    for (const r of this.runs) for (const [unit, d] of r.units) if (d.id === deviceId) return { busId: r.busId, unit, probe: r.probeSeconds };
    return undefined;
  }

  async start(): Promise<void> {
    await Promise.all(this.runs.map((r) => r.lease.start()));
    for (const r of this.runs) r.poller?.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.runs.map((r) => r.poller?.stop()));
    for (const relay of this.relays.values()) relay.board.dispose();
    // The line closes when its last user (here or at the gates) lets go.
    await Promise.all(this.runs.map((r) => r.lease.release()));
  }

  /** The points a meter is polled for, with units and labels (as resolved from its map). */
  meterPoints(id: string): Array<{ name: string; unit: string; label: { 'zh-CN': string; en: string }; counter: boolean }> {
    const d = this.meterDevices.get(id);
    return d ? d.points.map((p) => ({ name: p.name, unit: p.unit, label: p.label, counter: p.counter })) : [];
  }

  meterModel(id: string): { model: string; title: { 'zh-CN': string; en: string }; vendor: string } | undefined {
    const d = this.meterDevices.get(id);
    return d && { model: d.model, title: d.map.title, vendor: d.map.vendor };
  }

  relay(id: string): RelayPort | undefined {
    return this.relays.get(id);
  }

  busStatus(): ModbusBusStatus[] {
    return this.runs.map((r) => ({ ...r.bus.status(), busId: r.busId }));
  }

  devices(): DeviceStatus[] {
    const out: DeviceStatus[] = [];
    for (const r of this.runs) {
      for (const [unit, d] of r.units) {
        out.push({
          deviceId: d.id,
          busId: r.busId,
          unit,
          kind: d.kind,
          reachable: this.reachable.get(d.id) ?? null,
          stats: statsAs(r.busId, r.bus.deviceStatsOf(unit)),
          lastError: this.lastErrors.get(d.id) ?? null,
        });
      }
    }
    return out;
  }

  /** Polls every meter once now (tests, diagnostics). */
  async pollAllNow(): Promise<void> {
    await Promise.all(this.runs.map((r) => r.poller?.pollAllNow()));
  }
}

function statsAs(busId: string, stats: ModbusDeviceStats | undefined): ModbusDeviceStats | null {
  return stats ? { ...stats, busId } : null;
}
