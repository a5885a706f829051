/**
 * The logging surface drivers need. It is the subset of pino's Logger that drivers
 * use, so edge-agent can pass its pino child logger straight in; tests pass nothing.
 */
export interface DriverLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const noop = (): void => {};

export const silentLogger: DriverLogger = { debug: noop, info: noop, warn: noop, error: noop };
