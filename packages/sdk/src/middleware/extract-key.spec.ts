import { keyFromHeaders } from './extract-key';

const KEY = 'kw_live_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8';

describe('keyFromHeaders', () => {
  it.each(['Bearer', 'bearer', 'BEARER', 'bEaReR'])('reads the key of an Authorization %s header', (scheme) => {
    expect(keyFromHeaders({ authorization: `${scheme} ${KEY}` })).toBe(KEY);
  });

  it('trims whitespace around the bearer token', () => {
    expect(keyFromHeaders({ authorization: `  Bearer \t ${KEY}  ` })).toBe(KEY);
  });

  it('reads the X-API-Key header', () => {
    expect(keyFromHeaders({ 'x-api-key': ` ${KEY} ` })).toBe(KEY);
  });

  it('prefers the bearer token when both headers are present', () => {
    expect(keyFromHeaders({ authorization: `Bearer ${KEY}`, 'x-api-key': 'kw_live_other' })).toBe(KEY);
  });

  it('falls back to X-API-Key when Authorization uses another scheme', () => {
    expect(keyFromHeaders({ authorization: 'Basic dXNlcjpwYXNz', 'x-api-key': KEY })).toBe(KEY);
  });

  it.each([
    ['no header', {}],
    ['an Authorization header of another scheme', { authorization: 'Basic dXNlcjpwYXNz' }],
    ['a bearer scheme without token', { authorization: 'Bearer   ' }],
    ['a scheme glued to the key', { authorization: `Bearer${KEY}` }],
    ['an empty X-API-Key', { 'x-api-key': '  ' }],
  ])('finds no key with %s', (_label, headers) => {
    expect(keyFromHeaders(headers)).toBeUndefined();
  });

  it('takes the first value of a repeated header', () => {
    expect(keyFromHeaders({ 'x-api-key': [KEY, 'kw_live_other'] })).toBe(KEY);
  });
});
