import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/**
 * Time you can trust. Many edge boxes have no battery-backed RTC and boot offline
 * at 1970 or at the last shutdown time. The clock reports whether wall time is
 * trustworthy; events recorded while it is not are marked, and `monotonicNow`
 * gives a never-decreasing time for ordering and timers.
 */
export interface Clock {
  /** Wall-clock ms since the epoch (may jump). */
  now(): number;
  /** Never decreases, even when the wall clock jumps backwards. */
  monotonicNow(): number;
  trusted(): boolean;
  source(): string;
}

export type SyncProbe = () => Promise<boolean>;

/**
 * Asks the OS whether NTP has synchronised the clock: systemd-timesyncd's marker
 * file, then `timedatectl`, then chrony. Unknown counts as not synchronised.
 */
export const systemSyncProbe: SyncProbe = async () => {
  if (existsSync('/run/systemd/timesync/synchronized')) return true;
  try {
    const { stdout } = await execFileAsync('timedatectl', ['show', '-p', 'NTPSynchronized', '--value'], { timeout: 2000 });
    if (stdout.trim() === 'yes') return true;
  } catch {
    /* not systemd */
  }
  try {
    const { stdout } = await execFileAsync('chronyc', ['-n', 'tracking'], { timeout: 2000 });
    if (/Leap status\s*:\s*Normal/.test(stdout)) return true;
  } catch {
    /* no chrony */
  }
  return false;
};

export interface TrustedClockOptions {
  mode: 'auto' | 'always' | 'never';
  wallNow?: () => number;
  monoNow?: () => number;
  probe?: SyncProbe;
  onChange?: (change: { trusted: boolean; source: string; jumpMs?: number }) => void;
}

/** Smallest disagreement between wall and monotonic progress counted as a jump. */
const JUMP_THRESHOLD_MS = 2000;

export class TrustedClock implements Clock {
  private isTrusted: boolean;
  private src: string;
  private readonly wallNow: () => number;
  private readonly monoNow: () => number;
  private lastWall: number;
  private lastMono: number;
  private monoBase: number;
  private highWater: number;

  constructor(private readonly opts: TrustedClockOptions) {
    this.wallNow = opts.wallNow ?? Date.now;
    this.monoNow = opts.monoNow ?? (() => performance.now());
    this.isTrusted = opts.mode === 'always';
    this.src = opts.mode === 'always' ? 'config' : 'unsynchronised';
    this.lastWall = this.wallNow();
    this.lastMono = this.monoNow();
    this.monoBase = this.lastWall - this.lastMono;
    this.highWater = this.lastWall;
  }

  /** Correction learned from the cloud while NTP is unavailable (0 once NTP syncs). */
  private offset = 0;

  now(): number {
    return this.wallNow() + this.offset;
  }

  monotonicNow(): number {
    // Wall-clock based while it moves forward; never below the high-water mark.
    const t = Math.max(this.now(), this.monoBase + this.offset + this.monoNow());
    if (t > this.highWater) this.highWater = t;
    return this.highWater;
  }

  trusted(): boolean {
    return this.isTrusted;
  }

  source(): string {
    return this.src;
  }

  /**
   * The cloud told us the time (an edge box that booted offline without an RTC):
   * from now on `now()` is corrected by the difference, and trusted, until NTP
   * takes over. Small differences only mark the clock trusted.
   */
  correctFrom(source: string, referenceNow: number, toleranceMs = 2000): void {
    if (this.opts.mode === 'never' || (this.isTrusted && this.src === 'ntp')) return;
    // Whole milliseconds: every timestamp the edge writes (events' occurredAt) must stay an
    // integer, and the reference is often fractional (Date header + half the round trip).
    const diff = Math.round(referenceNow - this.wallNow());
    const before = this.offset;
    this.offset = Math.abs(diff) > toleranceMs ? diff : 0;
    if (this.offset !== before) this.opts.onChange?.({ trusted: true, source, jumpMs: this.offset - before });
    this.markTrusted(source);
  }

  /** The cloud (or an admin) vouches for the current time. */
  markTrusted(source: string): void {
    if (this.opts.mode === 'never') return;
    if (!this.isTrusted || this.src !== source) {
      this.isTrusted = true;
      this.src = source;
      this.opts.onChange?.({ trusted: true, source });
    }
  }

  /**
   * Periodic check: compares wall progress with monotonic progress to detect
   * jumps, and asks the OS whether NTP is synchronised.
   */
  async check(): Promise<void> {
    const wall = this.wallNow();
    const mono = this.monoNow();
    const jump = wall - this.lastWall - (mono - this.lastMono);
    this.lastWall = wall;
    this.lastMono = mono;
    if (Math.abs(jump) > JUMP_THRESHOLD_MS) {
      this.monoBase = wall - mono;
      this.opts.onChange?.({ trusted: this.isTrusted, source: this.src, jumpMs: jump });
    }
    if (this.opts.mode !== 'auto') return;
    const synced = await (this.opts.probe ?? systemSyncProbe)();
    if (synced && this.offset !== 0) this.offset = 0; // NTP has set the system clock itself
    if (synced && (!this.isTrusted || this.src !== 'ntp')) {
      this.isTrusted = true;
      this.src = 'ntp';
      this.opts.onChange?.({ trusted: true, source: 'ntp' });
    } else if (!synced && this.isTrusted && this.src === 'ntp') {
      this.isTrusted = false;
      this.src = 'unsynchronised';
      this.opts.onChange?.({ trusted: false, source: this.src });
    }
  }
}
