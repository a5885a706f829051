import { spawn, type ChildProcess } from 'node:child_process';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import type { Logger } from '../log/logger.js';
import type { UsbKernelAction, UsbKernelEventSource, UsbKernelListener } from './kernel-events.js';

/**
 * Kernel uevents through `udevadm monitor --kernel --property --subsystem-match=usb`.
 * Each event is a header line followed by KEY=VALUE lines and a blank line:
 *
 *   KERNEL[1234.567890] add      /devices/pci0000:00/0000:00:14.0/usb1/1-2 (usb)
 *   ACTION=add
 *   DEVPATH=/devices/pci0000:00/0000:00:14.0/usb1/1-2
 *   SUBSYSTEM=usb
 *   DEVTYPE=usb_device
 *
 * If udevadm dies it is restarted with backoff and a resync is emitted, because events
 * in the gap are lost.
 */
export const UDEVADM_MONITOR_COMMAND = ['udevadm', 'monitor', '--kernel', '--property', '--subsystem-match=usb'] as const;
const ACTIONS = new Set<UsbKernelAction>(['add', 'remove', 'change', 'bind', 'unbind', 'move']);
const MAX_BLOCK_LINES = 64;

export interface ParsedUevent {
  action: UsbKernelAction;
  name: string;
  devtype: string | null;
}

/** Incremental parser: feed lines, get complete events. Tolerates garbage between blocks. */
export class UeventBlockParser {
  private props = new Map<string, string>();
  private lines = 0;

  push(line: string): ParsedUevent | null {
    if (line.trim() === '') return this.flush();
    if (++this.lines > MAX_BLOCK_LINES) return null; // a runaway block: ignore the rest until a blank line
    const eq = line.indexOf('=');
    if (eq > 0 && !line.startsWith('KERNEL[') && !line.startsWith('UDEV[')) this.props.set(line.slice(0, eq), line.slice(eq + 1));
    return null;
  }

  flush(): ParsedUevent | null {
    const props = this.props;
    this.props = new Map();
    this.lines = 0;
    const action = props.get('ACTION') as UsbKernelAction | undefined;
    const devpath = props.get('DEVPATH');
    if (!action || !ACTIONS.has(action) || !devpath || props.get('SUBSYSTEM') !== 'usb') return null;
    return { action, name: basename(devpath), devtype: props.get('DEVTYPE') ?? null };
  }
}

export interface UdevadmMonitorOptions {
  command?: readonly string[];
  log: Logger;
  /** First restart delay; doubles up to 30 s. */
  restartDelayMs?: number;
}

export class UdevadmMonitor implements UsbKernelEventSource {
  private child: ChildProcess | null = null;
  private stopped = false;
  private restartTimer: NodeJS.Timeout | null = null;
  private delay: number;

  constructor(private readonly opts: UdevadmMonitorOptions) {
    this.delay = opts.restartDelayMs ?? 1000;
  }

  async start(listener: UsbKernelListener): Promise<void> {
    this.stopped = false;
    await this.spawnMonitor(listener, false);
  }

  private spawnMonitor(listener: UsbKernelListener, isRestart: boolean): Promise<void> {
    const [cmd, ...args] = this.opts.command ?? UDEVADM_MONITOR_COMMAND;
    const child = spawn(cmd!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const parser = new UeventBlockParser();
    const lines = createInterface({ input: child.stdout!, crlfDelay: Infinity });
    lines.on('line', (line) => {
      const e = parser.push(line);
      if (e) listener({ action: e.action, name: e.name, receivedAt: performance.now() });
    });
    child.stderr!.resume();
    return new Promise<void>((resolve) => {
      let resolved = false;
      const ready = () => {
        if (resolved) return;
        resolved = true;
        if (isRestart) listener({ action: 'resync', name: '', receivedAt: performance.now() });
        resolve();
      };
      child.once('spawn', ready);
      child.once('error', (err) => {
        this.opts.log.error('udevadm monitor could not start', { err });
        ready();
      });
      child.once('exit', (code, signal) => {
        if (this.child === child) this.child = null;
        ready();
        if (this.stopped) return;
        this.opts.log.warn('udevadm monitor exited; restarting', { code, signal, delayMs: this.delay });
        this.restartTimer = setTimeout(() => {
          this.restartTimer = null;
          this.delay = Math.min(this.delay * 2, 30_000);
          void this.spawnMonitor(listener, true);
        }, this.delay);
      });
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    this.child = null;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  }
}
