import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Paths that never reach a log line in clear. pino's redaction works on object
 * paths; secrets in free text must not be logged at all.
 */
export const REDACT_PATHS = [
  'password',
  '*.password',
  '*.*.password',
  'passwordHash',
  '*.passwordHash',
  'token',
  '*.token',
  'csrfToken',
  '*.csrfToken',
  'secret',
  '*.secret',
  'privateKey',
  '*.privateKey',
  'key',
  '*.key',
  'authorization',
  '*.authorization',
  'cookie',
  '*.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
];

export function createLogger(opts: { level: string; destination?: pino.DestinationStream }): Logger {
  const root = pino(
    {
      level: opts.level,
      redact: { paths: REDACT_PATHS, censor: '[HIDDEN]' },
      base: { svc: 'campus-edge' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    opts.destination ?? pino.destination({ sync: false }),
  );
  return nestModules(root, root, root.child as unknown as PinoChild);
}

type PinoChild = (this: Logger, bindings: pino.Bindings, options?: pino.ChildLoggerOptions) => Logger;

/**
 * pino writes a child's bindings after its parent's, so a module's child logger
 * (`log.child({ mod: 'access' }).child({ mod: 'gates' })`) would repeat the key
 * (`"mod":"access","mod":"gates"`). Here a child that names a module under a parent that
 * has one gets one key with the path, `"mod":"access.gates"`, built from the root with the
 * parent's other bindings and level.
 */
function nestModules(logger: Logger, root: Logger, pinoChild: PinoChild): Logger {
  // pino's children inherit from their parent object, so each gets its own wrapper around pino's own method.
  const child = (bindings: pino.Bindings, options?: pino.ChildLoggerOptions): Logger => {
    const { svc: _svc, ...inherited } = logger.bindings();
    const parentMod: unknown = inherited.mod;
    if (typeof parentMod === 'string' && typeof bindings.mod === 'string') {
      const merged = pinoChild.call(root, { ...inherited, ...bindings, mod: `${parentMod}.${bindings.mod}` }, { level: logger.level, ...options });
      return nestModules(merged, root, pinoChild);
    }
    return nestModules(pinoChild.call(logger, bindings, options), root, pinoChild);
  };
  logger.child = child as unknown as Logger['child'];
  return logger;
}
