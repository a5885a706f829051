import { realpath } from 'node:fs/promises';

/**
 * Watches that a serial device path still leads to the device that was opened.
 *
 * serialport notices most unplugs through a read error, but not all: when a tty hangs
 * up right after a read (seen with pty pairs, possible with USB adapters), reads return
 * 0 bytes and serialport retries forever instead of closing. The path tells the truth:
 * it disappears on unplug, and after a quick replug it leads to a new device node.
 */
export async function watchDevicePath(path: string, intervalMs: number, onGone: (error: Error) => void): Promise<() => void> {
  const opened = await realpath(path).catch(() => null);
  let stopped = false;
  let checking = false;
  const timer = setInterval(() => {
    if (checking || stopped) return;
    checking = true;
    realpath(path)
      .then(
        (now) => {
          if (!stopped && opened !== null && now !== opened) {
            onGone(Object.assign(new Error(`${path} now leads to ${now}, not ${opened}: the device was replaced`), { code: 'ENODEV' }));
          }
        },
        (error: NodeJS.ErrnoException) => {
          if (!stopped && error.code === 'ENOENT') onGone(Object.assign(new Error(`${path} disappeared: device unplugged`), { code: 'ENODEV' }));
        },
      )
      .finally(() => {
        checking = false;
      });
  }, intervalMs);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
