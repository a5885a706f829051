/** The subset of pino the client uses; pass the edge's logger, or nothing for silence. */
export interface SyncLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug?(obj: object, msg?: string): void;
}

const noop = () => undefined;
export const silentLogger: SyncLogger = { info: noop, warn: noop, error: noop, debug: noop };
