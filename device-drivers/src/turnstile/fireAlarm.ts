import { SafeEmitter } from '../serial/safeEmitter.js';
import { silentLogger, type DriverLogger } from '../serial/logger.js';
import type { LinkErrorInfo } from '../serial/linkStatus.js';
import type { Turnstile } from './turnstile.js';

export interface FireAlarmGateState {
  gateId: string;
  /** The relay confirmed the hold (while active) or the release (after clearing). */
  confirmed: boolean;
  error: LinkErrorInfo | null;
}

export interface FireAlarmReport {
  active: boolean;
  /** Reason code: 'fire_alarm.active' or 'fire_alarm.cleared' (also the i18n message id). */
  reasonCode: 'fire_alarm.active' | 'fire_alarm.cleared';
  /** Who raised or cleared it: "fire-panel", "guard:zhang", ... */
  source: string;
  since: number;
  gates: FireAlarmGateState[];
  /** Gates confirmed open (active) or confirmed back to normal (cleared). */
  confirmed: number;
  total: number;
}

interface FireAlarmEvents {
  /** Raised, cleared, and every time another gate is confirmed. */
  change: [report: FireAlarmReport];
}

/**
 * Fire-alarm mode: every gate held open until cleared. Gates whose relay did not
 * confirm are retried every `retryMs` until they do, and each confirmation is reported,
 * so the guard sees exactly which gates are free.
 */
export class FireAlarm extends SafeEmitter<FireAlarmEvents> {
  readonly #gates: Turnstile[];
  readonly #retryMs: number;
  #report: FireAlarmReport | null = null;
  #retry: NodeJS.Timeout | null = null;

  constructor(gates: Turnstile[], options: { retryMs?: number } = {}, logger: DriverLogger = silentLogger) {
    super((error, event) => logger.error({ err: error, event }, 'fire alarm listener threw'));
    this.#gates = gates;
    this.#retryMs = options.retryMs ?? 1000;
  }

  get active(): boolean {
    return this.#report?.active ?? false;
  }

  report(): FireAlarmReport | null {
    return this.#report ? { ...this.#report, gates: this.#report.gates.map((g) => ({ ...g })) } : null;
  }

  async activate(source: string): Promise<FireAlarmReport> {
    if (this.#report?.active) return this.report()!;
    return this.#apply(true, source);
  }

  async clear(source: string): Promise<FireAlarmReport> {
    if (!this.#report?.active) return this.report() ?? this.#apply(false, source);
    return this.#apply(false, source);
  }

  dispose(): void {
    if (this.#retry) clearTimeout(this.#retry);
    this.#retry = null;
  }

  async #apply(active: boolean, source: string): Promise<FireAlarmReport> {
    this.dispose();
    const report: FireAlarmReport = {
      active,
      reasonCode: active ? 'fire_alarm.active' : 'fire_alarm.cleared',
      source,
      since: Date.now(),
      gates: this.#gates.map((g) => ({ gateId: g.id, confirmed: false, error: null })),
      confirmed: 0,
      total: this.#gates.length,
    };
    this.#report = report;
    await this.#holdUnconfirmed(report);
    return this.report()!;
  }

  async #holdUnconfirmed(report: FireAlarmReport): Promise<void> {
    const todo = report.gates.filter((g) => !g.confirmed);
    const results = await Promise.all(todo.map((g) => this.#gates.find((t) => t.id === g.gateId)!.hold(report.active)));
    if (this.#report !== report) return; // cleared or re-raised meanwhile
    todo.forEach((g, i) => {
      g.confirmed = results[i]!.ok;
      g.error = results[i]!.error;
    });
    report.confirmed = report.gates.filter((g) => g.confirmed).length;
    this.emit('change', this.report()!);
    if (report.confirmed < report.total) {
      this.#retry = setTimeout(() => void this.#holdUnconfirmed(report), this.#retryMs);
      this.#retry.unref();
    }
  }
}
