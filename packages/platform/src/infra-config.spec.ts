import { z } from 'zod';
import { decimalEnv, infraEnvSchema, integerEnv, parseEnv } from './infra-config';

const VALID_ENV = {
  DATABASE_URL: 'postgres://keywarden:p%40ss@db.internal:5432/keywarden',
  REDIS_URL: 'redis://:p%40ss@cache.internal:6379/0',
};

describe('infra configuration', () => {
  it.each([
    ['DATABASE_URL', 'postgres://keywarden:s3cret@db.internal:5432x/keywarden'],
    ['DATABASE_URL', 'postgres://keywarden:s3cret/pw@db.internal:5432/keywarden'],
    ['REDIS_URL', 'redis://:s3cret@cache.internal:port/0'],
  ])('refuses a %s the driver could not read, without quoting it', (variable, url) => {
    const parse = () => parseEnv(infraEnvSchema, { ...VALID_ENV, [variable]: url });
    expect(parse).toThrow(`${variable}: ${variable} is not a readable URL`);
    expect(parse).not.toThrow(/s3cret/);
  });

  it('accepts connection URLs with percent-encoded passwords', () => {
    expect(parseEnv(infraEnvSchema, VALID_ENV)).toMatchObject(VALID_ENV);
  });

  it.each(['0x2710', '1e4', ' 10000', '10000 ', '+10000', '10000.5', '10_000', '0b10011100010000'])(
    'refuses KW_SHUTDOWN_TIMEOUT_MS=%j, naming the variable and not the value',
    (value) => {
      const parse = () => parseEnv(infraEnvSchema, { ...VALID_ENV, KW_SHUTDOWN_TIMEOUT_MS: value });
      expect(parse).toThrow('KW_SHUTDOWN_TIMEOUT_MS: KW_SHUTDOWN_TIMEOUT_MS must be a whole number from 100 to 2147483647, in plain decimal digits');
      expect(parse).not.toThrow(value.trim());
    },
  );
});

describe('integerEnv', () => {
  const schema = z.object({ PORT: integerEnv('PORT', 0, 65535).default(8080), KW_DAYS: integerEnv('KW_DAYS', 1) });
  const parse = (env: Record<string, string>) => parseEnv(schema, { KW_DAYS: '1', ...env });

  it.each([
    ['80', 80],
    ['0', 0],
    ['65535', 65535],
    ['0080', 80],
  ])('reads %j as %d', (value, port) => {
    expect(parse({ PORT: value }).PORT).toBe(port);
  });

  it.each([
    ['hexadecimal', '0x1f90'],
    ['octal', '0o17620'],
    ['binary', '0b1111110010000'],
    ['an exponent', '1e3'],
    ['a leading space', ' 80'],
    ['a trailing space', '80 '],
    ['a fraction', '80.5'],
    ['a fraction of zero', '80.0'],
    ['a plus sign', '+80'],
    ['a minus sign', '-1'],
    ['digit separators', '8_080'],
    ['Infinity', 'Infinity'],
    ['a word', 'eighty'],
    ['digits of another script', '٨٠'],
    ['a number above the range', '65536'],
  ])('refuses %s (%j) with the variable and its range, never the value', (_form, value) => {
    expect(() => parse({ PORT: value })).toThrow('Invalid configuration:\n  - PORT: PORT must be a whole number from 0 to 65535, in plain decimal digits');
    expect(() => parse({ PORT: value })).not.toThrow(value.trim());
  });

  it('reads an empty value as unset: the default applies', () => {
    expect(parse({ PORT: '' }).PORT).toBe(8080);
    expect(parse({ PORT: '  ' }).PORT).toBe(8080);
  });

  it('bounds a variable without a maximum by the largest integer a number holds exactly', () => {
    expect(parse({ KW_DAYS: '9007199254740991' }).KW_DAYS).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => parse({ KW_DAYS: '9007199254740993' })).toThrow('KW_DAYS: KW_DAYS must be a whole number at least 1, in plain decimal digits');
    expect(() => parse({ KW_DAYS: '0' })).toThrow('KW_DAYS must be a whole number at least 1');
  });
});

describe('decimalEnv', () => {
  const schema = z.object({ KW_RATE: decimalEnv('KW_RATE', 0, 1).default(0.01) });

  it.each([
    ['0.25', 0.25],
    ['1', 1],
    ['0', 0],
    ['1.0', 1],
  ])('reads %j as %d', (value, rate) => {
    expect(parseEnv(schema, { KW_RATE: value }).KW_RATE).toBe(rate);
  });

  it.each(['0x1', '1e-2', '.5', '5.', ' 0.5', '+0.5', '1.5', '0,5'])('refuses %j', (value) => {
    expect(() => parseEnv(schema, { KW_RATE: value })).toThrow('KW_RATE: KW_RATE must be a number from 0 to 1, in plain decimal notation (such as 0.25)');
  });
});
