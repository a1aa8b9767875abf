import pino, { type Logger } from 'pino';

/**
 * Structured JSON logs. Credentials are never logged on purpose; the redaction is a
 * second line of defence should a header object ever be passed to a log call.
 */
export function createLogger(service: string, level: string): Logger {
  return pino({
    level,
    base: { service },
    redact: {
      paths: ['req.headers.authorization', 'req.headers["x-api-key"]', 'headers.authorization', 'headers["x-api-key"]', '*.secret', 'secret', 'key'],
      censor: '[redacted]',
    },
  });
}
