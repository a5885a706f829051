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
  return pino(
    {
      level: opts.level,
      redact: { paths: REDACT_PATHS, censor: '[HIDDEN]' },
      base: { svc: 'campus-edge' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    opts.destination ?? pino.destination({ sync: false }),
  );
}
