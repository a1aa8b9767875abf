import { infraEnvSchema, parseEnv } from './infra-config';

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
});
