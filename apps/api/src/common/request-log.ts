import type { Logger } from 'pino';

/**
 * The level a finished request's `request completed` line is written at. Every request
 * is logged once; a verify that admitted its key is the one exception to `info`: it goes
 * to `debug`, except for a sampled share (`sampleRate`, 0 to 1) kept at `info` so an
 * operator still sees normal traffic. Refusals (`valid: false`) and errors of verify stay
 * at `info` always; metrics count every verify whatever its level.
 */
export function requestLogLevel(verifyCode: string | undefined, sampleRate: number, random: () => number = Math.random): 'info' | 'debug' {
  if (verifyCode !== 'VALID') return 'info';
  return sampleRate > 0 && random() < sampleRate ? 'info' : 'debug';
}

/** What a finished request's `request completed` line says. */
export interface RequestCompletion {
  method: string;
  route: string | undefined;
  status: number;
  durationMs: number;
  keyId: string | undefined;
  ip: string | undefined;
  /** A verify's answer code, when it answered. */
  code?: string;
}

/** The part of a request's logger the line needs; a lazy child (`RequestLogger`) builds nothing until it writes. */
type RequestLog = Pick<Logger, 'isLevelEnabled' | 'info' | 'debug'>;

/** The level a finished request's line is written at, or null when that level is off (the common case: a verify at debug while the level is info). */
export function completionLogLevel(log: Pick<Logger, 'isLevelEnabled'>, verifyCode: string | undefined, verifyLogSampleRate: number): 'info' | 'debug' | null {
  const level = requestLogLevel(verifyCode, verifyLogSampleRate);
  return log.isLevelEnabled(level) ? level : null;
}

/** Writes the line at the level `completionLogLevel` gave. */
export function writeRequestCompletion(log: RequestLog, level: 'info' | 'debug', completion: RequestCompletion): void {
  const { code, ...line } = completion;
  log[level](code === undefined ? line : { ...line, code }, 'request completed');
}
