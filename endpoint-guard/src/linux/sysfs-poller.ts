import { watch, type FSWatcher } from 'node:fs';
import { readdir } from 'node:fs/promises';
import type { Logger } from '../log/logger.js';
import type { UsbKernelEventSource, UsbKernelListener } from './kernel-events.js';
import { classifyName } from './sysfs-names.js';

/**
 * Fallback event source: diffs the listing of /sys/bus/usb/devices. Real sysfs does not
 * report changes through inotify, so there it is a plain poll (pollMs); on an ordinary
 * filesystem (the fake kernel tree) the directory watch makes it react at once and the
 * poll is only a safety net. Emits add/remove for devices and interfaces.
 */
export interface SysfsPollerOptions {
  devicesDir: string;
  pollMs: number;
  log: Logger;
}

export class SysfsPoller implements UsbKernelEventSource {
  private known = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private watcher: FSWatcher | null = null;
  private scanning: Promise<void> | null = null;
  private again = false;
  private listener: UsbKernelListener | null = null;

  constructor(private readonly opts: SysfsPollerOptions) {}

  async start(listener: UsbKernelListener): Promise<void> {
    this.listener = listener;
    this.known = new Set(await this.list());
    try {
      this.watcher = watch(this.opts.devicesDir, () => this.kick());
      this.watcher.on('error', (err) => this.opts.log.debug('sysfs watch stopped; polling only', { err }));
    } catch {
      this.watcher = null;
    }
    this.timer = setInterval(() => this.kick(), this.opts.pollMs);
  }

  private kick(): void {
    if (this.scanning) {
      this.again = true;
      return;
    }
    this.scanning = this.scan()
      .catch((err: unknown) => this.opts.log.warn('sysfs poll failed', { err }))
      .finally(() => {
        this.scanning = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  private async scan(): Promise<void> {
    const now = new Set(await this.list());
    const listener = this.listener;
    if (!listener) return;
    const receivedAt = performance.now();
    for (const name of this.known) if (!now.has(name)) listener({ action: 'remove', name, receivedAt });
    for (const name of now) if (!this.known.has(name)) listener({ action: 'add', name, receivedAt });
    this.known = now;
  }

  private async list(): Promise<string[]> {
    try {
      return (await readdir(this.opts.devicesDir)).filter((n) => {
        const k = classifyName(n);
        return k === 'device' || k === 'interface';
      });
    } catch {
      return [];
    }
  }

  async stop(): Promise<void> {
    this.listener = null;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.watcher?.close();
    this.watcher = null;
    await this.scanning;
  }
}
