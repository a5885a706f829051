import { topics, type NewEvent } from '@campus/protocol';
import { ENERGY_EVENTS, ENERGY_REASONS } from '@campus/protocol/energy/edge-events';
import { MODBUS_REASONS } from '@campus/protocol/energy/index';
import type { Logger } from '../core/log.js';
import type { Metrics } from '../core/metrics.js';
import type { CampusBroker } from '../broker/broker.js';
import type { EdgeModule } from '../modules/module.js';
import type { Store } from '../store/index.js';
import { AlarmEngine } from './alarms/alarm-engine.js';
import { AlarmRepo } from './alarms/alarm-repo.js';
import { SafetyRules } from './alarms/safety-rules.js';
import { RoomBookings } from './calendar/bookings.js';
import { OperatingHours } from './calendar/operating-hours.js';
import type { SchoolCalendar } from '../school/calendar.js';
import { CircuitService } from './circuits/circuit-service.js';
import { CircuitMqttCommands } from './circuits/mqtt-commands.js';
import { ScheduleSchema, type EnergyConfig } from './config.js';
import { FieldBuses } from './field/field-buses.js';
import { discoveryMessages } from './ha-discovery.js';
import { LiveReadings } from './live.js';
import { registerModbusMetrics } from './metrics.js';
import { EnergyQuery } from './reports/energy-query.js';
import { Tariff } from './reports/tariff.js';
import { ScheduleRepo } from './schedules/schedule-repo.js';
import { ScheduleRunner } from './schedules/schedule-runner.js';
import { TelemetryRecorder } from './telemetry/recorder.js';
import { TelemetryStore, ringLayout } from './telemetry/telemetry-store.js';
import { every, type TimerClock } from './time/timers.js';
import { timeScope, type TimeService } from '../core/time.js';
import type { SchoolTime } from '../school/time.js';
import { Topology } from './topology.js';
import './messages.js';
import '@campus/protocol/energy/edge-events';

export interface EnergyModuleDeps {
  config: EnergyConfig;
  site: string;
  log: Logger;
  store: Store;
  broker: CampusBroker;
  metrics: Metrics;
  /** The edge's time service; the module takes a scope of it and disposes that scope on stop. */
  time: TimeService;
  /** The school's shared facts: one calendar and one school-local time for every domain. */
  school: { time: SchoolTime; calendar: SchoolCalendar };
}

export interface EnergyModuleOptions {
  /** A fake clock for schedule tests; default: the system clock. */
  timers?: TimerClock;
  /** How often the meter pollers look for due points (ms). */
  pollTickMs?: number;
}

/** The running services the API reads and commands. */
export interface EnergyServices {
  config: EnergyConfig;
  zone: SchoolTime;
  topology: Topology;
  timers: TimerClock;
  field: FieldBuses;
  live: LiveReadings;
  calendar: SchoolCalendar;
  bookings: RoomBookings;
  hours: OperatingHours;
  schedules: ScheduleRepo;
  runner: ScheduleRunner;
  circuits: CircuitService;
  alarms: AlarmEngine;
  recorder: TelemetryRecorder;
  telemetry: TelemetryStore;
  query: EnergyQuery;
  tariff: Tariff;
  /** Configuration problems found at start, per device or entry. */
  issues: Array<{ subject: string; code: string; text: { 'zh-CN': string; en: string } }>;
}

const HA_SETTING = 'energy.homeAssistant.topics';

/**
 * The energy domain: Modbus meters and relay circuits, schedules with the
 * school calendar, telemetry sized for flash, safety alarms, reports. The
 * constructor stores its dependencies; start() builds and wires everything.
 */
export class EnergyModule implements EdgeModule {
  readonly name = 'energy';
  private svc: EnergyServices | null = null;
  private readonly stops: Array<() => void | Promise<void>> = [];

  constructor(
    private readonly deps: EnergyModuleDeps,
    private readonly opts: EnergyModuleOptions = {},
  ) {}

  /** The running services, or null when the module is not running. */
  get services(): EnergyServices | null {
    return this.svc;
  }

  start(): Promise<void> {
    return this.startWith(this.deps.config);
  }

  /**
   * Starts on a configuration other than the edge's (the demo campus runs the
   * module on its simulated buildings when the configuration has none).
   */
  async startWith(config: EnergyConfig): Promise<void> {
    if (this.svc) throw new Error('energy module already running');
    const { store, broker, log } = this.deps;
    const db = store.db;
    const zone = this.deps.school.time;
    const ownTimers = this.opts.timers ? null : timeScope(this.deps.time);
    const timers = this.opts.timers ?? ownTimers!;
    const append = (e: NewEvent) => {
      store.events.append(e);
    };
    const publishRetained = (topic: string, payload: string) => {
      broker.publish(topic, payload, { retain: true, qos: 1 }).catch((err: unknown) => log.warn({ err, topic }, 'energy publish failed'));
    };
    const issues: EnergyServices['issues'] = [];

    const topology = new Topology(config);
    for (const i of topology.issues) issues.push({ subject: i.subject, code: 'energy.invalid_device', text: { 'zh-CN': i.detail, en: i.detail } });
    const calendar = this.deps.school.calendar;
    const schedules = new ScheduleRepo(db, () => timers.now());
    if (schedules.count() === 0) {
      for (const s of config.schedules) {
        try {
          schedules.put(ScheduleSchema.parse(s));
        } catch (err) {
          const detail = err instanceof Error ? err.message : String(err);
          issues.push({ subject: s.id, code: 'energy.invalid_schedule', text: { 'zh-CN': detail, en: detail } });
        }
      }
    }
    const bookings = new RoomBookings(db, calendar, zone, () => timers.now());
    const hours = new OperatingHours(config.operatingHours, topology, calendar, bookings, zone);
    // Any writer of the one calendar (panel, gate office, cloud) moves operating hours with it.
    this.stops.push(calendar.onChange(() => hours.invalidate()));
    const alarms = new AlarmEngine({ repo: new AlarmRepo(db), timers, appendEvent: append, publish: publishRetained });
    const field = new FieldBuses(config.buses, config.maps, topology, { now: () => timers.now(), logger: log.child({ mod: 'modbus' }), pollTickMs: this.opts.pollTickMs });
    issues.push(...field.issues);
    const live = new LiveReadings(topology);
    const circuits = new CircuitService({
      db,
      topology,
      relay: (id) => field.relay(id),
      timers,
      alarms,
      control: config.control,
      appendEvent: append,
      audit: (e) => store.audit.record({ ...e, address: null }),
      publish: publishRetained,
      log,
    });
    const telemetry = new TelemetryStore(db, ringLayout(config.telemetry));
    const recorder = new TelemetryRecorder({
      store: telemetry,
      timers,
      zone,
      config: config.telemetry,
      isAfterHours: (meterId, at) => {
        const m = topology.meters.get(meterId);
        if (!m) return false;
        return m.room ? !hours.roomInHours(m.room, at) : !hours.buildingInHours(m.building, at);
      },
      appendEvents: (events) => {
        store.events.appendMany(events);
      },
      activeMeters: topology.meters.keys(),
    });
    const rules = new SafetyRules(alarms, topology, config.alarms, hours, live);
    const runner = new ScheduleRunner({ repo: schedules, calendar, bookings, circuits, topology, timers, zone, appendEvent: append, log });
    const commands = new CircuitMqttCommands({ aedes: broker.aedes, circuits, defaultHoldMinutes: config.control.overrideDefaultMinutes, appendEvent: append, log });

    for (const i of issues) {
      append({
        type: ENERGY_EVENTS.configRejected,
        reason: ENERGY_REASONS.configRejected,
        severity: 'warning',
        source: 'energy',
        subject: i.subject,
        data: { deviceId: i.subject, code: i.code, detail: i.text['zh-CN'], detailEn: i.text.en },
      });
      log.warn({ subject: i.subject, code: i.code, detail: i.text.en }, 'energy configuration problem; the rest keeps running');
    }

    const flagged = new Set<string>();
    field.on('readings', (batch) => {
      try {
        const first = batch[0];
        if (!first) return;
        field.markAnswered(first.deviceId);
        recorder.ingest(batch);
        live.update(batch);
        rules.onReadings(batch);
        for (const r of batch) {
          const key = `${r.deviceId}:${r.point}`;
          if (r.quality === 'good') flagged.delete(key);
          else if (!flagged.has(key)) {
            flagged.add(key);
            append({
              type: ENERGY_EVENTS.meterDataFlagged,
              reason: ENERGY_REASONS.readingFlagged,
              severity: 'warning',
              source: 'energy.telemetry',
              subject: r.deviceId,
              data: { deviceId: r.deviceId, point: r.point, quality: r.quality, raw: r.raw ?? String(r.value) },
            });
          }
        }
        if (config.telemetry.publishReadings) {
          const snap = live.snapshot(first.deviceId);
          if (snap) broker.publish(topics.meterReading(first.deviceId), snap, { qos: 0 }).catch(() => undefined);
        }
      } catch (err) {
        log.error({ err }, 'energy: handling readings failed');
      }
    });
    field.on('reachability', (r) => {
      rules.onReachability(r);
      append({
        type: ENERGY_EVENTS.deviceState,
        reason: r.reachable ? MODBUS_REASONS.deviceOnline : r.reason === MODBUS_REASONS.linkDown ? MODBUS_REASONS.linkDown : MODBUS_REASONS.deviceOffline,
        severity: r.reachable ? 'info' : 'warning',
        source: `modbus:${r.busId}`,
        subject: r.deviceId,
        data: { deviceId: r.deviceId, busId: r.busId, unit: r.unit, probeInSeconds: r.probeIntervalSeconds, detail: r.reason },
      });
    });
    field.on('point-unsupported', (p) => {
      append({
        type: ENERGY_EVENTS.deviceState,
        reason: MODBUS_REASONS.pointUnsupported,
        severity: 'warning',
        source: 'energy.field',
        subject: p.deviceId,
        data: { deviceId: p.deviceId, point: p.point, address: p.text.en.match(/0x[0-9a-f]+/i)?.[0] ?? '' },
      });
    });

    registerModbusMetrics(this.deps.metrics.registry, () => this.svc?.field ?? null);
    alarms.start();
    circuits.start();
    recorder.start();
    commands.start();
    await field.start();
    runner.start();
    const stopReading = every(timers, config.control.stateReadSeconds * 1000, () => circuits.readBack());
    const stopAfterHours = every(timers, 60_000, () => rules.afterHours(timers.now()), 3_000);
    // Stop in reverse: no new commands or schedule runs, let running switches finish,
    // close the buses, then flush telemetry.
    this.stops.push(
      () => commands.stop(),
      () => runner.stop(),
      stopReading,
      stopAfterHours,
      () => circuits.stop(),
      () => field.stop(),
      () => recorder.stop(),
      () => alarms.stop(),
      () => ownTimers?.dispose(),
    );

    this.svc = {
      config,
      zone,
      topology,
      timers,
      field,
      live,
      calendar,
      bookings,
      hours,
      schedules,
      runner,
      circuits,
      alarms,
      recorder,
      telemetry,
      query: new EnergyQuery(db, topology, zone),
      tariff: new Tariff(config.tariff),
      issues,
    };
    if (config.homeAssistant.enabled) this.publishDiscovery(this.svc);
    log.info({ meters: topology.meters.size, circuits: topology.circuits.size, buses: config.buses.length, issues: issues.length }, 'energy module started');
  }

  async stop(): Promise<void> {
    this.svc = null;
    for (const s of this.stops.splice(0)) {
      try {
        await s();
      } catch (err) {
        this.deps.log.error({ err }, 'energy: stop step failed');
      }
    }
  }

  /** Publishes Home Assistant discovery and removes configs of meters/circuits no longer configured. */
  private publishDiscovery(svc: EnergyServices): void {
    const { broker, store, site } = this.deps;
    const config = svc.config;
    const msgs = discoveryMessages({
      prefix: config.homeAssistant.discoveryPrefix,
      nodeId: config.homeAssistant.nodeId,
      site,
      meters: [...svc.topology.meters.values()].map((meter) => ({ meter, model: svc.field.meterModel(meter.id), points: svc.field.meterPoints(meter.id) })),
      circuits: [...svc.topology.circuits.values()],
    });
    const previous = JSON.parse(store.setting(HA_SETTING) ?? '[]') as string[];
    const now = new Set(msgs.map((m) => m.topic));
    for (const t of previous) if (!now.has(t)) broker.publish(t, '', { retain: true, qos: 1 }).catch(() => undefined);
    for (const m of msgs) broker.publish(m.topic, m.payload, { retain: true, qos: 1 }).catch(() => undefined);
    store.setSetting(HA_SETTING, JSON.stringify([...now]));
  }
}

