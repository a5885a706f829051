/** pino-compatible logging surface; the default writes one JSON line per entry to stderr. */
export interface CloudLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export function jsonLogger(name = 'campus-cloud', minLevel: 'info' | 'warn' | 'error' = 'info'): CloudLogger {
  const levels = { info: 30, warn: 40, error: 50 } as const;
  const line = (level: keyof typeof levels) => (obj: object, msg?: string) => {
    if (levels[level] < levels[minLevel]) return;
    const o = obj instanceof Error ? { err: obj.message, stack: obj.stack } : obj;
    process.stderr.write(JSON.stringify({ level: levels[level], time: Date.now(), name, msg, ...o }) + '\n');
  };
  return { info: line('info'), warn: line('warn'), error: line('error') };
}

const noop = () => undefined;
export const quietLogger: CloudLogger = { info: noop, warn: noop, error: noop };
