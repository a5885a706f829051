import { uuidv7 } from '@campus/protocol/ids';
import type { NewEvent } from '@campus/protocol';
import { ACCESS_EVENTS, type AccessDeviceData, type AccessFireAlarmData, type AccessPassageData, type Direction, type FireAlarmView, type OpeningResult, letThrough } from '@campus/protocol/access/index';
import type { QrBadFrame, QrScan } from '@campus/device-drivers/qr/index';
import type { LinkStatus } from '@campus/device-drivers/serial/index';
import type { FireAlarmReport, Passage } from '@campus/device-drivers/turnstile/index';
import type { Logger } from '../../core/log.js';
import type { StoredEvent } from '../../store/index.js';
import type { Attendance } from '../attendance.js';
import { baseDecision, deny, grant, type Decision } from '../decision.js';
import type { AccessEngine } from '../engine.js';
import type { Gate } from '../model.js';
import type { Passback, PassbackState } from '../passback.js';
import type { Passes } from '../passes.js';
import type { People } from '../people.js';
import type { DecisionRecorder } from '../recorder.js';
import type { ReaderConfig } from '../config.js';
import type { GateHardware, HardwareHooks } from './hardware.js';

export interface GateRuntimeDeps {
  gates: ReadonlyMap<string, Gate>;
  engine: AccessEngine;
  recorder: DecisionRecorder;
  people: People;
  passes: Passes;
  passback: Passback;
  attendance: Attendance;
  now(): number;
  /** Timers (the edge's time service). */
  after(ms: number, fn: () => void): () => void;
  append(e: NewEvent): StoredEvent;
  log: Logger;
  /** A device down this long is reported offline (and online again when it is back). */
  offlineAfterMs: number;
}

/** What to undo when an opening turns out not to have let anyone through. */
interface Undo {
  passUse?: { useId: number; passId: number; direction: Direction };
  passback?: { zone: string; personId: string; at: number; previous: PassbackState | undefined };
}

const BAD_FRAME_REASONS: Record<QrBadFrame['reason'], string> = {
  overlong: 'reader.frame.overlong',
  'no-suffix': 'reader.frame.no_suffix',
  garbage: 'reader.frame.garbage',
  truncated: 'reader.frame.truncated',
};

/**
 * Readers → decisions → turnstiles → events. A scan is decided synchronously inside the
 * reader's data callback and the relay command is issued before anything is written
 * that could wait (events, attendance); only a one-use pass's use is written first, so
 * a crash can never let a pass in twice. Every failure here is logged and the gate
 * stays closed: nothing a reader sends can stop the daemon.
 */
export class GateRuntime implements HardwareHooks {
  #hardware: GateHardware | null = null;
  readonly #undo = new Map<string, Undo>();
  readonly #devices = new Map<string, { reported: boolean; timer: (() => void) | null }>();
  #lastFire: { active: boolean; confirmed: number } | null = null;
  #fireWhy: string | null = null;
  passages = { passed: 0, notPassed: 0, unexpected: 0 };

  constructor(private readonly d: GateRuntimeDeps) {}

  attach(hardware: GateHardware | null): void {
    this.#hardware = hardware;
  }

  // ------------------------------------------------------------ hardware hooks

  scan(reader: ReaderConfig, scan: QrScan): void {
    const gate = this.d.gates.get(reader.gate);
    if (!gate) return;
    this.decide(gate, reader.direction, scan.text, reader.id).catch((err: unknown) => this.d.log.error({ err, reader: reader.id }, 'scan handling failed; gate stays closed'));
  }

  badFrame(reader: ReaderConfig, frame: QrBadFrame): void {
    const gate = this.d.gates.get(reader.gate);
    if (!gate) return;
    try {
      const now = this.d.now();
      const reason = BAD_FRAME_REASONS[frame.reason];
      const slot = this.d.recorder.shouldRecord(reader.id, reason, false, now);
      if (!slot) return;
      const d = deny(baseDecision(gate, reader.direction), reason, { bytes: frame.bytes, lines: frame.lines, preview: frame.preview });
      this.d.recorder.record(d, { reader: reader.id, opened: 'closed', scanId: uuidv7(), source: `reader:${reader.id}` }, slot.suppressedBefore);
    } catch (err) {
      this.d.log.error({ err, reader: reader.id }, 'bad frame not recorded');
    }
  }

  linkState(device: { id: string; kind: 'reader' | 'relay-bus'; gate: string | null }, status: LinkStatus): void {
    const d = this.#devices.get(device.id) ?? { reported: false, timer: null };
    this.#devices.set(device.id, d);
    if (status.state === 'open') {
      d.timer?.();
      d.timer = null;
      if (d.reported) {
        d.reported = false;
        this.#deviceEvent(device, status, true);
      }
      return;
    }
    // 'connecting' is a retry under way; 'closed' a deliberate stop (shutdown).
    if (status.state !== 'error' || d.reported || d.timer) return;
    // A replug the driver rides through within the grace time is not worth a warning.
    d.timer = this.d.after(this.d.offlineAfterMs, () => {
      d.timer = null;
      d.reported = true;
      this.#deviceEvent(device, status, false);
    });
  }

  #deviceEvent(device: { id: string; kind: 'reader' | 'relay-bus'; gate: string | null }, status: LinkStatus, online: boolean): void {
    const data: AccessDeviceData = { device: device.id, deviceKind: device.kind, gate: device.gate, state: status.state, code: status.error?.code ?? null };
    this.#append({
      type: ACCESS_EVENTS.device,
      reason: online ? 'access.device.online' : 'access.device.offline',
      severity: online ? 'info' : 'warning',
      source: `${device.kind}:${device.id}`,
      data: { ...data },
    });
  }

  /** Stops pending device reports (shutdown). */
  stop(): void {
    for (const d of this.#devices.values()) d.timer?.();
    this.#devices.clear();
  }

  passage(p: Passage): void {
    const undo = p.ref.scanId ? this.#undo.get(p.ref.scanId) : undefined;
    if (p.ref.scanId) this.#undo.delete(p.ref.scanId);
    if (p.outcome === 'passed') {
      this.passages.passed++;
      return;
    }
    if (p.outcome === 'not-passed') {
      this.passages.notPassed++;
      if (undo) this.#rollback(undo);
    }
    if (p.outcome === 'unexpected') this.passages.unexpected++;
    const gate = this.d.gates.get(p.gateId);
    const data: AccessPassageData = {
      gate: p.gateId,
      gateName: gate?.name ?? p.gateId,
      direction: p.direction,
      outcome: p.outcome,
      personId: p.ref.subject ?? null,
      decisionId: p.ref.scanId ?? null,
      seconds: p.openedAt === null ? null : Math.round((p.at - p.openedAt) / 1000),
    };
    this.#append({
      type: ACCESS_EVENTS.passage,
      reason: `access.passage.${p.outcome.replace('-', '_')}`,
      severity: p.outcome === 'unexpected' ? 'warning' : 'notice',
      source: `gate:${p.gateId}`,
      subject: p.ref.subject ?? null,
      data: { ...data },
    });
  }

  fireAlarm(r: FireAlarmReport): void {
    const key = { active: r.active, confirmed: r.confirmed };
    if (this.#lastFire && this.#lastFire.active === key.active && this.#lastFire.confirmed === key.confirmed) return;
    this.#lastFire = key;
    const data: AccessFireAlarmData = {
      active: r.active,
      source: r.source,
      why: this.#fireWhy,
      held: r.confirmed,
      total: r.total,
      gatesNotOpen: r.gates.filter((g) => !g.confirmed).map((g) => g.gateId),
    };
    const reason = !r.active ? 'access.fire_alarm.cleared' : r.confirmed < r.total ? 'access.fire_alarm.gate_not_open' : 'access.fire_alarm.active';
    this.#append({ type: ACCESS_EVENTS.fireAlarm, reason, severity: r.active ? 'critical' : 'notice', priority: 0, source: r.source, data: { ...data, gatesNotOpen: data.gatesNotOpen.join('、') } });
  }

  firePanel(active: boolean): void {
    void this.setFireAlarm(active, 'fire-panel', active ? '消防报警主机联动' : '消防报警主机复位');
  }

  // ------------------------------------------------------------ decisions

  /** Decides a QR text at a gate, opens the turnstile if granted, records the event. */
  async decide(gate: Gate, direction: Direction, text: string, readerId: string | null): Promise<StoredEvent | null> {
    const now = this.d.now();
    const d = this.d.engine.decide(text, gate, direction, now);
    return this.#carryOut(d, now, { reader: readerId, source: readerId ? `reader:${readerId}` : 'api' });
  }

  /** A guard lets someone through by hand: recorded as a decision with who and why. */
  async override(gate: Gate, direction: Direction, by: string, why: string, personId: string | null, decisionId: string | null): Promise<StoredEvent> {
    const now = this.d.now();
    const d = baseDecision(gate, direction);
    d.person = personId ? (this.d.people.get(personId) ?? null) : null;
    d.personId = personId;
    d.identified = personId !== null;
    if (d.person && gate.zone.antiPassback !== 'off') d.effects.passback = { zone: gate.zone.id, personId: d.person.id };
    grant(d, 'access.override', {}, 'notice');
    const event = await this.#carryOut(d, now, { reader: null, source: `guard:${by}`, override: { by, why, decisionId } });
    return event!;
  }

  async setFireAlarm(active: boolean, source: string, why: string): Promise<FireAlarmView> {
    const alarm = this.#hardware?.fireAlarm;
    if (!alarm) return this.fireAlarmView();
    this.#fireWhy = why;
    if (active) await alarm.activate(source);
    else await alarm.clear(source);
    return this.fireAlarmView();
  }

  fireActive(): boolean {
    return this.#hardware?.fireAlarm?.active ?? false;
  }

  fireAlarmView(): FireAlarmView {
    const r = this.#hardware?.fireAlarm?.report() ?? null;
    return {
      active: r?.active ?? false,
      source: r?.source ?? null,
      since: r?.since ?? null,
      confirmed: r?.confirmed ?? 0,
      total: r?.total ?? 0,
      gatesNotOpen: r ? r.gates.filter((g) => !g.confirmed).map((g) => g.gateId) : [],
    };
  }

  async #carryOut(d: Decision, now: number, ctx: { reader: string | null; source: string; override?: { by: string; why: string; decisionId: string | null } }): Promise<StoredEvent | null> {
    const scanId = uuidv7();
    const gate = d.gate;
    const undo: Undo = {};
    if (d.granted && d.effects.passUse) {
      const passId = d.effects.passUse.passId;
      undo.passUse = { useId: this.d.passes.recordUse(passId, d.direction, gate.id), passId, direction: d.direction };
    }
    const opening = d.granted ? (this.#hardware?.open(gate.id, d.direction, { scanId, subject: d.personId ?? undefined }) ?? null) : null;
    // The relay command is on its way; now the writes that may take a moment.
    if (d.granted && d.effects.passback) {
      const { zone, personId } = d.effects.passback;
      undo.passback = { zone, personId, at: now, previous: this.d.passback.record(zone, personId, d.direction, now) };
    }
    if (ctx.reader) this.#hardware?.feedback(ctx.reader, d.granted ? 'granted' : 'denied');
    let opened: OpeningResult = d.granted ? 'no-turnstile' : 'closed';
    if (opening) {
      const result = await opening;
      opened = result.result;
      if (opened === 'relay-failed') this.#rollback(undo);
      else if (opened === 'pulsed' && this.#hardware?.turnstile(gate.id)?.options.passFeedback) this.#undo.set(scanId, undo);
    }
    const slot = this.d.recorder.shouldRecord(ctx.reader, d.reason, d.identified, now);
    if (!slot) return null;
    const event = this.d.recorder.record(d, { reader: ctx.reader, opened, scanId, source: ctx.source, override: ctx.override }, slot.suppressedBefore);
    // Attendance counts what the cloud notifies: the one "did they pass" rule (protocol/access/passage.ts).
    if (letThrough({ granted: d.granted, opened })) {
      try {
        this.d.attendance.onDecision(d, now);
      } catch (err) {
        this.d.log.error({ err, personId: d.personId }, 'attendance not updated');
      }
    }
    return event;
  }

  #rollback(undo: Undo): void {
    if (undo.passUse) this.d.passes.returnUse(undo.passUse.useId, undo.passUse.passId, undo.passUse.direction);
    if (undo.passback) this.d.passback.restore(undo.passback.zone, undo.passback.personId, undo.passback.at, undo.passback.previous);
  }

  #append(e: NewEvent): void {
    try {
      this.d.append(e);
    } catch (err) {
      this.d.log.error({ err, type: e.type }, 'access event not recorded');
    }
  }
}
