import { constants, watch, type FSWatcher } from 'node:fs';
import { chmod, lstat, mkdir, open, readdir, rm, rmdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { uuidv7 } from '@campus/protocol/ids';
import { identityOf, type UsbDeviceIdentity } from '@campus/protocol/usb/device';
import { UsbDeviceRequestSchema, type UsbDeviceRequest } from '@campus/protocol/usb/messages';
import type { SysfsUsb } from '../linux/sysfs-usb.js';
import type { Logger } from '../log/logger.js';
import { isRequestFileName, isTempFileName, SPOOL_FILE_MAX_BYTES, SpoolRequestSchema, type SpoolRequest } from './spool-file.js';
import { userNameOf } from './user-names.js';
import { UserRateLimit } from './user-rate-limit.js';

/**
 * The agent's end of `campus-guard request`. The spool directory is world-writable
 * (mode 1733), so every file in it is hostile until proven otherwise: symlinks, FIFOs,
 * hard links to root's files, huge files and garbage are discarded and logged, never
 * followed or trusted. A good request is completed from the agent's own view of the
 * device, published QoS 1, and its file removed only once the broker has it — with
 * the edge unreachable it waits in the directory and goes out after the reconnect.
 */
export interface RequestSpoolOptions {
  dir: string;
  agentId: string;
  sysfs: SysfsUsb;
  scanMs: number;
  perUserPerHour: number;
  /** Resolves true once the broker acknowledged the message. */
  publish: (request: UsbDeviceRequest) => Promise<boolean>;
  log: Logger;
  now?: () => number;
  userName?: (uid: number) => Promise<string>;
}

/** A temp file this old was left by a CLI that died mid-write. */
const STALE_TEMP_MS = 60 * 60 * 1000;
const MAX_FILES_PER_SCAN = 500;

export class RequestSpool {
  private readonly now: () => number;
  private readonly limit: UserRateLimit;
  /** Built once per file, so a resend after a lost ack carries the same request id. */
  private readonly prepared = new Map<string, UsbDeviceRequest>();
  /** Entries that could not be removed (a user's non-empty directory): logged once, then skipped. */
  private readonly stuck = new Set<string>();
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(private readonly opts: RequestSpoolOptions) {
    this.now = opts.now ?? Date.now;
    this.limit = new UserRateLimit(opts.perUserPerHour, 60 * 60 * 1000);
  }

  async start(): Promise<void> {
    await mkdir(this.opts.dir, { recursive: true, mode: 0o755 });
    const st = await lstat(this.opts.dir);
    if (!st.isDirectory()) throw new Error(`request spool ${this.opts.dir} is not a directory`);
    // Sticky and write-only for others, like /tmp without read: nobody lists or removes others' requests.
    await chmod(this.opts.dir, 0o1733);
    try {
      this.watcher = watch(this.opts.dir, () => this.scan());
      this.watcher.on('error', (err) => this.opts.log.warn('request spool watch failed; relying on the periodic scan', { err }));
    } catch (err) {
      this.opts.log.warn('cannot watch the request spool; relying on the periodic scan', { err });
    }
    this.timer = setInterval(() => this.scan(), this.opts.scanMs);
    this.scan();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.watcher?.close();
    this.watcher = null;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Looks at the directory now (also called on every reconnect to the edge). Never rejects. */
  scan(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.scanLoop().finally(() => (this.running = null));
  }

  /** Resolves when no scan is running (tests). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async scanLoop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.scanOnce();
      } catch (err) {
        this.opts.log.error('request spool scan failed', { err });
      }
    } while (this.again && !this.stopped);
  }

  private async scanOnce(): Promise<void> {
    const names = (await readdir(this.opts.dir)).sort().slice(0, MAX_FILES_PER_SCAN);
    for (const name of names) {
      if (this.stopped) return;
      try {
        await this.handle(name);
      } catch (err) {
        this.opts.log.error('request file handling failed', { file: name, err });
      }
    }
    for (const name of this.prepared.keys()) if (!names.includes(name)) this.prepared.delete(name);
    for (const name of this.stuck) if (!names.includes(name)) this.stuck.delete(name);
  }

  private async handle(name: string): Promise<void> {
    const path = join(this.opts.dir, name);
    if (this.stuck.has(name)) return;
    if (isTempFileName(name)) {
      const st = await lstat(path).catch(() => null);
      if (st && this.now() - st.mtimeMs > STALE_TEMP_MS) await this.discard(path, name, 'stale temp file', st.uid);
      return;
    }
    let request = this.prepared.get(name);
    if (!request) {
      const read = await this.read(path, name);
      if (!read) return;
      request = await this.prepare(read.request, read.uid);
      if (!this.limit.tryAccept(read.uid, this.now())) {
        await this.discard(path, name, 'rate limit: too many requests from this user', read.uid);
        return;
      }
      this.prepared.set(name, request);
      this.opts.log.info('device request accepted', { file: name, requestedBy: request.requestedBy, vid: request.device.vid, pid: request.device.pid, port: request.device.port });
    }
    if (!(await this.opts.publish(request))) return; // edge unreachable: the file waits
    this.prepared.delete(name);
    await unlink(path).catch((err: unknown) => this.opts.log.warn('request sent but its file could not be removed', { file: name, err }));
    this.opts.log.info('device request sent to the edge', { id: request.id, requestedBy: request.requestedBy });
  }

  /** The file's request and owner, or null after discarding a file that is not one. */
  private async read(path: string, name: string): Promise<{ request: SpoolRequest; uid: number } | null> {
    const st = await lstat(path).catch(() => null);
    if (!st) return null; // already gone
    if (!isRequestFileName(name) || !st.isFile()) return (await this.discard(path, name, 'not a request file', st.uid), null);
    let fh;
    try {
      // O_NOFOLLOW: a symlink swapped in after the lstat is refused; O_NONBLOCK: a FIFO cannot hang us.
      fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch (err) {
      return (await this.discard(path, name, `cannot open: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, st.uid), null);
    }
    let text: string;
    let uid: number;
    try {
      const fst = await fh.stat();
      uid = fst.uid;
      // A hard link to a file of someone else's would let a user make root read (and delete) it.
      if (!fst.isFile() || fst.nlink !== 1) return (await this.discard(path, name, 'not a plain file', uid), null);
      if (fst.size > SPOOL_FILE_MAX_BYTES) return (await this.discard(path, name, `too large (${fst.size} bytes)`, uid), null);
      const buf = Buffer.alloc(SPOOL_FILE_MAX_BYTES + 1);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      if (bytesRead > SPOOL_FILE_MAX_BYTES) return (await this.discard(path, name, 'too large', uid), null);
      text = buf.subarray(0, bytesRead).toString('utf8');
    } finally {
      await fh.close();
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return (await this.discard(path, name, 'not JSON', uid), null);
    }
    const parsed = SpoolRequestSchema.safeParse(raw);
    if (!parsed.success) {
      const detail = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      return (await this.discard(path, name, `invalid request: ${detail}`, uid), null);
    }
    return { request: parsed.data, uid };
  }

  private async prepare(r: SpoolRequest, uid: number): Promise<UsbDeviceRequest> {
    const request: UsbDeviceRequest = {
      id: uuidv7(),
      agentId: this.opts.agentId,
      at: this.now(),
      device: await this.deviceFacts(r.device),
      requestedBy: await (this.opts.userName ?? userNameOf)(uid),
      note: r.reason,
      ...(r.hours ? { durationMinutes: r.hours * 60 } : {}),
    };
    return UsbDeviceRequestSchema.parse(request);
  }

  /**
   * What the agent itself reads from the plugged device wins over what the file claims;
   * a device unplugged since is asked for by the identity the teacher's CLI saw.
   */
  private async deviceFacts(claim: SpoolRequest['device']): Promise<UsbDeviceIdentity> {
    const matches = (d: { vid: string; pid: string; serial: string | null }) => d.vid === claim.vid && d.pid === claim.pid && (claim.serial === null || d.serial === claim.serial);
    const candidates = claim.port ? [claim.port, ...(await this.opts.sysfs.listDevices()).filter((n) => n !== claim.port)] : await this.opts.sysfs.listDevices();
    for (const name of candidates) {
      const live = await this.opts.sysfs.readDevice(name).catch(() => null);
      if (live && matches(live.device)) return identityOf(live.device);
    }
    return { vid: claim.vid, pid: claim.pid, serial: claim.serial, port: claim.port ?? '', manufacturer: null, product: null, interfaceClasses: [] };
  }

  private async discard(path: string, name: string, why: string, uid: number): Promise<void> {
    this.prepared.delete(name);
    this.opts.log.warn('request file discarded', { file: name.slice(0, 128), uid, why });
    // Never a recursive delete as root inside a directory users control.
    const isDir = (await lstat(path).catch(() => null))?.isDirectory() === true;
    await (isDir ? rmdir(path) : rm(path, { force: true })).catch((err: unknown) => {
      this.stuck.add(name);
      this.opts.log.warn('cannot remove a discarded request file', { file: name.slice(0, 128), err });
    });
  }
}
