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
