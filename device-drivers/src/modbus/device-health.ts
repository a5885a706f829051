import type { ModbusDeviceState, ModbusDeviceStats } from '@campus/protocol/energy/index';

export type Priority = 'command' | 'poll';

export interface HealthPolicy {
  offlineAfterFailures: number;
  offlineProbeIntervalMs: number;
}

export type Admission = 'send' | 'probe' | 'skip';

export interface StateChange {
  state: ModbusDeviceState;
  previous: ModbusDeviceState;
}

/**
 * Counters and the online/offline decision for one device on one bus.
 *
 * An offline device costs the bus at most one timeout per probe interval: polls
 * for it are skipped without touching the wire until the probe is due, and the
 * probe is sent once, without retries. A command (a relay switch someone asked
 * for) is always tried once — the person deserves a real answer.
 */
export class DeviceHealth {
  readonly stats: ModbusDeviceStats;

  constructor(
    busId: string,
    unit: number,
    private policy: HealthPolicy,
  ) {
    this.stats = {
      busId,
      unit,
      state: 'unknown',
      requests: 0,
      responses: 0,
      timeouts: 0,
      crcErrors: 0,
      frameErrors: 0,
      exceptions: {},
      retries: 0,
      skipped: 0,
      consecutiveFailures: 0,
      lastGoodReadAt: null,
      lastErrorAt: null,
      lastError: null,
      nextProbeAt: null,
    };
  }

  /** A device's own policy may arrive after the bus first spoke to it (a second user of a shared line). */
  setPolicy(policy: HealthPolicy): void {
    this.policy = policy;
  }

  admit(now: number, priority: Priority): Admission {
    if (this.stats.state !== 'offline') return 'send';
    if (priority === 'command') return 'probe';
    return now >= (this.stats.nextProbeAt ?? 0) ? 'probe' : 'skip';
  }

  /** The next probe is claimed as soon as it is sent, so queued polls behind it are skipped. */
  probeSent(now: number): void {
    this.stats.nextProbeAt = now + this.policy.offlineProbeIntervalMs;
  }

  requestSent(isRetry: boolean): void {
    this.stats.requests++;
    if (isRetry) this.stats.retries++;
  }

  attemptFailed(kind: 'timeout' | 'crc_error' | 'frame_error', now: number, reason: string): void {
    if (kind === 'timeout') this.stats.timeouts++;
    else if (kind === 'crc_error') this.stats.crcErrors++;
    else this.stats.frameErrors++;
    this.stats.lastErrorAt = now;
    this.stats.lastError = reason;
  }

  skipped(): void {
    this.stats.skipped++;
  }

  /** A valid reply arrived (normal or exception from the device itself). */
  answered(now: number, exceptionCode?: number, reason?: string): StateChange | null {
    this.stats.responses++;
    if (exceptionCode !== undefined) {
      const key = String(exceptionCode);
      this.stats.exceptions[key] = (this.stats.exceptions[key] ?? 0) + 1;
      this.stats.lastErrorAt = now;
      this.stats.lastError = reason ?? null;
    } else {
      this.stats.lastGoodReadAt = now;
    }
    this.stats.consecutiveFailures = 0;
    this.stats.nextProbeAt = null;
    return this.setState('online');
  }

  /** A gateway answered for a device that did not (exceptions 10, 11): counted, and a failure. */
  gatewayException(exceptionCode: number, now: number, reason: string): void {
    const key = String(exceptionCode);
    this.stats.responses++;
    this.stats.exceptions[key] = (this.stats.exceptions[key] ?? 0) + 1;
    this.stats.lastErrorAt = now;
    this.stats.lastError = reason;
  }

  /**
   * The whole transaction failed, retries included. `silent`: no attempt got a
   * single byte back. Silence is what a dead or unpowered device looks like and
   * benches it at once (by default); garbled replies mean it is alive on a noisy
   * line, so it is benched only after two more failed transactions in a row.
   */
  transactionFailed(now: number, wasProbe: boolean, silent = true): StateChange | null {
    this.stats.consecutiveFailures++;
    const threshold = this.policy.offlineAfterFailures + (silent ? 0 : 2);
    if (wasProbe || this.stats.consecutiveFailures >= threshold) {
      this.stats.nextProbeAt = now + this.policy.offlineProbeIntervalMs;
      return this.setState('offline');
    }
    return null;
  }

  snapshot(): ModbusDeviceStats {
    return { ...this.stats, exceptions: { ...this.stats.exceptions } };
  }

  private setState(state: ModbusDeviceState): StateChange | null {
    const previous = this.stats.state;
    if (previous === state) return null;
    this.stats.state = state;
    return { state, previous };
  }
}
