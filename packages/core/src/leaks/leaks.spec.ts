import { githubTokenHash, leakAction } from './leaks';

describe('githubTokenHash', () => {
  it('is the hex SHA-256 of the token, as GitHub computes it', () => {
    expect(githubTokenHash('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('leakAction', () => {
  it.each([
    ['revoke', 'active', 'revoked'],
    ['revoke', 'disabled', 'revoked'],
    ['revoke', 'revoked', 'none'],
    ['disable', 'active', 'disabled'],
    ['disable', 'disabled', 'none'],
    ['disable', 'revoked', 'none'],
    ['notify', 'active', 'none'],
  ] as const)('%s on a %s key: %s', (response, status, action) => {
    expect(leakAction(response, status)).toBe(action);
  });
});
