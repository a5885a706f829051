import { randomBytes } from 'node:crypto';
import { open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PORT_RE } from '@campus/protocol/usb/device';
import { SysfsUsb } from '../linux/sysfs-usb.js';
import { DEFAULT_CONFIG_PATH, DEFAULT_SPOOL_DIR } from '../config/config-schema.js';
import { describeDevice, listBlockedDevices, pickDevice } from './blocked-devices.js';
import { requestText } from './messages.js';
import { MAX_REQUEST_HOURS, SPOOL_FORMAT, SpoolRequestSchema, type SpoolRequest } from './spool-file.js';

/**
 * `campus-guard request`: run by the teacher (no root). It never talks MQTT — the
 * running agent owns the PC's MQTT session and a second client with the same id would
 * take it over — it drops a file into the agent's spool directory and returns.
 *
 * Exit codes: 0 submitted, 2 the teacher must choose a device, 64 usage, 1 cannot submit.
 */
export const EXIT_CHOOSE = 2;
const EXIT_USAGE = 64;

export interface RequestCliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  now?: () => number;
}

const consoleIo: RequestCliIo = { out: (l) => console.log(l), err: (l) => console.error(l) };

export async function runRequestCli(argv: string[], io: RequestCliIo = consoleIo): Promise<number> {
  let values: { config?: string; device?: string; reason?: string; hours?: string };
  try {
    values = parseArgs({
      args: argv,
      options: { config: { type: 'string' }, device: { type: 'string' }, reason: { type: 'string' }, hours: { type: 'string' } },
      strict: true,
    }).values;
  } catch {
    io.err(requestText('guard.request.usage'));
    return EXIT_USAGE;
  }
  const reason = values.reason?.trim() ?? '';
  if (!reason || reason.length > 500) {
    io.err(requestText('guard.request.bad_reason'));
    return EXIT_USAGE;
  }
  let hours: number | undefined;
  if (values.hours !== undefined) {
    hours = /^\d{1,5}$/.test(values.hours) ? Number(values.hours) : NaN;
    if (!(hours >= 1 && hours <= MAX_REQUEST_HOURS)) {
      io.err(requestText('guard.request.bad_hours', { max: MAX_REQUEST_HOURS }));
      return EXIT_USAGE;
    }
  }

  const where = await readPaths(values.config);
  const sysfs = new SysfsUsb(where.sysfsRoot);
  let device: SpoolRequest['device'];
  let label: string;
  if (values.device !== undefined) {
    const named = parseDeviceArg(values.device);
    if (!named) {
      io.err(requestText('guard.request.bad_device', { device: values.device }));
      return EXIT_USAGE;
    }
    if ('port' in named) {
      const live = await sysfs.readDevice(named.port);
      if (!live) {
        io.err(requestText('guard.request.device_absent', { device: named.port }));
        return EXIT_CHOOSE;
      }
      device = { port: named.port, vid: live.device.vid, pid: live.device.pid, serial: live.device.serial };
      label = describeDevice(live.device, named.port);
    } else {
      device = named;
      label = describeDevice({ ...named, product: null, manufacturer: null });
    }
  } else {
    const blocked = await listBlockedDevices(sysfs);
    const chosen = pickDevice(blocked);
    if (!chosen) {
      io.err(requestText(blocked.length ? 'guard.request.choose' : 'guard.request.none_blocked'));
      for (const b of blocked) io.err(`  --device ${b.port}    ${describeDevice(b.device)}`);
      return EXIT_CHOOSE;
    }
    device = { port: chosen.port, vid: chosen.device.vid, pid: chosen.device.pid, serial: chosen.device.serial };
    label = describeDevice(chosen.device, chosen.port);
  }

  const request: SpoolRequest = SpoolRequestSchema.parse({ format: SPOOL_FORMAT, createdAt: (io.now ?? Date.now)(), device, reason, ...(hours ? { hours } : {}) });
  try {
    await dropInSpool(where.spoolDir, request);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    io.err(code === 'ENOENT' ? requestText('guard.request.spool_missing', { dir: where.spoolDir }) : requestText('guard.request.write_failed', { error: code ?? (e as Error).message }));
    return 1;
  }
  io.out(requestText('guard.request.sent', { device: label }));
  return 0;
}

/** "1-1.2" (a port) or "vid:pid[:serial]". */
export function parseDeviceArg(arg: string): { port: string } | { vid: string; pid: string; serial: string | null } | null {
  if (PORT_RE.test(arg)) return { port: arg };
  const m = /^([0-9a-fA-F]{4}):([0-9a-fA-F]{4})(?::(.{1,128}))?$/.exec(arg);
  if (!m) return null;
  return { vid: m[1]!.toLowerCase(), pid: m[2]!.toLowerCase(), serial: m[3] ?? null };
}

/**
 * The agent's config is usually root-only (it may hold the MQTT password); a teacher
 * cannot read it and then gets the defaults. Only the two paths are taken from it.
 */
async function readPaths(configPath: string | undefined): Promise<{ spoolDir: string; sysfsRoot: string }> {
  const path = resolve(configPath ?? DEFAULT_CONFIG_PATH);
  const fallback = { spoolDir: DEFAULT_SPOOL_DIR, sysfsRoot: '/sys' };
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return fallback;
  }
  const cfg = (raw ?? {}) as { sysfsRoot?: unknown; requests?: { spoolDir?: unknown } };
  const base = dirname(path);
  const abs = (p: unknown, d: string) => (typeof p === 'string' && p ? (isAbsolute(p) ? p : resolve(base, p)) : d);
  return { spoolDir: abs(cfg.requests?.spoolDir, fallback.spoolDir), sysfsRoot: abs(cfg.sysfsRoot, fallback.sysfsRoot) };
}

/** Temp file + rename, so the agent never sees half a request. Mode 0600: other users cannot read it. */
async function dropInSpool(dir: string, request: SpoolRequest): Promise<string> {
  await stat(dir); // ENOENT: the agent is not running (it creates the directory)
  const id = `${request.createdAt}-${process.getuid?.() ?? 'u'}-${randomBytes(6).toString('hex')}`;
  const tmp = join(dir, `.${id}.tmp`);
  const final = join(dir, `${id}.json`);
  const fh = await open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(JSON.stringify(request));
    await fh.sync();
  } catch (e) {
    await fh.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    throw e;
  }
  await fh.close();
  await rename(tmp, final);
  return final;
}
